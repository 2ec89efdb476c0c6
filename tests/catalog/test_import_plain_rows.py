"""The PostgreSQL interactions import (`catalog/csv_io/staged.py`): rows sorted while reading
(plain ones typed by SQL casts, the others by the rule: both must store the same thing), and
chunks written with their keys checked at once or by the triggers (both must refuse a chunk
whose customer or product went meanwhile)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from catalog.csv_io import imports, staged
from catalog.models import Customer, Interaction, JobStatus, Product
from catalog.services import upsert_products
from catalog.tasks import run_import_job
from tests.catalog.csv_helpers import csv_file, import_now

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rows are staged on PostgreSQL"
)

COLUMNS = ["customer_id", "sku", "kind", "quantity", "value", "occurred_at", "recommendation_ref"]

BASE = {"customer_id": "C1", "sku": "MUG-1", "kind": "view", "quantity": "", "value": "",
        "occurred_at": "", "recommendation_ref": ""}  # fmt: skip

# One cell at a time at the edges of what the casts take: (is the row plain?, its cells).
CELLS = [
    (True, {"kind": "purchase", "quantity": "2", "value": "19.9"}),
    (True, {"occurred_at": "2024-05-31T14:05:00Z", "recommendation_ref": "rec-1"}),
    (True, {"customer_id": "C" * 64}),
    (False, {"customer_id": "C" * 65}),
    (True, {"customer_id": "C 2", "sku": "MUG 1"}),
    (False, {"customer_id": "C  3"}),
    (False, {"customer_id": "C4 "}),
    (False, {"customer_id": "'C5"}),
    (False, {"customer_id": "é6"}),
    (False, {"customer_id": "C7\tMUG-1"}),
    (False, {"customer_id": "C\\8"}),  # a backslash (COPY's escape)
    (True, {"kind": "cart", "quantity": "999999"}),
    (False, {"kind": "cart", "quantity": "1000000"}),
    (False, {"kind": "cart", "quantity": "01"}),
    (False, {"kind": "cart", "quantity": "0"}),
    (False, {"kind": "Purchase"}),
    (True, {"kind": "purchase", "value": "0"}),
    (False, {"kind": "purchase", "value": "00.5"}),
    (False, {"kind": "purchase", "value": "1.505"}),
    (True, {"kind": "purchase", "value": "9999999999.99"}),
    (False, {"kind": "purchase", "value": "12345678901.5"}),
    (True, {"kind": "rating", "value": "5.00"}),
    (True, {"kind": "rating", "value": "4.99"}),
    (False, {"kind": "rating", "value": "5.01"}),
    (False, {"kind": "rating", "value": ""}),
    (False, {"kind": "rating", "value": "0"}),
    (True, {"occurred_at": "2024-12-31 23:59:59.123456"}),
    (False, {"occurred_at": "2024-01-01T00:00:00.1234567Z"}),
    (True, {"occurred_at": "2024-01-01T00:00+14:00"}),
    (True, {"occurred_at": "2024-01-01T00:00:00-0530"}),
    (False, {"occurred_at": "2024-01-01T24:00"}),
    (True, {"occurred_at": "2024-01-31"}),
    (False, {"occurred_at": "2024-02-29"}),  # a leap day goes through the rule
    (False, {"occurred_at": "2023-02-29"}),
    (False, {"occurred_at": "2024-04-31"}),
    (False, {"occurred_at": "1899-12-31"}),
    (False, {"occurred_at": "2024-01-01T10:00:00 "}),
    (True, {"recommendation_ref": "r" * 64}),
    (False, {"recommendation_ref": "r" * 65}),
]
ROWS = [list({**BASE, **cells}.values()) for _, cells in CELLS]


def test_plain_row_takes_only_cells_the_casts_read_as_the_rule(settings):
    settings.TIME_ZONE = "UTC"
    is_plain = staged.plain_row(COLUMNS)
    assert [is_plain("\t".join(row)) for row in ROWS] == [plain for plain, _ in CELLS]


def test_a_file_without_the_optional_columns_is_plain_but_a_rating_needs_its_value(settings):
    settings.TIME_ZONE = "UTC"
    is_plain = staged.plain_row(["kind", "sku", "customer_id"])
    assert is_plain("view\tMUG-1\tC1") and is_plain("purchase\tMUG 1\tC 1")
    assert not is_plain("rating\tMUG-1\tC1")
    assert not is_plain("view\tMUG-1\t\tC1")


def test_outside_utc_a_time_without_its_offset_goes_through_the_rule(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    is_plain = staged.plain_row(["customer_id", "sku", "kind", "occurred_at"])
    assert is_plain("C1\tMUG-1\tview\t2024-01-01T10:00:00+01:00")
    assert not is_plain("C1\tMUG-1\tview\t2024-01-01T10:00:00")
    assert not is_plain("C1\tMUG-1\tview\t2024-01-01")


@on_postgresql
def test_casts_and_rule_store_the_same_rows(shop, other_shop, settings, monkeypatch):
    settings.TIME_ZONE = "UTC"
    rows = [[f"C{n}", *row[1:]] if row[0] == "C1" else row for n, row in enumerate(ROWS)]
    text = ",".join(COLUMNS) + "\n" + "\n".join(",".join(f'"{c}"' for c in r) for r in rows)

    def imported(into) -> tuple[list, list]:
        upsert_products(into, [{"sku": sku, "title": sku} for sku in ("MUG-1", "MUG 1")])
        job = imports.create_import_job(into, "interactions", csv_file(text), keep_good_rows=True)
        run_import_job(job.pk)
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        stored = Interaction.objects.for_shop(into).select_related("customer", "product")
        rows = sorted(
            (i.customer.external_id, i.product.sku, i.kind, i.quantity, i.value,
             i.occurred_at if i.occurred_at.year < 2026 else "now", i.recommendation_ref)
            for i in stored
        )  # fmt: skip
        return rows, job.result["row_errors"]

    through_casts = imported(shop)
    monkeypatch.setattr(staged, "plain_row", lambda columns: lambda text: False)
    assert imported(other_shop) == through_casts
    assert len(through_casts[0]) >= 5 and len(through_casts[1]) >= 5  # stored, refused


# --- Writing: the keys of a chunk checked at once, or by the triggers -------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)  # the triggers check the keys at commit
@pytest.mark.parametrize("keys_per_chunk", [True, False], ids=["per-chunk", "triggers"])
@pytest.mark.parametrize("deleted", ["product", "customer"])
def test_a_row_whose_product_or_customer_went_meanwhile_refuses_its_chunk(
    shop, monkeypatch, keys_per_chunk, deleted
):
    upsert_products(shop, [{"sku": f"MUG-{n}", "title": f"Mug {n}"} for n in range(3)])
    rows = [f"C{n % 7},MUG-{n % 3},view" for n in range(50)]
    monkeypatch.setattr(staged, "WRITE_CHUNK_ROWS", 20)
    monkeypatch.setattr(staged, "_may_switch_key_triggers_off", lambda: keys_per_chunk)
    real_write = staged.Staging.write_chunk

    def delete_one() -> None:
        victim = Product if deleted == "product" else Customer
        victim.objects.filter(shop=shop).order_by("pk").first().delete()
        connection.close()  # this thread's own connection

    def write_after_a_deletion(staging, numbers):
        if numbers.start == 21:  # before the second chunk, another request deletes one
            other_request = threading.Thread(target=delete_one)
            other_request.start()
            other_request.join()
        return real_write(staging, numbers)

    monkeypatch.setattr(staged.Staging, "write_chunk", write_after_a_deletion)
    job = imports.create_import_job(
        shop, "interactions", csv_file("customer_id,sku,kind\n" + "\n".join(rows))
    )
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "refused a batch" in job.error and "retry the job" in job.error
    if keys_per_chunk:
        assert f"1 {deleted} of these rows was deleted meanwhile" in job.error
    # The first chunk stays (minus the rows the deletion took with it); nothing of the second.
    assert job.progress_done == 20
    assert Interaction.objects.for_shop(shop).count() < 20


@on_postgresql
def test_the_role_check_says_no_for_a_role_without_the_right(db):
    assert staged._may_switch_key_triggers_off()  # the tests' role is a superuser
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shopllm_plain')"
            " THEN CREATE ROLE shopllm_plain; END IF; END $$"
        )
        cursor.execute("SET ROLE shopllm_plain")
        try:
            assert not staged._may_switch_key_triggers_off()
        finally:
            cursor.execute("RESET ROLE")


@on_postgresql
@pytest.mark.parametrize("keys_per_chunk", [True, False], ids=["per-chunk", "triggers"])
def test_both_write_paths_store_every_row_once(shop, monkeypatch, keys_per_chunk):
    upsert_products(shop, [{"sku": f"MUG-{n}", "title": f"Mug {n}"} for n in range(3)])
    rows = [f"C{n % 7},MUG-{n % 3},view,,,2024-01-{1 + n % 28:02d}" for n in range(45)]
    monkeypatch.setattr(staged, "WRITE_CHUNK_ROWS", 20)
    monkeypatch.setattr(staged, "_may_switch_key_triggers_off", lambda: keys_per_chunk)
    job = import_now(shop, "interactions", "customer_id,sku,kind,quantity,value,occurred_at\n"
                     + "\n".join(rows))  # fmt: skip
    assert job.status == JobStatus.SUCCEEDED, job.error
    stored = Interaction.objects.for_shop(shop).select_related("customer", "product")
    assert sorted(
        f"{i.customer.external_id},{i.product.sku},{i.kind},,,{i.occurred_at:%Y-%m-%d}"
        for i in stored
    ) == sorted(rows)
    with connection.cursor() as cursor:  # the triggers are on again after each chunk
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
