import pytest
from django.urls import reverse

from catalog.models import Membership, Role, Shop
from catalog.services import save_product
from generation.models import DraftStatus
from generation.services import add_version
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import log_in


@pytest.mark.e2e
def test_merchant_edits_a_draft_inline_approves_it_and_the_product_shows_it(
    transactional_db, live_server, page
):
    shop = Shop.objects.create(name="Acme Outdoor", slug="acme")
    merchant = make_user("mia-merchant")
    Membership.objects.create(shop=shop, user=merchant, role=Role.EDITOR)
    product = save_product(
        shop,
        {
            "sku": "BOT-750",
            "title": "Trail Bottle",
            "attributes": {"capacity": "750 ml", "colour": "blue"},
        },
    )
    draft = add_version(
        product, "description", "A bottle that holds 1 litre.", source="model"
    ).draft

    log_in(page, live_server.url, "mia-merchant", PASSWORD)
    page.goto(live_server.url + reverse("generation:draft_detail", args=[draft.pk]))
    # The model's mistake is flagged in the page.
    assert page.locator("mark.flag").first.inner_text() == "1 litre"

    page.click("#edit-button")  # htmx swaps in the editor
    page.fill("#draft-text textarea", "A blue bottle that holds 750 ml, designed for everyday use.")
    page.click("#save-button")
    page.wait_for_selector("text=Saved as version 2")
    assert page.locator("#draft-text mark.flag").count() == 0
    assert "<textarea" not in page.locator("#draft-text").inner_html()

    page.reload()
    page.click("#approve-button")
    page.wait_for_selector("#draft-status:has-text('Approved')")

    page.goto(live_server.url + reverse("catalog:product_detail", args=[product.pk]))
    assert "designed for everyday use." in page.content()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPROVED
