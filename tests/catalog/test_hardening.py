"""No input answers with a server error: each case found by probing the running site."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Interaction, JobStatus, Product
from catalog.services import save_product
from tests.catalog.csv_helpers import import_now

HUGE_PAGE = "99999999999999999999"


def error_code(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()["error"]["code"]


# --- Timezone offsets PostgreSQL cannot store -----------------------------------------------


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/products/", "updated_after"),
        ("/api/v1/customers/", "created_after"),
        ("/api/v1/interactions/", "since"),
    ],
)
@pytest.mark.parametrize("offset", ["+16:00", "-23:59"])
def test_filter_datetime_with_an_offset_beyond_postgresql_is_converted_not_a_500(
    viewer_api, shop, url, param, offset
):
    save_product(shop, {"sku": "A-1", "title": "Mug"})
    response = viewer_api.get(url, {param: f"2020-01-01T00:00:00{offset}"})
    assert response.status_code == 200
    (condition,) = response.wsgi_request.GET.getlist(param)  # the filter saw the raw value
    assert condition.endswith(offset)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+10:00", "9999-12-31T23:59:59-10:00"])
def test_filter_datetime_that_overflows_in_utc_is_a_400(viewer_api, shop, value):
    response = viewer_api.get("/api/v1/products/", {"updated_after": value})
    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert "updated_after" in response.json()["error"]["fields"]


def test_filter_datetime_offset_is_honoured(viewer_api, shop):
    save_product(shop, {"sku": "A-1", "title": "Mug"})
    # 23:00 at -20:00 is 19:00 UTC the next day: far in the future of every row.
    response = viewer_api.get("/api/v1/products/", {"updated_after": "2999-01-01T23:00:00-20:00"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_interaction_occurred_at_with_a_wide_offset_is_stored_in_utc(editor_api, shop):
    save_product(shop, {"sku": "A-1", "title": "Mug"})
    item = {"customer": "c1", "sku": "A-1", "kind": "view", "occurred_at": "2024-05-01T10:00-20:00"}
    response = editor_api.post("/api/v1/interactions/bulk/", {"items": [item]}, format="json")
    assert response.status_code == 201, response.content
    stored = Interaction.objects.get().occurred_at
    assert stored.utcoffset().total_seconds() == 0
    assert (stored.day, stored.hour) == (2, 6)


# --- OPTIONS on actions with a key in the path ----------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/products/by-sku/A-1/", "/api/v1/customers/by-external-id/c-1/"]
)
def test_options_on_by_key_actions_answers_metadata(editor_api, shop, url):
    response = editor_api.options(url)
    assert response.status_code == 200
    assert response.json()["name"]


# --- Pages far past the end -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["catalog:product_list", "catalog:customer_list", "answers:question_list"]
)
def test_huge_page_number_on_a_page_shows_the_last_page(owner_client, shop, url_name):
    save_product(shop, {"sku": "A-1", "title": "Mug"})
    response = owner_client.get(reverse(url_name), {"page": HUGE_PAGE})
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/products/", "/api/v1/customers/", "/api/v1/jobs/"])
def test_huge_page_number_in_the_api_is_a_json_404(viewer_api, shop, url):
    response = viewer_api.get(url, {"page": HUGE_PAGE})
    assert response.status_code == 404
    assert error_code(response) == "not_found"


# --- Bodies nested too deep -----------------------------------------------------------------


def test_json_nested_a_thousand_deep_is_a_400(editor_api, shop):
    body = "[" * 1000 + "]" * 1000
    response = editor_api.generic(
        "POST", "/api/v1/products/bulk/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert error_code(response) == "parse_error"


def test_json_nested_moderately_still_parses(editor_api, shop):
    attributes = {"colour": "red"}
    response = editor_api.post(
        "/api/v1/products/",
        {"sku": "N-1", "title": "Mug", "attributes": attributes},
        format="json",
    )
    assert response.status_code == 201, response.content


# --- NUL characters in query strings --------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("catalog:export_products", {"q": "mug\x00"}),
        ("catalog:export_products", {"category": "\x00"}),
        ("catalog:export_interactions", {"kind": "view\x00"}),
    ],
)
def test_nul_in_an_export_filter_is_a_400_before_any_csv(editor_client, shop, url_name, params):
    save_product(shop, {"sku": "A-1", "title": "Mug"})
    response = editor_client.get(reverse(url_name), params)
    assert response.status_code == 400
    assert not response.streaming
    assert b"A-1" not in response.content


def test_nul_in_an_api_search_is_a_json_400(viewer_api, shop):
    response = viewer_api.get("/api/v1/products/", {"search": "a\x00b"})
    assert response.status_code == 400
    assert error_code(response) == "invalid"


def test_export_query_runs_before_the_status_is_sent(editor, shop, monkeypatch):
    """A database error while reading the rows must become an error response, not a cut CSV."""
    from django.db import DatabaseError

    from catalog.csv_io import exports

    def broken_rows(queryset):
        raise DatabaseError("boom")
        yield  # a generator, like the real ones

    monkeypatch.setitem(exports.EXPORTS, "products", (exports.PRODUCTS.columns, broken_rows))
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    response = client.get(reverse("catalog:export_products"))
    assert response.status_code == 500
    assert not getattr(response, "streaming", False)


# --- Errors under /api/ are JSON ------------------------------------------------------------


def test_non_numeric_id_under_api_is_a_json_404(viewer_api, shop):
    response = viewer_api.get("/api/v1/products/not-a-number/")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_unknown_api_path_is_a_json_404(viewer_api, shop):
    response = viewer_api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_server_error_under_api_is_the_error_json(viewer_api, shop, monkeypatch):
    from catalog import api

    def explode(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.ProductViewSet, "get_queryset", explode)
    viewer_api.raise_request_exception = False
    response = viewer_api.get("/api/v1/products/")
    assert response.status_code == 500
    assert error_code(response) == "server_error"
    assert "a bug" not in response.content.decode()


def test_server_error_on_a_page_stays_html(owner_client, shop, monkeypatch):
    from catalog.views import products

    def explode(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(products, "capped_page", explode)
    owner_client.raise_request_exception = False
    response = owner_client.get(reverse("catalog:product_list"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


# --- Strict CSV: a quote left open is a reported bad row ------------------------------------


@pytest.mark.parametrize(
    ("text", "bad_line"),
    [
        # The quote before Mug closes on the next line: that row would vanish into the title.
        ('sku,title,price\nA-1,"Mug,5\nA-2,Cup",6\nA-3,Bowl,7\n', 2),
        # The quote is never closed: every row after it would be one cell.
        ('sku,price,title\nA-1,5,"Mug\nA-2,6,Cup\n', 2),
        # Text after a closing quote.
        ('sku,title,price\nA-1,"Mug"gy,5\nA-2,Cup,6\n', 2),
    ],
)
def test_an_unterminated_quote_fails_the_import_naming_the_line(shop, text, bad_line):
    job = import_now(shop, "products", text)
    assert job.status == JobStatus.FAILED
    assert [error["line"] for error in job.result["row_errors"]] == [bad_line]
    assert "quote" in job.result["row_errors"][0]["error"]
    assert not Product.objects.exists()


def test_a_quoted_multi_line_description_still_imports(shop):
    job = import_now(shop, "products", 'sku,title,description\nA-1,Mug,"Big.\nWarm."\nA-2,Cup,\n')
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Product.objects.get(sku="A-1").description == "Big.\nWarm."
    assert Product.objects.count() == 2


# --- The product rule holds on the keyed and bulk writes too --------------------------------


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"price": "-1"}, "price"),
        ({"image_url": "ftp://img.example.com/mug.jpg"}, "image_url"),
        ({"attributes": {f"k{i}": "v" for i in range(500)}}, "attributes"),
        ({"description": "d" * 10_000_000}, "description"),  # 10 MB
    ],
)
def test_by_sku_and_bulk_writes_refuse_what_the_rule_refuses(editor_api, shop, fields, bad_field):
    by_sku = editor_api.put("/api/v1/products/by-sku/A-1/", {"title": "Mug", **fields}, "json")
    bulk = editor_api.post(
        "/api/v1/products/bulk/", {"items": [{"sku": "A-2", "title": "Cup", **fields}]}, "json"
    )
    assert by_sku.status_code == 400 and bad_field in by_sku.json()["error"]["fields"]
    assert bulk.status_code == 400
    assert bad_field in bulk.json()["error"]["items"][0]["fields"]
    assert not Product.objects.exists()


def test_by_sku_and_bulk_writes_strip_bidi_and_control_characters(editor_api, shop):
    editor_api.put("/api/v1/products/by-sku/A-1/", {"title": "Mug\u202e\x07"}, "json")
    editor_api.post(
        "/api/v1/products/bulk/", {"items": [{"sku": "B\u202e-2\x00", "title": "Cup"}]}, "json"
    )
    assert sorted(Product.objects.values_list("sku", "title")) == [("A-1", "Mug"), ("B-2", "Cup")]


# --- Schema says what responses hold --------------------------------------------------------


def test_fields_that_can_be_null_are_nullable_in_the_schema(viewer_api, shop):
    schema = viewer_api.get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert components["Draft"]["properties"]["reviewer"].get("nullable") is True
    assert components["Draft"]["properties"]["version"].get("nullable") is True
    listing = schema["paths"]["/api/v1/products/"]["get"]["responses"]
    assert {"400", "404", "429", "500"} <= set(listing)


@pytest.mark.parametrize("url", ["/api/v1/answers/questions/", "/api/v1/drafts/"])
def test_a_job_filter_past_the_primary_key_range_is_a_400(viewer_api, shop, url):
    response = viewer_api.get(url, {"job": HUGE_PAGE})
    assert response.status_code == 400
    assert "job" in response.json()["error"]["fields"]
