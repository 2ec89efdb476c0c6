import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog import jobs
from catalog.csv_io import imports, staged
from catalog.models import (
    Customer,
    Interaction,
    Job,
    JobStatus,
    Membership,
    Product,
    ProductTag,
    Shop,
    Upload,
)
from catalog.services import save_product
from catalog.tasks import run_import_job
from tests.catalog.csv_helpers import (
    PRODUCT_HEADER,
    SAMPLES,
    csv_file,
    import_now,
    upload_through_page,
)
from tests.conftest import wait_for


def lines_of(job: Job) -> list[int]:
    return [row_error["line"] for row_error in job.result["row_errors"]]


# --- The page ---------------------------------------------------------------------------------


def test_editor_upload_queues_a_job_and_shows_its_progress_page(editor_client, shop):
    response = upload_through_page(
        editor_client, "products", (SAMPLES / "products.csv").read_bytes()
    )
    job = Job.objects.get(shop=shop)
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:job_detail", args=[job.pk])
    assert job.kind == "import_products" and job.status == JobStatus.QUEUED
    upload = Upload.objects.get(pk=job.params["upload_id"])
    assert upload.shop == shop and upload.filename == "upload.csv"
    assert Product.objects.count() == 0  # nothing is written before the job runs


def test_import_page_lists_columns_and_recent_imports(editor_client, shop):
    job = import_now(shop, "products", f"{PRODUCT_HEADER}\nA-1,Mug,,,,,,,\n")
    page = editor_client.get(reverse("catalog:import_csv"))
    assert page.status_code == 200
    assert b"recommendation_ref" in page.content and b'type="file"' in page.content
    assert reverse("catalog:job_detail", args=[job.pk]).encode() in page.content


def test_viewer_sees_the_page_read_only_and_cannot_upload(viewer_client, shop):
    page = viewer_client.get(reverse("catalog:import_csv"))
    assert page.status_code == 200 and b'type="file"' not in page.content
    response = upload_through_page(viewer_client, "products", f"{PRODUCT_HEADER}\nA-1,Mug,,,,,,,\n")
    assert response.status_code == 403
    assert not Job.objects.exists() and not Upload.objects.exists()


