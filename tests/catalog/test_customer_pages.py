from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.forms import CustomerForm
from catalog.models import Customer, Interaction

LIST = reverse("catalog:customer_list")


def detail_url(customer: Customer) -> str:
    return reverse("catalog:customer_detail", args=[customer.pk])


@pytest.fixture
def ada(shop):
    return services.save_customer(
        shop, {"external_id": "cust-ada", "name": "Ada Lovelace", "email": "ada@example.com"}
    )


@pytest.fixture
def rival_customer(other_shop):
    return services.save_customer(
        other_shop, {"external_id": "cust-secret", "name": "Rival Client", "email": "r@x.com"}
    )


@pytest.fixture
def bottle(shop):
    return services.save_product(shop, {"sku": "BTL-1", "title": "Steel bottle"})


def _external_ids(response) -> list[str]:
    return [customer.external_id for customer in response.context["customers"]]


# --- CustomerForm ---------------------------------------------------------------------------


def test_customer_form_cleans_and_validates(shop, ada):
    form = CustomerForm(
        {"external_id": " c-9\x00 ", "name": "Grace\u202e Hopper", "email": ""}, shop=shop
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"external_id": "c-9", "name": "Grace Hopper", "email": ""}

    taken = CustomerForm({"external_id": "cust-ada"}, shop=shop)
    assert not taken.is_valid()
    assert taken.errors["external_id"] == ["Another customer already has external id 'cust-ada'."]
    assert CustomerForm({"external_id": "cust-ada"}, shop=shop, customer=ada).is_valid()

    bad = CustomerForm({"external_id": "x" * 65, "email": "not-an-email"}, shop=shop)
    assert not bad.is_valid()
    assert bad.errors["external_id"] == ["At most 64 characters (it has 65)."]
    assert bad.errors["email"] == ["Enter a valid email address."]


# --- List -----------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["owner_client", "editor_client", "viewer_client"])
def test_members_see_their_customers_only(request, client_name, ada, rival_customer):
    response = request.getfixturevalue(client_name).get(LIST)
    assert response.status_code == 200
    assert _external_ids(response) == ["cust-ada"]
    assert b"Rival Client" not in response.content


def test_outsider_list_shows_only_their_own_shop(outsider_client, ada, rival_customer):
    response = outsider_client.get(LIST)
    assert _external_ids(response) == ["cust-secret"]
    assert b"Ada Lovelace" not in response.content


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("cust-ada", ["cust-ada"]),
        ("CUST-A", ["cust-ada"]),
        ("lovelace", ["cust-ada"]),
        ("example.org", ["cust-bob"]),
        ("cust-", ["cust-bob", "cust-ada"]),
        ("nobody", []),
    ],
)
def test_customer_search_by_external_id_name_or_email(viewer_client, shop, ada, q, expected):
    services.save_customer(
        shop,
        {
            "external_id": "cust-bob",
            "name": "Bob",
            "email": "bob@example.org",
            "created_at": timezone.now() + timedelta(seconds=1),
        },
    )
    response = viewer_client.get(LIST, {"q": q})
    assert _external_ids(response) == expected


def test_customer_list_htmx_gets_only_the_rows(viewer_client, ada):
    response = viewer_client.get(LIST, {"q": "ada"}, headers={"HX-Request": "true"})
    assert response.templates[0].name == "catalog/_customer_rows.html"
    body = response.content.decode()
    assert "cust-ada" in body and "<html" not in body
    full = viewer_client.get(LIST, {"q": "ada"})
    assert full.templates[0].name == "catalog/customer_list.html"
    assert 'hx-push-url="true"' in full.content.decode()


@pytest.mark.parametrize("rows", [2, 120])
def test_customer_list_queries_do_not_grow_with_rows(
    viewer_client, shop, bottle, rows, django_assert_max_num_queries
):
    services.upsert_customers(shop, [{"external_id": f"c{i}"} for i in range(rows)])
    services.record_interactions(
        shop, [{"customer": f"c{i}", "sku": "BTL-1", "kind": "view"} for i in range(rows)]
    )
    # session, user, memberships, bounded count, rows, interaction counts
    with django_assert_max_num_queries(7):
        response = viewer_client.get(LIST)
    assert all(customer.interaction_total == 1 for customer in response.context["customers"])
    with django_assert_max_num_queries(7):
        viewer_client.get(LIST, {"q": "c1"})


def test_customer_list_paginates(viewer_client, shop):
    services.upsert_customers(shop, [{"external_id": f"c{i:03}"} for i in range(70)])
    first = viewer_client.get(LIST)
    assert len(_external_ids(first)) == 50 and first.context["page"].has_next()
    second = viewer_client.get(LIST, {"page": 2})
    assert len(_external_ids(second)) == 20
    assert set(_external_ids(first)).isdisjoint(_external_ids(second))


# --- Detail ---------------------------------------------------------------------------------


def test_detail_shows_personal_data_and_interaction_history(viewer_client, shop, ada, bottle):
    services.record_interactions(
        shop,
        [
            {"customer": "cust-ada", "sku": "BTL-1", "kind": "view"},
            {"customer": "cust-ada", "sku": "BTL-1", "kind": "purchase", "value": "19.90"},
        ],
    )
    response = viewer_client.get(detail_url(ada))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lovelace" in body and "ada@example.com" in body
    assert "Steel bottle" in body and "19.90" in body and "Purchase" in body
    assert "recommendations/_customer_panel.html" in {t.name for t in response.templates}


def test_interaction_history_is_paginated_newest_first(
    viewer_client, shop, ada, bottle, django_assert_max_num_queries
):
    now = timezone.now()
    Interaction.objects.bulk_create(
        [
            Interaction(
                shop=shop,
                customer=ada,
                product=bottle,
                kind="view",
                quantity=i + 1,
                occurred_at=now - timedelta(minutes=i),
            )
            for i in range(60)
        ]
    )
    with django_assert_max_num_queries(7):
        first = viewer_client.get(detail_url(ada))
    quantities = [interaction.quantity for interaction in first.context["interactions"]]
    assert quantities == list(range(1, 26))
    third = viewer_client.get(detail_url(ada), {"page": 3})
    assert [i.quantity for i in third.context["interactions"]] == list(range(51, 61))
    assert "Page 3 of 3" in third.content.decode()


def test_personal_data_is_escaped(viewer_client, shop):
    customer = services.save_customer(
        shop, {"external_id": "x1", "name": "<img src=x onerror=alert(1)>"}
    )
    body = viewer_client.get(detail_url(customer)).content.decode()
    assert "<img src=x" not in body and "&lt;img src=x" in body


def test_outsider_gets_404_for_another_shops_customer(outsider_client, ada):
    assert outsider_client.get(detail_url(ada)).status_code == 404
    assert outsider_client.get(detail_url(ada), {"page": 2}).status_code == 404


def test_anonymous_is_sent_to_login(client, ada):
    for url in (LIST, detail_url(ada)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
