from decimal import Decimal

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Customer, Interaction, Product

LIST = reverse("catalog:product_list")
CREATE = reverse("catalog:product_create")


def make_product(shop, sku: str, **fields) -> Product:
    fields.setdefault("title", f"Product {sku}")
    return services.save_product(shop, {"sku": sku, **fields})


def form_data(**overrides) -> dict:
    data = {
        "sku": "BTL-750",
        "title": "Trail bottle 750 ml",
        "brand": "Acme",
        "category": "Kitchen>Drinkware >  Bottles",
        "price": "24.90",
        "currency": "eur",
        "stock_status": "in_stock",
        "attributes": "material: stainless steel\ncapacity: 750 ml\n\ncolour: blue",
        "tags": "Outdoor, gift, outdoor",
        "image_url": "https://img.example.com/btl.jpg",
        "description": "Keeps water cold.",
        "bullet_points": "- Leak-proof lid\n\n* Fits cup holders",
        "seo_title": "Trail bottle",
        "meta_description": "A steel bottle.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def bottle(shop):
    return make_product(
        shop,
        "BTL-1",
        title="Steel bottle",
        brand="Acme",
        category="Kitchen > Drinkware > Bottles",
        price=Decimal("20.00"),
        attributes={"material": "steel"},
        tags=["outdoor"],
        description="Cold for 24 hours.",
        bullet_points=["Leak-proof"],
    )


@pytest.fixture
def rival_product(other_shop):
    return make_product(other_shop, "RIV-1", title="Rival secret kettle")


# --- List -----------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["owner_client", "editor_client", "viewer_client"])
def test_members_see_the_product_list(request, client_name, bottle, rival_product):
    response = request.getfixturevalue(client_name).get(LIST)
    assert response.status_code == 200
    assert b"Steel bottle" in response.content
    assert b"Rival secret kettle" not in response.content
    assert response.templates[0].name == "catalog/product_list.html"


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_outsider_list_shows_only_their_own_shop(outsider_client, bottle, rival_product):
    response = outsider_client.get(LIST)
    assert b"Rival secret kettle" in response.content
    assert b"Steel bottle" not in response.content


def _titles(response) -> list[str]:
    return [product.title for product in response.context["products"]]


@pytest.fixture
def assorted(shop):
    rows = [
        (
            "A-1",
            "Alpine jacket",
            "Northwind",
            "Clothing > Jackets",
            "120.00",
            "in_stock",
            ["winter"],
        ),
        ("A-2", "Beach towel", "Sunny", "Home > Bath", "15.00", "out_of_stock", ["summer"]),
        ("A-3", "Camp stove", "Northwind", "Outdoor > Cooking", "60.00", "low_stock", ["camp"]),
        ("A-4", "Down vest", "Acme", "Clothing", "80.00", "in_stock", ["winter", "camp"]),
        ("A-5", "Clothing rack", "Acme", "Clothing racks", "40.00", "in_stock", []),
    ]
    for sku, title, brand, category, price, status, tags in rows:
        make_product(
            shop,
            sku,
            title=title,
            brand=brand,
            category=category,
            price=Decimal(price),
            stock_status=status,
            tags=tags,
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=northwind&sort=title", ["Alpine jacket", "Camp stove"]),
        ("q=a-4", ["Down vest"]),
        ("q=TOWEL", ["Beach towel"]),
        ("category=Clothing&sort=title", ["Alpine jacket", "Down vest"]),
        ("category=Clothing>Jackets", ["Alpine jacket"]),
        ("status=in_stock&sort=price", ["Clothing rack", "Down vest", "Alpine jacket"]),
        ("tag=camp&sort=-price", ["Down vest", "Camp stove"]),
        ("tag=Winter&category=Clothing&status=in_stock&sort=title", ["Alpine jacket", "Down vest"]),
        (
            "sort=-title",
            ["Down vest", "Clothing rack", "Camp stove", "Beach towel", "Alpine jacket"],
        ),
        ("sort=bogus&status=nonsense&q=", None),
    ],
)
def test_product_list_searches_filters_and_sorts(viewer_client, assorted, query, expected):
    response = viewer_client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    if expected is None:  # unknown values fall back to everything, recently updated first
        assert _titles(response)[0] == "Clothing rack" and len(_titles(response)) == 5
    else:
        assert _titles(response) == expected


@pytest.mark.parametrize("common_tag_threshold", [1, 2_000])
def test_tag_filter_gives_the_same_rows_whether_the_tag_is_common_or_rare(
    viewer_client, assorted, monkeypatch, common_tag_threshold
):
    from catalog.views import products

    monkeypatch.setattr(products, "COMMON_TAG", common_tag_threshold)
    response = viewer_client.get(f"{LIST}?tag=winter&sort=title")
    assert _titles(response) == ["Alpine jacket", "Down vest"]


