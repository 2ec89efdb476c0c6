import pytest

from catalog.models import Job
from generation.models import DraftStatus
from generation.services import add_version
from tests.conftest import api_client_for
from tests.generation.conftest import make_product


def test_create_request_returns_job_id_and_summary_is_pollable(editor_api, shop):
    make_product(shop, sku="A", category="Kitchen > Bottles")
    make_product(shop, sku="B", category="Kitchen > Mugs")
    response = editor_api.post(
        "/api/v1/generation/requests/",
        {"fields": ["seo_title", "meta_description"], "category": "Kitchen", "tone": "premium"},
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["progress_total"] == 4
    assert body["job_url"] == f"/api/v1/jobs/{body['id']}/"
    summary = editor_api.get(f"/api/v1/generation/requests/{body['id']}/").json()
    assert summary["params"]["tone"] == "premium" and summary["drafts"] == 0
    listed = editor_api.get("/api/v1/generation/requests/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_create_request_validation_errors_are_structured(editor_api, shop, other_product):
    response = editor_api.post("/api/v1/generation/requests/", {"fields": ["haiku"]}, format="json")
    assert response.status_code == 400 and "fields" in response.json()["error"]["fields"]
    response = editor_api.post(
        "/api/v1/generation/requests/",
        {"fields": ["seo_title"], "product_ids": [other_product.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "No such product" in str(response.json())
    assert not Job.objects.filter(shop=shop).exists()


def test_viewer_cannot_create_requests(viewer_api, product):
    response = viewer_api.post(
        "/api/v1/generation/requests/",
        {"fields": ["seo_title"], "product_ids": [product.pk]},
        format="json",
    )
    assert response.status_code == 403


def test_list_read_edit_and_approve_a_draft(editor_api, draft, product):
    listed = editor_api.get("/api/v1/drafts/", {"status": "draft", "field": "description"})
    assert [row["id"] for row in listed.json()["results"]] == [draft.pk]
    detail = editor_api.get(f"/api/v1/drafts/{draft.pk}/").json()
    assert detail["version"] == 1 and len(detail["versions"]) == 1 and detail["published"] == ""
    edited = editor_api.patch(
        f"/api/v1/drafts/{draft.pk}/", {"text": "Holds 1 litre."}, format="json"
    ).json()
    assert edited["version"] == 2 and edited["checks"]["counts"] == {"grounding": 1}
    product.refresh_from_db()
    assert product.description == ""
    approved = editor_api.post(f"/api/v1/drafts/{draft.pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    product.refresh_from_db()
    assert product.description == "Holds 1 litre."


def test_api_approve_needs_replace_over_existing_copy(editor_api, shop):
    item = make_product(shop, sku="P", seo_title="Old title")
    draft = add_version(item, "seo_title", "New title", source="model").draft
    response = editor_api.post(f"/api/v1/drafts/{draft.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.seo_title == "Old title"
    response = editor_api.post(
        f"/api/v1/drafts/{draft.pk}/approve/", {"replace": True}, format="json"
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.seo_title == "New title"


def test_reject_needs_owner_and_a_reason(editor_api, owner_api, draft):
    assert (
        editor_api.post(
            f"/api/v1/drafts/{draft.pk}/reject/", {"reason": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        owner_api.post(f"/api/v1/drafts/{draft.pk}/reject/", {}, format="json").status_code == 400
    )
    response = owner_api.post(
        f"/api/v1/drafts/{draft.pk}/reject/", {"reason": "Too long."}, format="json"
    )
    assert response.json()["status"] == DraftStatus.REJECTED
    assert response.json()["rejection_reason"] == "Too long."


def test_submit_and_regenerate(editor_api, draft):
    assert editor_api.post(f"/api/v1/drafts/{draft.pk}/submit/").json()["status"] == (
        "pending_review"
    )
    response = editor_api.post(f"/api/v1/drafts/{draft.pk}/regenerate/")
    assert response.status_code == 202 and response.json()["kind"] == "generate_copy"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/drafts/{pk}/", None),
        ("patch", "/api/v1/drafts/{pk}/", {"text": "hacked"}),
        ("post", "/api/v1/drafts/{pk}/submit/", {}),
        ("post", "/api/v1/drafts/{pk}/approve/", {"replace": True}),
        ("post", "/api/v1/drafts/{pk}/reject/", {"reason": "x"}),
        ("post", "/api/v1/drafts/{pk}/regenerate/", {}),
    ],
)
def test_outsider_gets_404_for_another_shops_draft(outsider_api, draft, method, path, body):
    response = getattr(outsider_api, method)(path.format(pk=draft.pk), body, format="json")
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and draft.current_version.number == 1


def test_outsider_cannot_see_another_shops_requests(outsider_api, editor_api, product):
    job_id = editor_api.post(
        "/api/v1/generation/requests/",
        {"fields": ["seo_title"], "product_ids": [product.pk]},
        format="json",
    ).json()["id"]
    assert outsider_api.get(f"/api/v1/generation/requests/{job_id}/").status_code == 404
    assert outsider_api.get("/api/v1/generation/requests/").json()["results"] == []
    assert outsider_api.get("/api/v1/drafts/").json()["results"] == []


def test_draft_list_query_count_is_bounded(owner, shop, django_assert_max_num_queries):
    client = api_client_for(owner, shop)
    for index in range(15):
        add_version(make_product(shop, sku=f"Q{index}"), "seo_title", "T", source="model")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/drafts/")
    assert response.json()["count"] == 15


def test_schema_has_unique_copy_operations(owner_client):
    schema = owner_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation_ids = [
        operation["operationId"]
        for path_item in schema["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(operation_ids) == len(set(operation_ids))
    for expected in ("generation_requests_create", "drafts_approve", "drafts_edit"):
        assert expected in operation_ids


def test_request_list_query_count_is_bounded(editor_api, shop, django_assert_max_num_queries):
    from generation.services import Selection, create_generation_job

    product = make_product(shop, sku="N")
    for _ in range(6):
        create_generation_job(shop, Selection(product_ids=[product.pk]), fields=["seo_title"])
    with django_assert_max_num_queries(8):
        response = editor_api.get("/api/v1/generation/requests/")
    assert len(response.json()["results"]) == 6


def test_viewer_reads_drafts_but_cannot_change_them(viewer_api, draft):
    assert viewer_api.get(f"/api/v1/drafts/{draft.pk}/").status_code == 200
    assert (
        viewer_api.patch(f"/api/v1/drafts/{draft.pk}/", {"text": "x"}, format="json").status_code
        == 403
    )
    assert viewer_api.post(f"/api/v1/drafts/{draft.pk}/approve/", {}).status_code == 403
    draft.product.refresh_from_db()
    assert draft.product.description == ""
