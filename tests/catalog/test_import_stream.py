"""Streamed CSV imports: uploads in pieces, bulk writes, keeping good rows, limits, the API
endpoint and the command; and the API product list's capped count."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.csv_io import imports, uploads
from catalog.models import Customer, Interaction, Job, JobStatus, Product, Upload
from catalog.pagination import CappedCountPagination
from catalog.services import save_product, upsert_products
from catalog.tasks import run_import_job
from tests.catalog.csv_helpers import csv_file, import_now

IMPORT_API = "/api/v1/jobs/import-csv/"


def interactions_csv(rows: list[str]) -> str:
    return "customer_id,sku,kind,quantity,value,occurred_at\n" + "\n".join(rows) + "\n"


def lines_of(job: Job) -> list[int]:
    return [row_error["line"] for row_error in job.result["row_errors"]]


@pytest.fixture
def mugs(shop):
    upsert_products(shop, [{"sku": f"MUG-{n}", "title": f"Mug {n}"} for n in range(3)])


# --- Pieces -----------------------------------------------------------------------------------


def test_upload_is_stored_in_pieces_and_read_back_across_their_edges(shop, mugs, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOAD_PIECE_BYTES", 50)
    monkeypatch.setattr(imports, "INTERACTION_BATCH_SIZE", 7)
    # "é" is two bytes: with 50-byte pieces some land split across two pieces.
    rows = [f"clé-{n},MUG-{n % 3},purchase,1,{n}.50,2024-05-0{1 + n % 9}" for n in range(40)]
    text = interactions_csv(rows)
    job = imports.create_import_job(shop, "interactions", csv_file(text))
    pieces = Upload.objects.filter(pk__in=job.params["upload_ids"]).order_by("pk")
    assert len(pieces) == -(-len(text.encode()) // 50) > 10
    assert b"".join(bytes(piece.content) for piece in pieces) == text.encode()

    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    values = sorted(Interaction.objects.for_shop(shop).values_list("value", flat=True))
    assert values == [Decimal(f"{n}.50") for n in range(40)]
    assert set(Customer.objects.for_shop(shop).values_list("external_id", flat=True)) == {
        f"clé-{n}" for n in range(40)
    }
    assert (job.progress_done, job.progress_total) == (40, 40)
    assert not Upload.objects.exists()  # every piece is dropped once imported


def test_bad_byte_in_a_later_piece_is_reported_on_its_line(shop, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOAD_PIECE_BYTES", 16)
    text = "sku,title\n" + "".join(f"A-{n},Mug {n}\n" for n in range(10))
    content = text.encode() + "B-1,Caf\u00e9\n".encode("latin-1")
    job = import_now(shop, "products", content)
    assert job.status == JobStatus.FAILED
    assert "not UTF-8" in job.error and "line 12" in job.error and "0xE9" in job.error
    assert not Product.objects.exists()


# --- All or nothing, and keeping the good rows -------------------------------------------------


def test_bad_row_after_several_written_batches_stores_nothing(shop, mugs, monkeypatch):
    monkeypatch.setattr(imports, "INTERACTION_BATCH_SIZE", 2)
    rows = [f"C{n},MUG-1,view,,," for n in range(9)] + ["C9,NOPE,view,,,"]
    job = import_now(shop, "interactions", interactions_csv(rows))
    assert job.status == JobStatus.FAILED and lines_of(job) == [11]
    assert not Interaction.objects.exists() and not Customer.objects.exists()


def test_keep_good_rows_imports_them_and_lists_the_bad_ones(shop, mugs):
    rows = [
        "C1,MUG-1,purchase,2,19.90,2024-05-31T14:05:00Z",
        "C2,NOPE,view,,,",  # unknown SKU
        "C3,MUG-2,teleport,,,",  # unknown kind
        "C4,MUG-2,rating,,9,",  # rating out of range
        "C5,MUG-0,view,,,",
    ]
    job = imports.create_import_job(
        shop, "interactions", csv_file(interactions_csv(rows)), keep_good_rows=True
    )
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert lines_of(job) == [3, 4, 5] and job.result["error_count"] == 3
    assert "NOPE" in job.result["row_errors"][0]["error"]
    assert "kind" in job.result["row_errors"][1]["error"]
    assert "skipped" in job.result["summary"] and job.result["imported"] == 2
    stored = Interaction.objects.for_shop(shop).select_related("customer", "product")
    assert sorted((i.customer.external_id, i.product.sku) for i in stored) == [
        ("C1", "MUG-1"),
        ("C5", "MUG-0"),
    ]
    assert (job.progress_done, job.progress_total) == (2, 2)


def test_keep_good_rows_skips_a_repeated_sku_and_keeps_the_first(shop):
    text = "sku,title,price\nA 1,Mug,1.50\nA 1,Other mug,2\nB-2,Cup,0.0125\n"
    job = imports.create_import_job(shop, "products", csv_file(text), keep_good_rows=True)
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert lines_of(job) == [3] and "already on line 2" in job.result["row_errors"][0]["error"]
    products = dict(Product.objects.for_shop(shop).values_list("sku", "title"))
    assert products == {"A 1": "Mug", "B-2": "Cup"}
    assert Product.objects.get(shop=shop, sku="B-2").price == Decimal("0.0125")


def test_keep_good_rows_with_no_good_row_fails(shop):
    job = imports.create_import_job(
        shop, "products", csv_file("sku,title\nA-1,\nA-2,\n"), keep_good_rows=True
    )
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and lines_of(job) == [2, 3]


def test_interaction_row_limit_has_its_own_setting(shop, mugs, settings):
    settings.SHOPLLM_MAX_INTERACTION_IMPORT_ROWS = 3
    job = import_now(
        shop, "interactions", interactions_csv([f"C{n},MUG-1,view,,," for n in range(4)])
    )
    assert job.status == JobStatus.FAILED
    assert "more than 3 rows" in job.error and "SHOPLLM_MAX_INTERACTION_IMPORT_ROWS" in job.error
    assert not Interaction.objects.exists()


def test_bad_rows_of_every_kind_are_listed_by_line_in_order(shop, mugs):
    # Misshapen (reader), refused by the rule, unknown SKU: on PostgreSQL three different
    # checks find them, and the report still lists them in line order.
    rows = [
        "C1,MUG-1,view,,,",
        "C2,MUG-9,view,,,",  # line 3: unknown SKU
        "C3,MUG-1,view,,",  # line 4: a cell short
        "C4,MUG-1,teleport,,,",  # line 5: unknown kind
        "C5,MUG-0,purchase,0,,",  # line 6: quantity below 1
        "C6,NOPE,view,,,",  # line 7: unknown SKU
        "C7,MUG-2,view,,,",
    ]
    job = import_now(shop, "interactions", interactions_csv(rows))
    assert job.status == JobStatus.FAILED
    assert lines_of(job) == [3, 4, 5, 6, 7] and job.result["error_count"] == 5
    errors = [row_error["error"] for row_error in job.result["row_errors"]]
    assert "MUG-9" in errors[0] and "5 cells" in errors[1] and "kind" in errors[2]
    assert "quantity" in errors[3] and "'NOPE'" in errors[4]
    assert not Interaction.objects.exists() and not Customer.objects.exists()

    job = imports.create_import_job(
        shop, "interactions", csv_file(interactions_csv(rows)), keep_good_rows=True
    )
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert lines_of(job) == [3, 4, 5, 6, 7] and job.result["imported"] == 2
    stored = Interaction.objects.for_shop(shop).values_list("customer__external_id", flat=True)
    assert sorted(stored) == ["C1", "C7"]
    assert sorted(Customer.objects.for_shop(shop).values_list("external_id", flat=True)) == [
        "C1",
        "C7",
    ]


def test_cells_to_clean_are_stored_as_the_rule_reads_them(shop, mugs, settings):
    # Plain cells are read by SQL casts on PostgreSQL, the others by the rule: both must agree.
    settings.TIME_ZONE = "UTC"
    header = "customer_id,sku,kind,quantity,value,occurred_at,recommendation_ref\n"
    text = header + (
        "C1,MUG-1,purchase,2,19.9,2024-05-31T14:05:00Z,rec-1\n"  # plain
        '" C2 ",MUG-1,VIEW,01,,2024-05-31 14:05,\n'  # spaces, upper case, leading zero
        "'=C3,MUG-2,rating,,4.50,2024-02-29T23:59:59+02:00,\n"  # formula guard, 29 February
        "C4,MUG-0,cart,,,2024-05-31,\n"  # a date alone: midnight
        "C5,MUG-0,view,,,,\n"  # no time: now
        "C\x006,MUG-0,view,,,,\n"  # a NUL character (PostgreSQL text cannot hold one)
    )
    before = timezone.now()
    job = import_now(shop, "interactions", text)
    assert job.status == JobStatus.SUCCEEDED, job.result
    stored = {
        i.customer.external_id: i
        for i in Interaction.objects.for_shop(shop).select_related("customer", "product")
    }
    assert sorted(stored) == ["=C3", "C1", "C2", "C4", "C5", "C6"]
    first, second, third, fourth = stored["C1"], stored["C2"], stored["=C3"], stored["C4"]
    assert (first.product.sku, first.kind, first.quantity, first.value) == (
        "MUG-1",
        "purchase",
        2,
        Decimal("19.90"),
    )
    assert first.recommendation_ref == "rec-1" and second.recommendation_ref == ""
    assert first.occurred_at == datetime(2024, 5, 31, 14, 5, tzinfo=UTC)
    assert (second.kind, second.quantity, second.value) == ("view", 1, None)
    assert second.occurred_at == datetime(2024, 5, 31, 14, 5, tzinfo=UTC)
    assert (third.kind, third.value) == ("rating", Decimal("4.50"))
    assert third.occurred_at == datetime(2024, 2, 29, 21, 59, 59, tzinfo=UTC)
    assert fourth.occurred_at == datetime(2024, 5, 31, tzinfo=UTC)
    assert stored["C5"].occurred_at >= before


def test_import_never_reuses_another_shops_customer(shop, other_shop, mugs):
    rival = Customer.objects.create(shop=other_shop, external_id="C1")
    job = import_now(shop, "interactions", interactions_csv(["C1,MUG-1,view,,,"]))
    assert job.status == JobStatus.SUCCEEDED, job.result
    interaction = Interaction.objects.get()
    assert interaction.shop == shop and interaction.customer.shop == shop
    assert interaction.customer != rival and not rival.interactions.exists()


# --- Real-shop values and bulk lookups ---------------------------------------------------------


def test_sku_with_spaces_and_three_decimal_price_import_end_to_end(shop):
    job = import_now(shop, "products", 'sku,title,price\n"  AB  12 ",Mug,19.999\n')
    assert job.status == JobStatus.SUCCEEDED, job.result
    product = Product.objects.get(shop=shop)
    assert (product.sku, product.price) == ("AB 12", Decimal("19.999"))
    assert str(product.price) == "19.999"
    save_product(shop, {"sku": "C-1", "title": "Cup", "price": "24.9"})
    assert str(Product.objects.get(shop=shop, sku="C-1").price) == "24.90"


def _queries_to_import(shop, rows: int) -> int:
    text = interactions_csv([f"N{rows}-{n},MUG-{n % 3},view,,," for n in range(rows)])
    job = imports.create_import_job(shop, "interactions", csv_file(text))
    with CaptureQueriesContext(connection) as queries:
        run_import_job(job.pk)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    return len(queries)


def test_customers_and_products_are_looked_up_per_batch_not_per_row(shop, mugs):
    # New customers each time: one query for the batch's ids, one insert, one query again.
    # (SQLite splits a bulk insert by its 999-parameter limit: a few statements more, not 395.)
    few, many = _queries_to_import(shop, 5), _queries_to_import(shop, 400)
    assert many <= few + (10 if connection.vendor == "sqlite" else 0)
    assert Interaction.objects.for_shop(shop).count() == 405


# --- The page, the API and the command -----------------------------------------------------------


def test_page_checkbox_asks_to_keep_the_good_rows(editor_client, shop):
    page = editor_client.get(reverse("catalog:import_csv"))
    assert b'name="keep_good_rows"' in page.content
    response = editor_client.post(
        reverse("catalog:import_csv"),
        {"kind": "products", "file": csv_file("sku,title\nA-1,Mug\n"), "keep_good_rows": "on"},
    )
    assert response.status_code == 302
    assert Job.objects.get(shop=shop).params["keep_good_rows"] is True


def test_editor_imports_through_the_api_and_polls_the_job(editor_api, shop, mugs):
    text = interactions_csv(["C1,MUG-1,view,,,", "C2,NOPE,view,,,"])
    response = editor_api.post(
        IMPORT_API,
        {"kind": "interactions", "file": csv_file(text), "keep_good_rows": "true"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.shop == shop and job.params["keep_good_rows"] is True
    run_import_job(job.pk)
    polled = editor_api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert polled["status"] == "succeeded" and polled["result"]["row_errors"][0]["line"] == 3
    assert Interaction.objects.for_shop(shop).count() == 1


def test_api_import_refuses_a_bad_file_with_a_structured_400(editor_api, shop, settings):
    settings.SHOPLLM_MAX_UPLOAD_MB = 1
    big = csv_file("sku,title\n" + "A-1,Mug\n" * 200_000)
    response = editor_api.post(IMPORT_API, {"kind": "products", "file": big}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"] and not Job.objects.exists()


def test_viewer_cannot_import_through_the_api(viewer_api, shop):
    response = viewer_api.post(
        IMPORT_API, {"kind": "products", "file": csv_file("sku,title\nA-1,Mug\n")}
    )
    assert response.status_code == 403 and not Job.objects.exists()


def test_outsider_api_import_lands_in_their_own_shop_only(outsider_api, shop, other_shop, mugs):
    response = outsider_api.post(
        IMPORT_API,
        {"kind": "interactions", "file": csv_file(interactions_csv(["C1,MUG-1,view,,,"]))},
        format="multipart",
    )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.shop == other_shop
    run_import_job(job.pk)
    job.refresh_from_db()
    # MUG-1 is the other shop's product: unknown here, and nothing reaches `shop`.
    assert job.status == JobStatus.FAILED
    assert "Unknown product SKU 'MUG-1'" in job.result["row_errors"][0]["error"]
    assert not Interaction.objects.exists() and not Customer.objects.exists()


def test_outsider_cannot_poll_another_shops_import(outsider_api, editor_api, shop):
    response = editor_api.post(
        IMPORT_API, {"kind": "products", "file": csv_file("sku,title\nA-1,Mug\n")}
    )
    assert outsider_api.get(f"/api/v1/jobs/{response.json()['id']}/").status_code == 404


def test_import_command_keeps_good_rows_and_prints_the_bad_ones(shop, mugs, tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text(interactions_csv(["C1,MUG-1,view,,,", "C2,NOPE,view,,,"]))
    call_command("import_csv", shop.slug, "interactions", str(path), "--keep-good-rows")
    output = capsys.readouterr().out
    assert "Succeeded" in output and "line 3: Unknown product SKU 'NOPE'" in output
    assert Interaction.objects.for_shop(shop).count() == 1


def test_import_command_without_the_option_imports_nothing(shop, mugs, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(interactions_csv(["C1,MUG-1,view,,,", "C2,NOPE,view,,,"]))
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("import_csv", shop.slug, "interactions", str(path))
    assert not Interaction.objects.exists()


# --- The API list's capped count -----------------------------------------------------------------


def test_product_list_count_is_capped_and_says_so(viewer_api, shop, monkeypatch):
    monkeypatch.setattr(CappedCountPagination, "count_cap", 3)
    upsert_products(shop, [{"sku": f"P-{n}", "title": f"Steel mug {n}"} for n in range(5)])
    capped = viewer_api.get("/api/v1/products/", {"search": "steel", "page_size": 2})
    assert capped.json()["count"] is None and capped["X-Count-Capped"] == "more than 3"
    assert len(capped.json()["results"]) == 2 and "page=2" in capped.json()["next"]
    exact = viewer_api.get("/api/v1/products/", {"search": "steel", "page_size": 10})
    assert exact.json()["count"] == 5 and "X-Count-Capped" not in exact
    last = viewer_api.get("/api/v1/products/", {"page_size": 2, "page": 3, "ordering": "sku"})
    assert last.json()["count"] == 5 and [p["sku"] for p in last.json()["results"]] == ["P-4"]
    assert viewer_api.get("/api/v1/products/", {"page_size": 2, "page": 4}).status_code == 404


def test_outsider_product_count_sees_none_of_the_shop(outsider_api, shop):
    upsert_products(shop, [{"sku": f"P-{n}", "title": f"Steel mug {n}"} for n in range(5)])
    response = outsider_api.get("/api/v1/products/", {"search": "steel"})
    assert response.json()["count"] == 0 and response.json()["results"] == []


# --- The spool of checked rows ----------------------------------------------------------------


@pytest.mark.parametrize("after", [0, 1, 3, 4, 7, 10, 11])
def test_spool_batches_start_exactly_after_the_rows_written_before(after):
    """A resumed import writes each row once: the spool skips exactly the rows written before,
    even when that count ends inside a batch or inside one of the pickled pieces."""
    with imports.Spool(chunk_rows=4) as spool:
        for piece in ([0, 1, 2], [3, 4], [5, 6, 7, 8, 9]):
            spool.add(piece)
        batches = list(spool.batches(after=after))
    assert [row for batch in batches for row in batch] == list(range(after, 10))
    assert all(len(batch) == 4 for batch in batches[:-1])
    assert all(batches)
