"""OpenAPI schema: valid without warnings, every operation typed, ids unique, docs served."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

SCHEMA_URL = "/api/v1/schema/?format=json"
CATALOG_OPERATIONS = {
    ("/api/v1/products/", "get"),
    ("/api/v1/products/", "post"),
    ("/api/v1/products/{id}/", "get"),
    ("/api/v1/products/{id}/", "put"),
    ("/api/v1/products/{id}/", "patch"),
    ("/api/v1/products/{id}/", "delete"),
    ("/api/v1/products/by-sku/{sku}/", "get"),
    ("/api/v1/products/by-sku/{sku}/", "put"),
    ("/api/v1/products/bulk/", "post"),
    ("/api/v1/customers/", "get"),
    ("/api/v1/customers/", "post"),
    ("/api/v1/customers/{id}/", "patch"),
    ("/api/v1/customers/by-external-id/{external_id}/", "put"),
    ("/api/v1/customers/bulk/", "post"),
    ("/api/v1/interactions/", "get"),
    ("/api/v1/interactions/bulk/", "post"),
    ("/api/v1/jobs/", "get"),
    ("/api/v1/jobs/{id}/", "get"),
    ("/api/v1/jobs/{id}/retry/", "post"),
    ("/api/v1/jobs/{id}/cancel/", "post"),
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    # The schema is for signed-in readers; an unsaved user is enough and leaves no row behind.
    client.force_authenticate(get_user_model()(username="schema-reader"))
    with django_db_blocker.unblock():
        response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return json.loads(response.content)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_spectacular_validates_without_warnings(tmp_path):
    # Fails on any warning from any app's endpoints (untyped fields, duplicate ids, ...).
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/v1/products/bulk/" in (tmp_path / "schema.yaml").read_text()


def test_schema_lists_the_catalog_endpoints(schema):
    found = {(path, method) for path, method, _ in operations(schema)}
    missing = CATALOG_OPERATIONS - found
    assert not missing


def test_operation_ids_are_unique(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))


def test_every_write_has_a_typed_request_body(schema):
    # Catalog writes all take a body (retry/cancel take none); other apps' actions may take
    # none, but a body they document must be typed.
    for path, method, operation in operations(schema):
        if method not in ("post", "put", "patch") or path.endswith(("/retry/", "/cancel/")):
            continue
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if not body and (path, method) not in CATALOG_OPERATIONS:
            continue
        assert body, f"{method.upper()} {path} has no JSON request body"
        component = resolve(schema, body["schema"])
        assert component.get("properties"), f"{method.upper()} {path} request is untyped"


DOWNLOADS = {"application/jsonl", "text/csv"}


def test_every_success_response_is_typed(schema):
    for path, method, operation in operations(schema):
        successes = {c: r for c, r in operation["responses"].items() if c.startswith("2")}
        assert successes, f"{method.upper()} {path} documents no success response"
        for code, response in successes.items():
            if code == "204":
                continue
            media = response.get("content", {})
            if set(media) <= DOWNLOADS and media:
                continue  # a documented file download (JSON Lines, CSV), typed by its media type
            content = media.get("application/json")
            assert content, f"{method.upper()} {path} {code} has no JSON body"
            component = resolve(schema, content["schema"])
            assert component.get("properties") or component.get("type") == "array", (
                f"{method.upper()} {path} {code} is untyped"
            )


def test_catalog_errors_are_documented(schema):
    bulk = schema["paths"]["/api/v1/interactions/bulk/"]["post"]
    error = resolve(schema, bulk["responses"]["400"]["content"]["application/json"]["schema"])
    body = resolve(schema, error["properties"]["error"])
    assert {"code", "message", "fields", "items"} <= set(body["properties"])
    assert "401" in schema["paths"]["/api/v1/products/"]["get"]["responses"]


def test_token_security_scheme_is_declared(schema):
    assert schema["components"]["securitySchemes"]["shopToken"]["scheme"] == "bearer"


def test_docs_page_is_served(viewer_client):
    response = viewer_client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


# --- Real responses match the schema (what a generated client relies on) ---------------------


def to_json_schema(schema: dict, node):
    """Inline $refs and turn OpenAPI 3.0 `nullable` into JSON Schema's null type."""
    if isinstance(node, list):
        return [to_json_schema(schema, item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return to_json_schema(schema, resolve(schema, node))
    converted = {
        key: to_json_schema(schema, value)
        for key, value in node.items()
        if key not in ("nullable", "readOnly", "writeOnly", "format", "pattern")
    }
    if "oneOf" in converted:
        # drf-spectacular writes a blank-or-URL field as oneOf [url, ""]; without format
        # checks both branches accept "", so check it as anyOf.
        converted["anyOf"] = converted.pop("oneOf")
    if node.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_matches(schema: dict, path: str, method: str, status: int, body) -> None:
    import jsonschema

    response = schema["paths"][path][method]["responses"][str(status)]
    body_schema = to_json_schema(schema, response["content"]["application/json"]["schema"])
    jsonschema.validate(body, body_schema)


def test_real_responses_match_the_schema(schema, editor_api, shop):
    from catalog import services

    product = {"title": "Bottle", "price": "9.90", "attributes": {"ml": 750}, "tags": ["a"]}
    created = editor_api.put("/api/v1/products/by-sku/B-1/", product, format="json")
    assert_matches(schema, "/api/v1/products/by-sku/{sku}/", "put", 201, created.json())
    listing = editor_api.get("/api/v1/products/")
    assert_matches(schema, "/api/v1/products/", "get", 200, listing.json())
    bulk = editor_api.post(
        "/api/v1/interactions/bulk/",
        {"items": [{"customer": "c1", "sku": "B-1", "kind": "purchase", "value": "9.90"}]},
        format="json",
    )
    assert_matches(schema, "/api/v1/interactions/bulk/", "post", 201, bulk.json())
    interactions = editor_api.get("/api/v1/interactions/")
    assert_matches(schema, "/api/v1/interactions/", "get", 200, interactions.json())
    bad = editor_api.post(
        "/api/v1/interactions/bulk/",
        {"items": [{"customer": "c1", "sku": "NOPE", "kind": "view"}]},
        format="json",
    )
    assert_matches(schema, "/api/v1/interactions/bulk/", "post", 400, bad.json())
    customers = editor_api.get("/api/v1/customers/")
    assert_matches(schema, "/api/v1/customers/", "get", 200, customers.json())
    services.save_customer(shop, {"external_id": "c2"})
    job = shop.jobs.create(kind="demo_count", status="failed", error="x")
    retried = editor_api.post(f"/api/v1/jobs/{job.pk}/retry/")
    assert_matches(schema, "/api/v1/jobs/{id}/retry/", "post", 200, retried.json())
    conflict = editor_api.post(f"/api/v1/jobs/{job.pk}/retry/")
    assert_matches(schema, "/api/v1/jobs/{id}/retry/", "post", 409, conflict.json())
    missing = editor_api.get("/api/v1/products/999999/")
    assert_matches(schema, "/api/v1/products/{id}/", "get", 404, missing.json())
