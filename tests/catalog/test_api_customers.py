"""Customers API: members see personal data of their own shop only; upsert by external id."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.models import Customer

LIST = "/api/v1/customers/"


@pytest.fixture
def alice(shop) -> Customer:
    return services.save_customer(
        shop, {"external_id": "C-100", "name": "Alice Example", "email": "alice@example.com"}
    )


def test_member_sees_name_and_email(viewer_api, alice):
    data = viewer_api.get(f"{LIST}{alice.pk}/").json()
    assert (data["external_id"], data["name"], data["email"]) == (
        "C-100",
        "Alice Example",
        "alice@example.com",
    )


def test_missing_token_is_401(client, alice):
    response = client.get(f"{LIST}{alice.pk}/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_viewer_cannot_create_customers(viewer_api, shop):
    response = viewer_api.post(LIST, {"external_id": "C-1"}, format="json")
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_editor_creates_and_updates_customer(editor_api, shop):
    response = editor_api.post(
        LIST, {"external_id": "C-1", "email": "c1@example.com"}, format="json"
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = editor_api.patch(f"{LIST}{pk}/", {"name": "Cee One"}, format="json")
    assert response.status_code == 200
    customer = Customer.objects.get(pk=pk)
    assert (customer.shop, customer.name, customer.email) == (shop, "Cee One", "c1@example.com")


def test_duplicate_external_id_and_bad_email_are_field_errors(editor_api, alice):
    response = editor_api.post(
        LIST, {"external_id": "C-100", "email": "not-an-email"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]
    response = editor_api.post(LIST, {"external_id": "C-100"}, format="json")
    assert response.status_code == 400
    assert "C-100" in response.json()["error"]["fields"]["external_id"][0]


def test_outsider_gets_404_on_every_detail_route(outsider_api, alice):
    url = f"{LIST}{alice.pk}/"
    for response in (
        outsider_api.get(url),
        outsider_api.patch(url, {"name": "Mallory"}, format="json"),
        outsider_api.put(url, {"external_id": "C-100", "name": "Mallory"}, format="json"),
        outsider_api.delete(url),
        outsider_api.get(f"{LIST}by-external-id/C-100/"),
    ):
        assert response.status_code == 404
    alice.refresh_from_db()
    assert alice.name == "Alice Example"


def test_outsider_upsert_never_touches_another_shops_customer(outsider_api, alice, other_shop):
    response = outsider_api.put(
        f"{LIST}by-external-id/C-100/", {"name": "Their own"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["email"] == ""  # nothing of Alice's shows through
    alice.refresh_from_db()
    assert alice.name == "Alice Example"
    assert Customer.objects.get(shop=other_shop, external_id="C-100").name == "Their own"


def test_outsider_list_never_shows_other_shops_customers(outsider_api, alice):
    data = outsider_api.get(LIST, {"search": "alice"}).json()
    assert data["count"] == 0
    assert outsider_api.get(LIST).json()["results"] == []


def test_upsert_by_external_id_creates_then_updates(editor_api, shop):
    url = f"{LIST}by-external-id/C-9/"
    assert editor_api.put(url, {"name": "Nine"}, format="json").status_code == 201
    response = editor_api.put(url, {"email": "nine@example.com"}, format="json")
    assert response.status_code == 200
    customer = Customer.objects.get(shop=shop, external_id="C-9")
    assert (customer.name, customer.email) == ("Nine", "nine@example.com")
    assert editor_api.get(url).json()["id"] == customer.pk


def test_list_search_and_pagination(viewer_api, shop, alice):
    for index in range(4):
        services.save_customer(shop, {"external_id": f"C-{index}"})
    data = viewer_api.get(LIST, {"page_size": 2}).json()
    assert data["count"] == 5 and len(data["results"]) == 2 and data["next"]
    assert [
        row["external_id"] for row in viewer_api.get(LIST, {"search": "alice"}).json()["results"]
    ] == ["C-100"]


def test_bulk_upsert_customers_all_or_nothing(editor_api, shop, alice):
    items = [
        {"external_id": "C-100", "name": "Alice E."},
        {"external_id": "C-200", "email": "bad"},
        {"name": "no id"},
    ]
    response = editor_api.post(f"{LIST}bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    assert [item["index"] for item in response.json()["error"]["items"]] == [1, 2]
    alice.refresh_from_db()
    assert alice.name == "Alice Example"
    items[1]["email"] = "c200@example.com"
    response = editor_api.post(f"{LIST}bulk/", {"items": items[:2]}, format="json")
    assert response.json() == {"created": 1, "updated": 1}
    alice.refresh_from_db()
    assert alice.name == "Alice E." and alice.email == "alice@example.com"


@pytest.mark.parametrize("rows", [2, 30])
def test_list_query_count_does_not_grow_with_rows(
    viewer_api, shop, rows, django_assert_max_num_queries
):
    for index in range(rows):
        services.save_customer(shop, {"external_id": f"Q-{index}"})
    with django_assert_max_num_queries(5):
        assert viewer_api.get(LIST, {"page_size": 100}).json()["count"] == rows
