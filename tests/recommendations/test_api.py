"""API: customer lists with ids for attribution, fold-in, product lists, runs; tenancy; cost."""

from catalog.models import Product
from recommendations.models import RecommendationImpression, RecommendationRun
from tests.recommendations.conftest import run_now

BASE = "/api/v1/recommendations"


def test_customer_recommendations_have_reasons_scores_and_an_id(shop, planted, viewer_api):
    run = run_now(shop)
    response = viewer_api.get(f"{BASE}/customers/tents-0/?n=5")
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "model" and body["run_id"] == run.pk
    assert len(body["items"]) == 5
    for item in body["items"]:
        assert item["sku"] and isinstance(item["score"], float)
        assert item["reason"]["kind"] and item["reason"]["text"]
    assert RecommendationImpression.objects.filter(ref=body["recommendation_id"]).exists()


def test_interaction_citing_the_recommendation_id_is_attributed(shop, planted, editor_api):
    run_now(shop)
    body = editor_api.get(f"{BASE}/customers/tents-0/").json()
    sku = body["items"][0]["sku"]
    response = editor_api.post(
        "/api/v1/interactions/bulk/",
        {
            "items": [
                {
                    "customer": "tents-0",
                    "sku": sku,
                    "kind": "view",
                    "recommendation_ref": body["recommendation_id"],
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 201
    run = editor_api.get(f"{BASE}/runs/").json()["results"][0]
    assert run["id"]
    from recommendations.serving import run_ctr

    assert run_ctr(RecommendationRun.objects.get(pk=run["id"]))["clicked"] == 1


def test_new_customer_is_folded_in_right_after_posting_interactions(shop, planted, editor_api):
    run_now(shop)
    skus = [p.sku for p in planted["by_group"]["Coffee"][:3]]
    response = editor_api.post(
        "/api/v1/interactions/bulk/",
        {"items": [{"customer": "walk-in-7", "sku": sku, "kind": "cart"} for sku in skus]},
        format="json",
    )
    assert response.status_code == 201
    body = editor_api.get(f"{BASE}/customers/walk-in-7/?n=5").json()
    assert body["source"] == "fold_in"
    assert all(item["sku"].startswith("COF-") for item in body["items"])
    assert not {item["sku"] for item in body["items"]} & set(skus)


def test_similar_and_bought_together_by_sku(shop, planted, viewer_api):
    run_now(shop)
    similar = viewer_api.get(f"{BASE}/products/TEN-0/similar/").json()
    assert similar["items"] and all(i["sku"] != "TEN-0" for i in similar["items"])
    together = viewer_api.get(f"{BASE}/products/TEN-0/bought-together/").json()
    assert together["items"][0]["reason"]["kind"] == "bought_together"
    assert together["items"][0]["reason"]["because_of_sku"] == "TEN-0"


def test_before_any_run_the_list_is_empty_not_an_error(shop, planted, viewer_api):
    body = viewer_api.get(f"{BASE}/customers/tents-0/").json()
    assert body == {"recommendation_id": "", "source": "none", "run_id": None, "items": []}


def test_runs_list_detail_and_start(
    shop, planted, editor_api, django_capture_on_commit_callbacks, monkeypatch
):
    from catalog import jobs

    done = run_now(shop)
    detail = editor_api.get(f"{BASE}/runs/{done.pk}/").json()
    assert detail["metrics"]["model"]["ndcg@10"] > detail["metrics"]["popularity"]["ndcg@10"]
    monkeypatch.setattr(jobs, "enqueue_job", lambda job_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post(f"{BASE}/runs/")
    assert response.status_code == 202
    assert (
        RecommendationRun.objects.get(pk=response.json()["run_id"]).job_id
        == response.json()["job_id"]
    )
    conflict = editor_api.post(f"{BASE}/runs/")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"


def test_viewer_cannot_start_a_run(shop, planted, viewer_api):
    assert viewer_api.post(f"{BASE}/runs/").status_code == 403


def test_outsider_cannot_read_another_shops_recommendations(shop, planted, outsider_api):
    run = run_now(shop)
    for url in (
        f"{BASE}/customers/tents-0/",
        f"{BASE}/products/TEN-0/similar/",
        f"{BASE}/products/TEN-0/bought-together/",
        f"{BASE}/runs/{run.pk}/",
    ):
        response = outsider_api.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert outsider_api.get(f"{BASE}/runs/").json()["results"] == []


def test_serving_a_stored_list_does_not_grow_with_the_catalog(
    shop, planted, viewer_api, django_assert_max_num_queries
):
    run_now(shop)
    viewer_api.get(f"{BASE}/customers/tents-0/")  # warm the token's last_used
    with django_assert_max_num_queries(9) as small:
        viewer_api.get(f"{BASE}/customers/tents-0/")
    Product.objects.bulk_create(
        [Product(shop=shop, sku=f"EXTRA-{i}", title=f"Extra {i}") for i in range(400)]
    )
    run_now(shop)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = viewer_api.get(f"{BASE}/customers/tents-0/")
    assert len(response.json()["items"]) == 10


def test_schema_has_unique_operation_ids(viewer_api, shop):
    import yaml  # noqa: F401  (drf-spectacular depends on PyYAML)

    response = viewer_api.get("/api/v1/schema/?format=json")
    schema = response.json()
    ids = [
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids))
    assert "recommendations_for_customer" in ids and "recommendation_runs_start" in ids


def test_settings_can_be_read_and_changed_by_an_editor(shop, editor_api, viewer_api):
    assert viewer_api.get(f"{BASE}/settings/").json()["content_weight"] == 0.3
    response = editor_api.patch(
        f"{BASE}/settings/",
        {"repurchasable_tags": ["consumable"], "weights": {"purchase": 8}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["repurchasable_tags"] == ["consumable"]
    assert body["weights"] == {"view": 1.0, "cart": 3.0, "purchase": 8.0, "rating": 2.0}
    assert viewer_api.patch(f"{BASE}/settings/", {"top_n": 5}, format="json").status_code == 403
    bad = editor_api.patch(f"{BASE}/settings/", {"content_weight": 2}, format="json")
    assert bad.status_code == 400 and "content_weight" in bad.json()["error"]["fields"]