def test_category_filter_does_not_match_a_sibling_that_shares_a_prefix(viewer_client, assorted):
    response = viewer_client.get(f"{LIST}?category=Clothing")
    assert "Clothing rack" not in _titles(response)


def test_sort_by_updated_puts_the_last_edit_first(editor_client, shop, assorted):
    towel = Product.objects.get(shop=shop, sku="A-2")
    services.save_product(shop, {"title": "Beach towel XL"}, product=towel)
    assert _titles(editor_client.get(f"{LIST}?sort=-updated"))[0] == "Beach towel XL"
    assert _titles(editor_client.get(f"{LIST}?sort=updated"))[-1] == "Beach towel XL"


def test_htmx_request_gets_only_the_table_rows(viewer_client, assorted):
    response = viewer_client.get(f"{LIST}?q=towel", headers={"HX-Request": "true"})
    names = [t.name for t in response.templates]
    # The rows partial and what it includes (pagination, other apps' panels), never the page.
    assert names[0] == "catalog/_product_rows.html" and "_pagination.html" in names
    assert "catalog/product_list.html" not in names and "base.html" not in names
    body = response.content.decode()
    assert "Beach towel" in body and "<html" not in body and "<form" not in body
    assert "HX-Request" in response["Vary"]


def test_full_page_has_the_htmx_filter_form(viewer_client, assorted):
    body = viewer_client.get(LIST).content.decode()
    assert 'hx-get="/products/"' in body and 'hx-push-url="true"' in body
    assert 'id="product-rows"' in body and "Alpine jacket" in body


