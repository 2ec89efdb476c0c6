import pytest
from django.urls import reverse
from playwright.sync_api import expect

from catalog import services
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import log_in


@pytest.mark.e2e
def test_typing_a_search_updates_the_table_and_the_address_bar(transactional_db, live_server, page):
    shop = services.create_shop("Acme Outdoor", make_user("mia-merchant"))
    services.upsert_products(
        shop,
        [
            {"sku": "J-1", "title": "Alpine jacket", "tags": ["winter"]},
            {"sku": "T-1", "title": "Beach towel", "tags": ["summer"]},
        ],
    )
    refused = []  # what the Content-Security-Policy blocked, as the browser reports it
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Policy" in message.text else None,
    )
    log_in(page, live_server.url, "mia-merchant", PASSWORD)
    page.goto(live_server.url + reverse("catalog:product_list"))
    assert page.locator("#product-rows tbody tr").count() == 2
    page.fill("#f-q", "towel")
    # A locator assertion, not wait_for_function: the page's CSP refuses the eval that needs.
    expect(page.locator("#product-rows tbody tr")).to_have_count(1)
    assert "Beach towel" in page.inner_text("#product-rows")
    assert "q=towel" in page.url
    # The page itself was not reloaded: the filter form is the same element.
    assert page.locator("form.filters").count() == 1
    page.reload()
    assert page.locator("#product-rows tbody tr").count() == 1
    assert page.input_value("#f-q") == "towel"
    assert refused == []
