"""Interactions API: bulk ingest (thousands per request, all or nothing) and filtered listing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import Customer, Interaction

LIST = "/api/v1/interactions/"
BULK = "/api/v1/interactions/bulk/"


@pytest.fixture
def products(shop):
    return [
        services.save_product(shop, {"sku": f"SKU-{index}", "title": f"Item {index}"})
        for index in range(3)
    ]


def test_bulk_ingest_stores_thousands_and_creates_unknown_customers(editor_api, shop, products):
    services.save_customer(shop, {"external_id": "known", "name": "Known"})
    items = [
        {
            "customer": "known" if index % 2 else f"new-{index % 100}",
            "sku": f"SKU-{index % 3}",
            "kind": "view",
        }
        for index in range(5000)
    ]
    items[0].update(kind="purchase", quantity=2, value="39.80", recommendation_ref="rec-7")
    items[1].update(kind="rating", value=5, occurred_at="2026-01-02T03:04:05Z")
    response = editor_api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"stored": 5000}
    assert Interaction.objects.filter(shop=shop).count() == 5000
    assert Customer.objects.filter(shop=shop).count() == 51
    purchase = Interaction.objects.get(shop=shop, kind="purchase")
    assert (purchase.quantity, str(purchase.value), purchase.recommendation_ref) == (
        2,
        "39.80",
        "rec-7",
    )
    rating = Interaction.objects.get(shop=shop, kind="rating")
    assert rating.occurred_at.year == 2026 and rating.customer.external_id == "known"


def test_bulk_ingest_is_all_or_nothing_with_indexed_errors(editor_api, shop, products):
    items = [
        {"customer": "c1", "sku": "SKU-0", "kind": "view"},
        {"customer": "c1", "sku": "SKU-0", "kind": "teleport"},
        {"customer": "", "sku": "SKU-0", "kind": "view", "quantity": 0},
        {"customer": "c1", "sku": "SKU-0", "kind": "view", "occurred_at": "yesterday"},
        {"customer": "c1", "sku": "SKU-0", "kind": "purchase", "value": "lots"},
    ]
    response = editor_api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    by_index = {item["index"]: item["fields"] for item in error["items"]}
    assert set(by_index) == {1, 2, 3, 4}
    assert "kind" in by_index[1]
    assert {"customer", "quantity"} <= set(by_index[2])
    assert "occurred_at" in by_index[3] and "value" in by_index[4]
    assert "4 of 5" in error["message"]
    assert not Interaction.objects.exists() and not Customer.objects.exists()


def test_unknown_sku_fails_the_whole_request_with_its_index(editor_api, shop, products):
    items = [
        {"customer": "c1", "sku": "SKU-0", "kind": "view"},
        {"customer": "c2", "sku": "NO-SUCH", "kind": "cart"},
    ]
    response = editor_api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["items"] == [
        {"index": 1, "fields": {"sku": ["Unknown product SKU 'NO-SUCH'."]}}
    ]
    assert not Interaction.objects.exists() and not Customer.objects.exists()


def test_another_shops_sku_is_unknown(outsider_api, products, other_shop):
    response = outsider_api.post(
        BULK, {"items": [{"customer": "c1", "sku": "SKU-0", "kind": "view"}]}, format="json"
    )
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def test_bulk_ingest_limits_items(editor_api, products):
    items = [{"customer": "c", "sku": "SKU-0", "kind": "view"}] * 10_001
    response = editor_api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 400
    assert "10,000" in response.json()["error"]["fields"]["items"][0]
    assert not Interaction.objects.exists()


def test_viewer_cannot_ingest(viewer_api, products):
    response = viewer_api.post(
        BULK, {"items": [{"customer": "c", "sku": "SKU-0", "kind": "view"}]}, format="json"
    )
    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_missing_token_is_401(client, db):
    assert client.post(BULK, {}, content_type="application/json").status_code == 401
    assert client.get(LIST).json()["error"]["code"] == "not_authenticated"


def test_list_filters_and_newest_first(viewer_api, shop, products):
    now = timezone.now()
    rows = [
        {"customer": "a", "sku": "SKU-0", "kind": "view", "occurred_at": now - timedelta(days=5)},
        {"customer": "a", "sku": "SKU-1", "kind": "purchase", "occurred_at": now},
        {"customer": "b", "sku": "SKU-1", "kind": "view", "occurred_at": now - timedelta(days=1)},
    ]
    services.record_interactions(shop, rows)

    def pairs(**params) -> list[tuple[str, str, str]]:
        response = viewer_api.get(LIST, params)
        assert response.status_code == 200, response.json()
        return [(r["customer"], r["sku"], r["kind"]) for r in response.json()["results"]]

    assert pairs() == [("a", "SKU-1", "purchase"), ("b", "SKU-1", "view"), ("a", "SKU-0", "view")]
    assert pairs(customer="b") == [("b", "SKU-1", "view")]
    assert pairs(sku="SKU-0") == [("a", "SKU-0", "view")]
    assert pairs(kind="purchase") == [("a", "SKU-1", "purchase")]
    since = (now - timedelta(days=2)).isoformat()
    assert len(pairs(since=since)) == 2


def test_outsider_never_sees_other_shops_interactions(outsider_api, shop, products):
    services.record_interactions(shop, [{"customer": "a", "sku": "SKU-0", "kind": "view"}])
    assert outsider_api.get(LIST).json()["count"] == 0
    assert outsider_api.get(LIST, {"customer": "a"}).json()["count"] == 0


@pytest.mark.parametrize("rows", [3, 60])
def test_list_query_count_does_not_grow_with_rows(
    viewer_api, shop, products, rows, django_assert_max_num_queries
):
    services.record_interactions(
        shop,
        [{"customer": f"c{i}", "sku": f"SKU-{i % 3}", "kind": "view"} for i in range(rows)],
    )
    with django_assert_max_num_queries(5):
        assert viewer_api.get(LIST, {"page_size": 100}).json()["count"] == rows
