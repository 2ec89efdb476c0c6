import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.urls import reverse

from catalog.csv_io.columns import CUSTOMERS, INTERACTIONS, PRODUCTS
from catalog.models import Customer, Interaction, JobStatus, Product
from catalog.services import record_interactions, save_customer, save_product
from tests.catalog.csv_helpers import SAMPLES, import_now

PRODUCT_FIELDS = [column for column in PRODUCTS.columns]


def download(client, name: str, **params) -> tuple[StreamingHttpResponse, str]:
    response = client.get(reverse(f"catalog:export_{name}"), params)
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content).decode("utf-8")


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def product_facts(shop) -> dict:
    return {
        product["sku"]: product
        for product in Product.objects.for_shop(shop).values(*PRODUCT_FIELDS)
    }


def test_products_export_is_a_streamed_csv_with_the_import_columns(viewer_client, shop):
    save_product(shop, {"sku": "A-1", "title": "Mug", "price": Decimal("12.5"), "tags": ["coffee"]})
    response, text = download(viewer_client, "products")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="acme-products-' in response["Content-Disposition"]
    assert text.startswith("\ufeff")  # so spreadsheets open it as UTF-8
    rows = rows_of(text)
    assert list(rows[0]) == list(PRODUCTS.columns)
    assert (rows[0]["sku"], rows[0]["price"], rows[0]["tags"]) == ("A-1", "12.50", "coffee")


def test_customers_and_interactions_exports_have_the_import_columns(editor_client, shop):
    save_product(shop, {"sku": "A-1", "title": "Mug"})
    record_interactions(shop, [{"customer": "C1", "sku": "A-1", "kind": "view"}])
    _, customers = download(editor_client, "customers")
    _, interactions = download(editor_client, "interactions")
    assert list(rows_of(customers)[0]) == list(CUSTOMERS.columns)
    assert list(rows_of(interactions)[0]) == list(INTERACTIONS.columns)
    assert rows_of(interactions)[0]["customer_id"] == "C1"


def test_products_round_trip_export_then_import_gives_the_same_catalog(
    owner_client, shop, other_shop
):
    import_now(shop, "products", (SAMPLES / "products.csv").read_bytes())
    save_product(
        shop,
        {
            "sku": "ODD-1",
            "title": "=cmd|' /C calc'!A0",
            "attributes": {"fit; size": "a=b", "material": "steel"},
            "tags": ["a|b", "c"],
            "bullet_points": ["pipes | inside", "[bracket] first"],
            "description": "-5 degrees\nsecond line",
        },
    )
    _, text = download(owner_client, "products")
    job = import_now(other_shop, "products", text.encode())
    assert job.status == JobStatus.SUCCEEDED, job.result
    original, copy = product_facts(shop), product_facts(other_shop)
    assert len(copy) == 42
    assert copy == original


def test_interactions_round_trip(owner_client, shop, other_shop):
    for target in (shop, other_shop):
        import_now(target, "products", (SAMPLES / "products.csv").read_bytes())
    import_now(shop, "interactions", (SAMPLES / "interactions.csv").read_bytes())
    _, text = download(owner_client, "interactions")
    job = import_now(other_shop, "interactions", text.encode())
    assert job.status == JobStatus.SUCCEEDED, job.result

    def facts(target):
        return sorted(
            Interaction.objects.for_shop(target).values_list(
                "customer__external_id", "product__sku", "kind", "quantity", "value", "occurred_at"
            )
        )

    assert len(facts(other_shop)) == 60
    assert facts(other_shop) == facts(shop)


def test_customers_round_trip(owner_client, shop, other_shop):
    import_now(shop, "customers", (SAMPLES / "customers.csv").read_bytes())
    _, text = download(owner_client, "customers")
    import_now(other_shop, "customers", text.encode())

    def facts(target):
        return sorted(Customer.objects.for_shop(target).values_list(*CUSTOMERS.columns))

    assert len(facts(other_shop)) == 20 and facts(other_shop) == facts(shop)


def test_formula_cells_are_neutralised_in_the_export(owner_client, shop):
    save_product(
        shop,
        {
            "sku": "EVIL-1",
            "title": '=HYPERLINK("http://x")',
            "brand": "+1",
            "seo_title": "@SUM(A1)",
        },
    )
    save_customer(shop, {"external_id": "C1", "name": "-2+3"})
    _, products = download(owner_client, "products")
    _, customers = download(owner_client, "customers")
    row = rows_of(products)[0]
    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert row["brand"] == "'+1" and row["seo_title"] == "'@SUM(A1)"
    assert rows_of(customers)[0]["name"] == "'-2+3"


def test_outsider_export_holds_only_their_own_shop(outsider_client, shop, other_shop):
    save_product(shop, {"sku": "OURS-1", "title": "Ours"})
    save_product(other_shop, {"sku": "THEIRS-1", "title": "Theirs"})
    record_interactions(shop, [{"customer": "C-OURS", "sku": "OURS-1", "kind": "view"}])
    save_customer(shop, {"external_id": "C-SECRET", "email": "secret@example.com"})
    for name in ("products", "customers", "interactions"):
        _, text = download(outsider_client, name)
        assert "OURS-1" not in text and "C-OURS" not in text and "secret@" not in text
    _, text = download(outsider_client, "products")
    assert "THEIRS-1" in text


def test_customer_export_needs_the_editor_role(viewer_client, shop):
    save_customer(shop, {"external_id": "C1", "email": "person@example.com"})
    assert viewer_client.get(reverse("catalog:export_customers")).status_code == 403


def test_anonymous_visitor_cannot_export(client, db):
    for name in ("products", "customers", "interactions"):
        response = client.get(reverse(f"catalog:export_{name}"))
        assert response.status_code == 302 and "login" in response["Location"]


def test_export_filters(viewer_client, shop):
    save_product(shop, {"sku": "IN-1", "title": "Tent", "category": "Outdoor > Tents"})
    save_product(shop, {"sku": "OUT-1", "title": "Mug", "stock_status": "out_of_stock"})
    _, text = download(viewer_client, "products", stock_status="out_of_stock")
    assert [row["sku"] for row in rows_of(text)] == ["OUT-1"]
    _, text = download(viewer_client, "products", category="Outdoor")
    assert [row["sku"] for row in rows_of(text)] == ["IN-1"]
    record_interactions(
        shop,
        [
            {
                "customer": "C1",
                "sku": "IN-1",
                "kind": "view",
                "occurred_at": datetime(2024, 1, 5, tzinfo=UTC),
            },
            {
                "customer": "C1",
                "sku": "IN-1",
                "kind": "cart",
                "occurred_at": datetime(2024, 3, 5, tzinfo=UTC),
            },
        ],
    )
    _, text = download(viewer_client, "interactions", since="2024-02-01", until="2024-02-31")
    assert [row["kind"] for row in rows_of(text)] == ["cart"]  # a bad date is ignored
    _, text = download(viewer_client, "interactions", kind="view")
    assert [row["kind"] for row in rows_of(text)] == ["view"]


def test_export_query_count_does_not_grow_with_rows(
    owner_client, shop, django_assert_max_num_queries
):
    import_now(shop, "products", (SAMPLES / "products.csv").read_bytes())
    import_now(shop, "interactions", (SAMPLES / "interactions.csv").read_bytes())
    for name in ("products", "interactions", "customers"):
        with django_assert_max_num_queries(8):
            download(owner_client, name)
