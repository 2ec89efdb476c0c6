from pathlib import Path

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Product
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import log_in

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def upload_products_as_a_merchant(page, live_server, sample: str):
    """A new shop's owner logs in and uploads docs/samples/<sample> on the import page."""
    shop = services.create_shop("Acme Outdoor", make_user("mia-merchant"))
    log_in(page, live_server.url, "mia-merchant", PASSWORD)
    page.goto(live_server.url + reverse("catalog:import_csv"))
    page.select_option("#id_kind", "products")
    page.set_input_files("#id_file", str(SAMPLES / sample))
    page.click("button:has-text('Upload and import')")
    return shop


@pytest.mark.e2e
@pytest.mark.worker
def test_merchant_uploads_a_csv_and_watches_the_real_worker_import_it(
    celery_worker, live_server, page
):
    """Browser → upload → job row → Celery on Redis → live progress (htmx) → products listed."""
    shop = upload_products_as_a_merchant(page, live_server, "products.csv")
    # The job page polls itself until the worker has finished.
    page.wait_for_selector("#job-progress .badge.status-succeeded", timeout=60_000)
    assert Product.objects.for_shop(shop).count() == 41
    page.goto(live_server.url + reverse("catalog:product_list"))
    assert "of 41" in page.inner_text("#product-count")


@pytest.mark.e2e
@pytest.mark.worker
def test_bad_rows_are_listed_by_line_in_the_browser_and_nothing_is_imported(
    celery_worker, live_server, page
):
    shop = upload_products_as_a_merchant(page, live_server, "products_with_errors.csv")
    page.wait_for_selector("#job-progress .badge.status-failed", timeout=60_000)
    rows = page.locator("#job-progress table tbody tr")
    assert rows.count() >= 5
    assert rows.first.locator("td").first.inner_text().strip() == "3"
    assert Product.objects.for_shop(shop).count() == 0