def test_history_restore_gets_the_full_page(viewer_client, assorted):
    response = viewer_client.get(
        LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert response.templates[0].name == "catalog/product_list.html"


def test_product_list_paginates(viewer_client, shop):
    services.upsert_products(
        shop, [{"sku": f"P{i:03}", "title": f"Item {i:03}"} for i in range(120)]
    )
    first = viewer_client.get(f"{LIST}?sort=title")
    assert _titles(first)[0] == "Item 000" and len(_titles(first)) == 50
    assert "Page 1 of 3" in first.content.decode()
    last = viewer_client.get(f"{LIST}?sort=title&page=3")
    assert _titles(last) == [f"Item {i:03}" for i in range(100, 120)]
    assert not last.context["page"].has_next()
    # Past the end or garbage: the nearest real page.
    assert viewer_client.get(f"{LIST}?sort=title&page=99").context["page"].number == 3
    assert viewer_client.get(f"{LIST}?page=abc").context["page"].number == 1


def test_product_list_over_the_count_cap_says_more_than(viewer_client, shop, monkeypatch):
    from catalog.views import products

    monkeypatch.setattr(products, "COUNT_CAP_ALL", 60)
    services.upsert_products(shop, [{"sku": f"P{i:03}", "title": f"I{i}"} for i in range(120)])
    response = viewer_client.get(LIST)
    body = response.content.decode()
    assert response.context["page"].paginator.count is None
    assert "of more than 60" in body and "Next" in body
    page3 = viewer_client.get(f"{LIST}?page=3")
    assert len(page3.context["products"]) == 20 and not page3.context["page"].has_next()


@pytest.mark.parametrize("rows", [3, 150])
def test_product_list_queries_do_not_grow_with_rows(
    viewer_client, shop, rows, django_assert_max_num_queries
):
    services.upsert_products(
        shop,
        [{"sku": f"S{i}", "title": f"T{i}", "tags": ["a", "b"]} for i in range(rows)],
    )
    # session, user, membership, tag frequency, rows, bounded count, the shop switcher
    with django_assert_max_num_queries(7):
        viewer_client.get(f"{LIST}?tag=a&category=X&q=T&status=in_stock&sort=price")
    with django_assert_max_num_queries(6):
        viewer_client.get(LIST)


def test_user_text_is_escaped_in_the_list(viewer_client, shop):
    make_product(shop, "XSS", title="<script>alert(1)</script>", tags=["<b>x</b>"])
    body = viewer_client.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<b>x</b>" not in body


# --- Detail ---------------------------------------------------------------------------------


def test_detail_shows_facts_copy_tags_and_interaction_count(viewer_client, shop, bottle):
    customer = Customer.objects.create(shop=shop, external_id="c1")
    for kind in ("view", "view", "purchase"):
        Interaction.objects.create(shop=shop, customer=customer, product=bottle, kind=kind)
    response = viewer_client.get(reverse("catalog:product_detail", args=[bottle.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Steel bottle",
        "material",
        "steel",
        "Cold for 24 hours.",
        "Leak-proof",
        "outdoor",
    ):
        assert text in body
    assert response.context["interaction_total"] == 3
    assert response.context["interactions_by_kind"] == {"view": 2, "purchase": 1}
    # Viewers get no edit links.
    assert reverse("catalog:product_edit", args=[bottle.pk]) not in body


def test_detail_page_includes_the_generation_and_recommendation_panels(viewer_client, bottle):
    response = viewer_client.get(reverse("catalog:product_detail", args=[bottle.pk]))
    names = {t.name for t in response.templates}
    assert {"generation/_product_panel.html", "recommendations/_product_panel.html"} <= names


def test_editor_sees_edit_and_delete_links(editor_client, bottle):
    body = editor_client.get(reverse("catalog:product_detail", args=[bottle.pk])).content.decode()
    assert reverse("catalog:product_edit", args=[bottle.pk]) in body
    assert reverse("catalog:product_delete", args=[bottle.pk]) in body


# --- Create, edit, delete ---------------------------------------------------------------------


def test_editor_creates_a_product(editor_client, shop):
    response = editor_client.post(CREATE, form_data())
    product = Product.objects.get(shop=shop, sku="BTL-750")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:product_detail", args=[product.pk])
    assert product.attributes == {
        "material": "stainless steel",
        "capacity": "750 ml",
        "colour": "blue",
    }
    assert product.tags == ["outdoor", "gift"]
    assert sorted(product.tag_rows.values_list("tag", flat=True)) == ["gift", "outdoor"]
    assert product.currency == "EUR" and product.price == Decimal("24.90")


def test_create_form_shows_per_line_errors_and_keeps_the_input(editor_client, shop):
    response = editor_client.post(CREATE, form_data(attributes="material: steel\ncolour blue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Line 2: expected &quot;key: value&quot;, got &quot;colour blue&quot;." in body
    assert "material: steel" in body
    assert not Product.objects.filter(shop=shop).exists()


def test_create_page_prefills_the_shop_currency(editor_client):
    response = editor_client.get(CREATE)
    assert response.status_code == 200
    assert response.context["form"]["currency"].value() == "EUR"


def test_editor_edits_a_product_and_form_shows_current_values(editor_client, shop, bottle):
    url = reverse("catalog:product_edit", args=[bottle.pk])
    form = editor_client.get(url).context["form"]
    assert form["attributes"].value() == "material: steel"
    assert form["tags"].value() == "outdoor"
    body = editor_client.get(url).content.decode()
    assert "material: steel" in body
    response = editor_client.post(
        url, form_data(sku="BTL-1", title="Steel bottle 2", tags="", attributes="")
    )
    assert response.status_code == 302
    bottle.refresh_from_db()
    assert bottle.title == "Steel bottle 2" and bottle.tags == [] and bottle.attributes == {}
    assert not bottle.tag_rows.exists()


def test_edit_refuses_a_sku_of_another_product(editor_client, shop, bottle):
    make_product(shop, "OTHER")
    url = reverse("catalog:product_edit", args=[bottle.pk])
    response = editor_client.post(url, form_data(sku="OTHER"))
    assert response.status_code == 200
    assert "Another product already has SKU" in response.content.decode()


def test_viewer_cannot_create_edit_or_delete(viewer_client, bottle):
    assert viewer_client.get(CREATE).status_code == 403
    assert viewer_client.post(CREATE, form_data()).status_code == 403
    edit = reverse("catalog:product_edit", args=[bottle.pk])
    delete = reverse("catalog:product_delete", args=[bottle.pk])
    assert viewer_client.post(edit, form_data(sku="BTL-1", title="Hacked")).status_code == 403
    assert viewer_client.post(delete).status_code == 403
    bottle.refresh_from_db()
    assert bottle.title == "Steel bottle"


def test_delete_asks_first_and_deletes_only_on_post(editor_client, shop, bottle):
    url = reverse("catalog:product_delete", args=[bottle.pk])
    response = editor_client.get(url)
    assert response.status_code == 200 and "cannot be undone" in response.content.decode()
    assert Product.objects.filter(pk=bottle.pk).exists()
    response = editor_client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Product.objects.filter(pk=bottle.pk).exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("catalog:product_detail", "get"),
        ("catalog:product_edit", "get"),
        ("catalog:product_edit", "post"),
        ("catalog:product_delete", "get"),
        ("catalog:product_delete", "post"),
    ],
)
def test_outsider_gets_404_for_another_shops_product(outsider_client, bottle, name, method):
    url = reverse(name, args=[bottle.pk])
    response = getattr(outsider_client, method)(url, form_data(sku="STOLEN", title="Stolen"))
    assert response.status_code == 404
    bottle.refresh_from_db()
    assert bottle.title == "Steel bottle"


def test_missing_product_is_404(viewer_client, shop):
    assert viewer_client.get(reverse("catalog:product_detail", args=[999999])).status_code == 404


def test_a_result_that_fits_on_one_page_is_not_counted_separately(viewer_client, assorted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(f"{LIST}?q=nothing-matches")
    assert response.context["page"].paginator.count == 0
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
    assert "No product matches these filters." in response.content.decode()


@pytest.mark.django_db
def test_postgresql_serves_text_search_from_trigram_indexes():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'catalog_product'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"catalog_product_title_trgm", "catalog_product_brand_trgm"} <= names
    assert "catalog_product_sku_upper" in names
