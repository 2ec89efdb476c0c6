"""Products API: token auth, roles, shop scoping, filters, upsert by SKU and bulk upsert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog import services
from catalog.models import ApiToken, Product, ProductTag
from tests.conftest import api_client_for

LIST = "/api/v1/products/"


def make_product(shop, sku: str, **fields) -> Product:
    return services.save_product(shop, {"sku": sku, "title": f"Product {sku}", **fields})


@pytest.fixture
def bottle(shop) -> Product:
    return make_product(
        shop,
        "BOT-1",
        title="Steel bottle",
        brand="Hydra",
        category="Kitchen > Drinkware > Bottles",
        tags=["Eco", "gift"],
        attributes={"material": "stainless steel", "capacity": "750 ml"},
        price="19.90",
    )


# --- Authentication and roles ----------------------------------------------------------------


def test_missing_token_is_401_with_structured_error(db):
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["message"]


def test_invalid_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer shk_not-a-real-key")
    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_revoked_token_is_401(owner, shop):
    client = api_client_for(owner, shop)
    assert client.get(LIST).status_code == 200
    services.revoke_api_token(ApiToken.objects.get(membership__user=owner))
    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_viewer_reads_but_cannot_write(viewer_api, bottle):
    assert viewer_api.get(LIST).status_code == 200
    assert viewer_api.get(f"{LIST}{bottle.pk}/").status_code == 200
    response = viewer_api.post(LIST, {"sku": "X-1", "title": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert viewer_api.put(f"{LIST}by-sku/X-2/", {"title": "X"}, format="json").status_code == 403
    assert viewer_api.post(f"{LIST}bulk/", {"items": []}, format="json").status_code == 403
    assert viewer_api.delete(f"{LIST}{bottle.pk}/").status_code == 403
    assert not Product.objects.filter(sku__startswith="X-").exists()


def test_session_login_works_for_members(owner_client, bottle):
    response = owner_client.get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- CRUD ------------------------------------------------------------------------------------


def test_editor_creates_product_with_facts_and_tags(editor_api, shop):
    body = {
        "sku": "MUG-1",
        "title": "Enamel mug",
        "category": "Kitchen > Mugs",
        "price": "9.50",
        "tags": ["Camping", "camping", " gift "],
        "attributes": {"material": "enamel", "capacity_ml": 350, "dishwasher_safe": True},
        "bullet_points": ["Light", "Tough"],
    }
    response = editor_api.post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["tags"] == ["camping", "gift"]
    assert data["attributes"]["capacity_ml"] == 350
    product = Product.objects.get(shop=shop, sku="MUG-1")
    assert product.currency == shop.currency
    assert sorted(ProductTag.objects.filter(product=product).values_list("tag", flat=True)) == [
        "camping",
        "gift",
    ]


def test_duplicate_sku_is_a_field_error(editor_api, bottle):
    response = editor_api.post(LIST, {"sku": "BOT-1", "title": "Again"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "BOT-1" in error["fields"]["sku"][0]


def test_validation_errors_are_structured_per_field_and_nested(editor_api):
    body = {
        "sku": "",
        "title": "Bad",
        "price": "cheap",
        "stock_status": "maybe",
        "attributes": {"colour": {"nested": "object"}},
        "tags": "not-a-list",
    }
    response = editor_api.post(LIST, body, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) >= {"sku", "price", "stock_status", "attributes", "tags"}
    assert "colour" in fields["attributes"]


def test_malformed_json_is_a_structured_400(editor_api):
    response = editor_api.generic("POST", LIST, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_partial_update_changes_only_sent_fields(editor_api, bottle):
    response = editor_api.patch(f"{LIST}{bottle.pk}/", {"price": "24.00"}, format="json")
    assert response.status_code == 200
    bottle.refresh_from_db()
    assert str(bottle.price) == "24.00" and bottle.title == "Steel bottle"


def test_put_replaces_fields_and_syncs_tags(editor_api, bottle):
    body = {"sku": "BOT-1", "title": "Steel bottle 1 l", "tags": ["outdoor"]}
    response = editor_api.put(f"{LIST}{bottle.pk}/", body, format="json")
    assert response.status_code == 200
    assert list(ProductTag.objects.filter(product=bottle).values_list("tag", flat=True)) == [
        "outdoor"
    ]


def test_editor_deletes_product(editor_api, bottle):
    assert editor_api.delete(f"{LIST}{bottle.pk}/").status_code == 204
    assert not Product.objects.filter(pk=bottle.pk).exists()


# --- Shop scoping ----------------------------------------------------------------------------


def test_outsider_gets_404_on_every_detail_route(outsider_api, bottle):
    url = f"{LIST}{bottle.pk}/"
    for response in (
        outsider_api.get(url),
        outsider_api.put(url, {"sku": "BOT-1", "title": "Hacked"}, format="json"),
        outsider_api.patch(url, {"title": "Hacked"}, format="json"),
        outsider_api.delete(url),
        outsider_api.get(f"{LIST}by-sku/BOT-1/"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    bottle.refresh_from_db()
    assert bottle.title == "Steel bottle"


def test_outsider_upsert_by_sku_only_touches_their_own_shop(outsider_api, bottle, other_shop):
    response = outsider_api.put(f"{LIST}by-sku/BOT-1/", {"title": "Rival bottle"}, format="json")
    assert response.status_code == 201
    bottle.refresh_from_db()
    assert bottle.title == "Steel bottle"
    assert Product.objects.get(shop=other_shop, sku="BOT-1").title == "Rival bottle"
    bulk = outsider_api.post(
        f"{LIST}bulk/", {"items": [{"sku": "BOT-1", "title": "Rival again"}]}, format="json"
    )
    assert bulk.json() == {"created": 0, "updated": 1}
    bottle.refresh_from_db()
    assert bottle.title == "Steel bottle"


def test_outsider_never_sees_other_shops_rows_in_list(outsider_api, bottle, other_shop):
    make_product(other_shop, "RIV-1")
    data = outsider_api.get(LIST).json()
    assert [row["sku"] for row in data["results"]] == ["RIV-1"]
    assert outsider_api.get(LIST, {"search": "BOT-1"}).json()["count"] == 0


# --- Listing -----------------------------------------------------------------------------------


def test_list_is_paginated(viewer_api, shop):
    for index in range(7):
        make_product(shop, f"P-{index:02}")
    data = viewer_api.get(LIST, {"page_size": 3, "ordering": "sku"}).json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 7
    assert [row["sku"] for row in data["results"]] == ["P-00", "P-01", "P-02"]
    assert "page=2" in data["next"] and data["previous"] is None
    last = viewer_api.get(LIST, {"page_size": 3, "ordering": "sku", "page": 3}).json()
    assert [row["sku"] for row in last["results"]] == ["P-06"] and last["next"] is None


def test_list_filters(viewer_api, shop, bottle):
    make_product(shop, "MUG-1", category="Kitchen > Mugs", brand="Hydra", tags=["gift"])
    make_product(shop, "TENT-1", category="Outdoor > Tents", stock_status="out_of_stock")
    make_product(shop, "KIT-1", category="Kitchenware")  # not below "Kitchen"

    def skus(**params) -> list[str]:
        params.setdefault("ordering", "sku")
        response = viewer_api.get(LIST, params)
        assert response.status_code == 200, response.json()
        return [row["sku"] for row in response.json()["results"]]

    assert skus(category="Kitchen") == ["BOT-1", "MUG-1"]
    assert skus(category="Kitchen > Drinkware") == ["BOT-1"]
    assert skus(stock_status="out_of_stock") == ["TENT-1"]
    assert skus(tag="gift") == ["BOT-1", "MUG-1"]
    assert skus(tag="eco") == ["BOT-1"]
    assert skus(brand="hydra") == ["BOT-1", "MUG-1"]
    assert skus(search="steel") == ["BOT-1"]
    assert skus(search="TENT-1") == ["TENT-1"]
    assert skus(ordering="-sku") == ["TENT-1", "MUG-1", "KIT-1", "BOT-1"]
    Product.objects.filter(sku="BOT-1").update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert "BOT-1" not in skus(updated_after=since)
    assert len(skus(updated_after=since)) == 3


def test_bad_filter_value_is_a_structured_400(viewer_api):
    response = viewer_api.get(LIST, {"stock_status": "maybe"})
    assert response.status_code == 400
    assert "stock_status" in response.json()["error"]["fields"]


@pytest.mark.parametrize("rows", [3, 40])
def test_list_query_count_does_not_grow_with_rows(
    viewer_api, shop, rows, django_assert_max_num_queries
):
    for index in range(rows):
        make_product(shop, f"Q-{index:03}", tags=["a", "b"])
    with django_assert_max_num_queries(5):
        response = viewer_api.get(LIST, {"page_size": 100})
    assert response.json()["count"] == rows


# --- Upsert by SKU ----------------------------------------------------------------------------


def test_put_by_sku_creates_then_updates_only_sent_fields(editor_api, shop):
    url = f"{LIST}by-sku/TENT-2P/"
    created = editor_api.put(url, {"title": "Tent", "price": "199.00"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["sku"] == "TENT-2P"
    updated = editor_api.put(url, {"price": "179.00"}, format="json")
    assert updated.status_code == 200
    product = Product.objects.get(shop=shop, sku="TENT-2P")
    assert (product.title, str(product.price)) == ("Tent", "179.00")
    assert Product.objects.filter(shop=shop).count() == 1
    assert editor_api.get(url).json()["id"] == product.pk


def test_put_by_sku_ignores_sku_in_body(editor_api, shop):
    response = editor_api.put(f"{LIST}by-sku/A-1/", {"sku": "B-2", "title": "A"}, format="json")
    assert response.status_code == 201
    assert list(Product.objects.filter(shop=shop).values_list("sku", flat=True)) == ["A-1"]


def test_put_by_sku_creating_needs_a_title(editor_api, shop):
    response = editor_api.put(f"{LIST}by-sku/NEW-1/", {"price": "1.00"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]
    assert not Product.objects.filter(shop=shop).exists()


def test_get_by_unknown_sku_is_404(viewer_api, db):
    assert viewer_api.get(f"{LIST}by-sku/NOPE/").status_code == 404


# --- Bulk upsert ------------------------------------------------------------------------------


def test_bulk_upsert_creates_and_updates(editor_api, shop, bottle):
    items = [{"sku": "BOT-1", "price": "21.00"}] + [
        {"sku": f"N-{index}", "title": f"New {index}", "tags": ["bulk"]} for index in range(50)
    ]
    response = editor_api.post(f"{LIST}bulk/", {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 50, "updated": 1}
    bottle.refresh_from_db()
    assert str(bottle.price) == "21.00" and bottle.title == "Steel bottle"
    assert ProductTag.objects.filter(shop=shop, tag="bulk").count() == 50


def test_bulk_upsert_is_all_or_nothing_with_indexed_errors(editor_api, shop, bottle):
    items = [
        {"sku": "OK-1", "title": "Fine"},
        {"sku": "BAD-1", "title": "Bad price", "price": "abc"},
        {"sku": "BOT-1", "title": "Fine update"},
        {"sku": "NEW-2"},  # new product without a title
        {"title": "No SKU"},
        "not an object",
    ]
    response = editor_api.post(f"{LIST}bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    by_index = {item["index"]: item["fields"] for item in error["items"]}
    assert set(by_index) == {1, 4, 5}
    assert "price" in by_index[1] and "sku" in by_index[4]
    assert "nothing was stored" in error["message"]
    assert not Product.objects.filter(sku="OK-1").exists()
    bottle.refresh_from_db()
    assert bottle.title == "Steel bottle"
    # Once the field errors are fixed, the missing title of a new SKU is reported too.
    items = [items[0], items[2], items[3]]
    response = editor_api.post(f"{LIST}bulk/", {"items": items}, format="json")
    assert [item["index"] for item in response.json()["error"]["items"]] == [2]
    assert "title" in response.json()["error"]["items"][0]["fields"]


def test_bulk_upsert_rejects_too_many_items(editor_api, db):
    items = [{"sku": f"S-{index}", "title": "x"} for index in range(1001)]
    response = editor_api.post(f"{LIST}bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    assert "1,000" in response.json()["error"]["fields"]["items"][0]
    assert not Product.objects.exists()


def test_bulk_upsert_needs_a_list(editor_api, db):
    response = editor_api.post(f"{LIST}bulk/", {"items": "nope"}, format="json")
    assert response.status_code == 400
    assert "items" in response.json()["error"]["fields"]