def test_outsider_cannot_see_another_shops_import_job(outsider_client, shop):
    job = import_now(shop, "products", f"{PRODUCT_HEADER}\nA-1,Mug,,,,,,,\n")
    assert outsider_client.get(reverse("catalog:job_detail", args=[job.pk])).status_code == 404
    page = outsider_client.get(reverse("catalog:import_csv"))
    assert reverse("catalog:job_detail", args=[job.pk]).encode() not in page.content


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("catalog:import_csv"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_too_big_file_is_refused_on_the_page_without_a_job(editor_client, shop, settings):
    settings.SHOPLLM_MAX_UPLOAD_MB = 1
    big = PRODUCT_HEADER + "\n" + "A-1,Mug,,,,,,,\n" * 80_000  # ~1.2 MB
    response = upload_through_page(editor_client, "products", big)
    assert response.status_code == 400
    assert b"the limit is 1 MB" in response.content
    assert not Job.objects.exists() and not Upload.objects.exists()


def test_missing_file_is_a_form_error(editor_client, shop):
    response = editor_client.post(reverse("catalog:import_csv"), {"kind": "products"})
    assert response.status_code == 400 and not Job.objects.exists()


# --- Good files -------------------------------------------------------------------------------


def test_sample_products_file_imports_every_row_with_facts(shop, editor):
    job = import_now(shop, "products", (SAMPLES / "products.csv").read_bytes(), user=editor)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Product.objects.for_shop(shop).count() == 41
    assert (job.progress_done, job.progress_total) == (41, 41)
    assert "41 products" in job.result["summary"] and job.result["created"] == 41
    bottle = Product.objects.get(shop=shop, sku="KB-750-BLU")
    assert bottle.attributes["material"] == "stainless steel"
    assert bottle.attributes["capacity"] == "750 ml"
    assert bottle.tags == ["hydration", "camping", "running"]
    assert bottle.bullet_points[1] == "Leak-proof screw cap"
    assert "\n" in bottle.description  # a quoted multi-line cell
    assert str(bottle.price) == "24.90" and bottle.category == "Kitchen > Drinkware > Bottles"
    assert ProductTag.objects.filter(product=bottle, tag="camping").exists()
    assert not Upload.objects.exists()  # the stored file is dropped once imported


def test_reimport_updates_only_the_columns_in_the_file(shop):
    import_now(shop, "products", (SAMPLES / "products.csv").read_bytes())
    job = import_now(shop, "products", "sku,price,stock_status\nKB-750-BLU,21.50,Out of stock\n")
    assert job.status == JobStatus.SUCCEEDED and job.result["updated"] == 1
    bottle = Product.objects.get(shop=shop, sku="KB-750-BLU")
    assert str(bottle.price) == "21.50" and bottle.stock_status == "out_of_stock"
    assert bottle.title == "Insulated Steel Water Bottle 750 ml"
    assert bottle.attributes["colour"] == "blue"


def test_json_attributes_and_comma_tags_are_accepted(shop):
    text = (
        "sku,title,attributes,tags\n"
        'P-1,Pot,"{""capacity"": ""2 l"", ""dishwasher safe"": true}","Cooking, Camping"\n'
    )
    job = import_now(shop, "products", text)
    assert job.status == JobStatus.SUCCEEDED, job.result
    pot = Product.objects.get(shop=shop, sku="P-1")
    assert pot.attributes == {"capacity": "2 l", "dishwasher safe": "yes"}
    assert pot.tags == ["cooking", "camping"]


def test_utf8_with_byte_order_mark_is_accepted(shop):
    text = "\ufeffsku,title\nM-1,Caf\u00e9 Mug\n"
    job = import_now(shop, "products", text.encode("utf-8"))
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Product.objects.get(shop=shop, sku="M-1").title == "Caf\u00e9 Mug"


def test_semicolon_separated_file_from_a_spreadsheet_is_accepted(shop):
    job = import_now(shop, "products", "sku;title;price\nM-1;Mug;12.00\n")
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert str(Product.objects.get(shop=shop, sku="M-1").price) == "12.00"


def test_customers_file_imports_and_upserts(shop):
    job = import_now(shop, "customers", (SAMPLES / "customers.csv").read_bytes())
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Customer.objects.for_shop(shop).count() == 20
    job = import_now(shop, "customers", "external_id,name\nC0001,Renamed Person\n")
    assert job.result["updated"] == 1
    assert Customer.objects.get(shop=shop, external_id="C0001").name == "Renamed Person"
    assert Customer.objects.for_shop(shop).count() == 20


def test_interactions_file_imports_and_creates_unknown_customers(shop):
    import_now(shop, "products", (SAMPLES / "products.csv").read_bytes())
    job = import_now(shop, "interactions", (SAMPLES / "interactions.csv").read_bytes())
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert Interaction.objects.for_shop(shop).count() == 60
    assert Customer.objects.for_shop(shop).count() > 0
    rating = Interaction.objects.for_shop(shop).filter(kind="rating").first()
    assert 1 <= rating.value <= 5
    assert rating.occurred_at.year == 2024


# --- Bad rows: nothing is imported, every bad row is reported by line ---------------------------


def test_sample_error_file_imports_nothing_and_reports_each_bad_line(shop):
    job = import_now(shop, "products", (SAMPLES / "products_with_errors.csv").read_bytes())
    assert job.status == JobStatus.FAILED
    assert "7 of 8 rows have errors, so nothing was imported" in job.error
    assert lines_of(job) == [3, 4, 5, 6, 7, 8, 9]
    errors = {row_error["line"]: row_error["error"] for row_error in job.result["row_errors"]}
    assert "title: This field is required." in errors[3]
    assert "decimal comma" in errors[4]
    assert "stock_status: 'available' is not one of" in errors[5]
    assert "already on line 2" in errors[6]
    assert "no '='" in errors[7]
    assert "image_url" in errors[8]
    assert "6 cells but the header has 14" in errors[9]
    assert not Product.objects.exists()


def test_job_page_shows_the_bad_lines(owner_client, shop):
    job = import_now(shop, "products", (SAMPLES / "products_with_errors.csv").read_bytes())
    page = owner_client.get(reverse("catalog:job_detail", args=[job.pk]))
    assert b"Rows with errors" in page.content and b"decimal comma" in page.content


def test_line_numbers_count_physical_lines_of_multiline_cells(shop):
    text = (
        "sku,title,description\n"  # line 1
        'A-1,Mug,"first line\n'  # line 2
        'second line"\n'  # line 3
        "\n"  # line 4: blank, not a row
        "A-2,,no title\n"  # line 5
    )
    job = import_now(shop, "products", text)
    assert job.status == JobStatus.FAILED
    assert job.result["row_errors"] == [{"line": 5, "error": "title: This field is required."}]
    assert not Product.objects.exists()


def test_duplicate_sku_in_the_file_names_both_lines(shop):
    job = import_now(shop, "products", "sku,title\nA-1,Mug\nB-2,Cup\nA-1,Mug again\n")
    assert job.status == JobStatus.FAILED
    assert job.result["row_errors"] == [
        {"line": 4, "error": "sku 'A-1' is already on line 2; each one may appear once per file."}
    ]
    assert not Product.objects.exists()


def test_unknown_sku_in_interactions_is_reported_by_line_and_nothing_is_stored(shop):
    save_product(shop, {"sku": "MUG-1", "title": "Mug"})
    text = (
        "customer_id,sku,kind,value,occurred_at\n"
        "C1,MUG-1,view,,2024-05-01T10:00:00Z\n"
        "C1,NOPE-9,purchase,12.00,2024-05-01T10:05:00Z\n"
        "C2,MUG-1,rating,9,2024-05-02\n"
        "C2,MUG-1,like,,2024-05-02\n"
        "C3,MUG-1,view,,yesterday\n"
        "C3,MUG-1,view,,2024-02-31\n"
        "C3,MUG-1,view,,2024-05-01 10:00:00+02:00\n"
    )
    job = import_now(shop, "interactions", text)
    assert job.status == JobStatus.FAILED
    assert lines_of(job) == [3, 4, 5, 6, 7]
    assert "Unknown product SKU 'NOPE-9'" in job.result["row_errors"][0]["error"]
    assert "rating needs a value from 1 to 5" in job.result["row_errors"][1]["error"]
    assert "kind: 'like' is not one of" in job.result["row_errors"][2]["error"]
    assert "ISO 8601" in job.result["row_errors"][3]["error"]
    assert not Interaction.objects.exists() and not Customer.objects.exists()


def test_sku_of_another_shop_is_unknown(shop, other_shop):
    save_product(other_shop, {"sku": "RIVAL-1", "title": "Their mug"})
    job = import_now(shop, "interactions", "customer_id,sku,kind\nC1,RIVAL-1,view\n")
    assert job.status == JobStatus.FAILED and lines_of(job) == [2]


# --- Whole-file problems ------------------------------------------------------------------------


def test_non_utf8_file_is_refused_with_the_line_and_a_hint(shop):
    text = "sku,title\nA-1,Mug\nA-2,Caf\u00e9 Mug\n".encode("latin-1")
    job = import_now(shop, "products", text)
    assert job.status == JobStatus.FAILED
    assert "not UTF-8" in job.error and "line 3" in job.error and "CSV UTF-8" in job.error
    assert lines_of(job) == [3]
    assert not Product.objects.exists()


def test_missing_required_column_is_refused(shop):
    job = import_now(shop, "interactions", "sku,kind\nA-1,view\n")
    assert job.status == JobStatus.FAILED
    assert "Missing required column(s): customer_id" in job.error and lines_of(job) == [1]


def test_file_without_titles_may_only_update_existing_products(shop):
    save_product(shop, {"sku": "A-1", "title": "Mug"})
    job = import_now(shop, "products", "sku,brand\nA-1,Kestrel\nB-2,Kestrel\n")
    assert job.status == JobStatus.FAILED
    assert job.result["row_errors"] == [
        {
            "line": 3,
            "error": "SKU 'B-2' is not in the shop yet; a new product needs a title column.",
        }
    ]
    assert Product.objects.get(sku="A-1").brand == ""


def test_unknown_column_is_refused_with_the_allowed_ones(shop):
    job = import_now(shop, "products", "sku,title,colour\nA-1,Mug,blue\n")
    assert job.status == JobStatus.FAILED
    assert "Unknown column(s) in the header: 'colour'" in job.error
    assert "attributes" in job.error


def test_header_only_file_is_refused(shop):
    job = import_now(shop, "products", "sku,title\n")
    assert job.status == JobStatus.FAILED and "no rows" in job.error


def test_row_limit_is_enforced_with_a_clear_message(shop, settings):
    settings.SHOPLLM_MAX_IMPORT_ROWS = 3
    text = "sku,title\n" + "".join(f"A-{n},Mug {n}\n" for n in range(4))
    job = import_now(shop, "products", text)
    assert job.status == JobStatus.FAILED
    assert "more than 3 rows" in job.error and "SHOPLLM_MAX_IMPORT_ROWS" in job.error
    assert not Product.objects.exists()


def test_too_long_field_is_a_row_error(shop):
    job = import_now(shop, "products", f"sku,title\nA-1,{'x' * 301}\n")
    assert job.status == JobStatus.FAILED
    assert job.result["row_errors"] == [
        {"line": 2, "error": "title: At most 300 characters (it has 301)."}
    ]


def test_hostile_control_and_bidi_characters_are_stripped(shop):
    text = "sku,title,brand\nA-1,Mu\u0000g\u202e\u0007 Cup,Kes\u200ftrel\n"
    job = import_now(shop, "products", text)
    assert job.status == JobStatus.SUCCEEDED, job.result
    product = Product.objects.get(shop=shop, sku="A-1")
    assert (product.title, product.brand) == ("Mug Cup", "Kestrel")


# --- Jobs: resume, retry, worker ------------------------------------------------------------------


def test_retried_interaction_import_resumes_after_committed_batches(shop, monkeypatch):
    save_product(shop, {"sku": "MUG-1", "title": "Mug"})
    monkeypatch.setattr(imports, "INTERACTION_BATCH_SIZE", 2)  # SQLite
    monkeypatch.setattr(staged, "WRITE_CHUNK_ROWS", 2)  # PostgreSQL
    text = "customer_id,sku,kind\n" + "".join(f"C{n},MUG-1,view\n" for n in range(5))
    calls = []
    real_write = imports.write_batch

    def write_then_crash(shop_, kind, rows, *cache):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_write(shop_, kind, rows, *cache)

    monkeypatch.setattr(imports, "write_batch", write_then_crash)
    job = import_now(shop, "interactions", text)
    assert job.status == JobStatus.FAILED and "database went away" in job.error
    assert (job.progress_done, Interaction.objects.count()) == (2, 2)

    monkeypatch.setattr(imports, "write_batch", real_write)
    jobs.retry_job(job)
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Interaction.objects.count() == 5  # the first batch is not stored twice
    assert job.progress_done == 5


def test_cancelled_import_stops_at_a_batch_and_keeps_no_half_batch(shop, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    text = "sku,title\n" + "".join(f"A-{n},Mug {n}\n" for n in range(6))
    real_progress = jobs.JobRun.progress

    def cancelled_during_second_batch(run, done, total=None):
        if done > 2:  # what progress() raises once someone else has cancelled the job
            raise jobs.JobCancelled()
        return real_progress(run, done, total)

    monkeypatch.setattr(jobs.JobRun, "progress", cancelled_during_second_batch)
    job = imports.create_import_job(shop, "products", csv_file(text))
    assert run_import_job(job.pk) == JobStatus.CANCELLED
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["A-0", "A-1"]


def test_import_cancelled_while_checking_stops_before_writing(shop, monkeypatch):
    monkeypatch.setattr(imports, "CHECK_REPORT_EVERY", 1)
    real_parse = imports.PARSERS["products"]

    def parse_then_cancel(row):
        Job.objects.filter(shop=shop).update(status=JobStatus.CANCELLED)
        return real_parse(row)

    monkeypatch.setitem(imports.PARSERS, "products", parse_then_cancel)
    job = imports.create_import_job(shop, "products", csv_file("sku,title\nA-1,Mug\nA-2,Cup\n"))
    assert run_import_job(job.pk) == JobStatus.CANCELLED
    assert not Product.objects.exists()


@pytest.mark.worker
def test_real_worker_imports_a_products_file(celery_worker, shop, editor):
    job = imports.create_import_job(
        shop,
        "products",
        csv_file((SAMPLES / "products.csv").read_bytes()),
        user=editor,
    )
    finished = wait_for(
        lambda: Job.objects.filter(pk=job.pk).exclude(status__in=("queued", "running")).first(), 60
    )
    assert finished.status == JobStatus.SUCCEEDED, finished.error
    assert finished.progress_done == 41 and finished.task_id
    assert Product.objects.for_shop(shop).count() == 41


# --- Demo seed ----------------------------------------------------------------------------------


def test_seed_demo_runs_twice_without_duplicating(db, capsys):
    call_command("seed_demo")
    counts = (
        Shop.objects.count(),
        Product.objects.count(),
        Customer.objects.count(),
        Interaction.objects.count(),
        Membership.objects.count(),
    )
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "Log in as demo / " in output
    assert counts == (
        Shop.objects.count(),
        Product.objects.count(),
        Customer.objects.count(),
        Interaction.objects.count(),
        Membership.objects.count(),
    )
    demo = Shop.objects.get(slug="demo-outdoor")
    assert Product.objects.for_shop(demo).count() == 41
    assert Customer.objects.for_shop(demo).count() == 300
    assert Interaction.objects.for_shop(demo).count() > 2000
    assert Membership.objects.get(shop=demo, user__username="demo").role == "owner"
    harbour = Shop.objects.get(slug="harbour-kitchen")
    assert not Membership.objects.filter(shop=harbour, user__username="demo").exists()


def test_seed_demo_plants_taste_groups(db):
    call_command("seed_demo")
    demo = Shop.objects.get(slug="demo-outdoor")
    coffee_fans = (
        Interaction.objects.for_shop(demo)
        .filter(product__category__startswith="Kitchen > Coffee")
        .values("customer")
        .distinct()
        .count()
    )
    # A planted group: many customers, but far from all, keep coming back to coffee gear.
    assert 30 < coffee_fans < 300


def test_every_bad_row_is_counted_even_past_the_listed_ones(shop, monkeypatch):
    monkeypatch.setattr(imports, "MAX_REPORTED_ERRORS", 2)
    job = import_now(shop, "products", "sku,title\nA-1,\nA-2,\nA-3,\nA-4,Good\n")
    assert job.status == JobStatus.FAILED
    assert "3 of 4 rows have errors" in job.error
    assert lines_of(job) == [2, 3] and job.result["error_count"] == 3
    assert "The first 2 are listed" in job.result["summary"]
