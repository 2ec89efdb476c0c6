"""Catalog pages show what the upper apps register (catalog.panels), in the registered order."""

import pytest
from django.urls import reverse

from catalog import panels
from catalog.services import save_product


@pytest.fixture
def bottle(shop):
    return save_product(shop, {"sku": "BTL-1", "title": "Steel bottle"})


def _templates(response) -> list[str]:
    return [template.name for template in response.templates]


def test_product_page_includes_the_registered_panels_in_order(viewer_client, bottle):
    response = viewer_client.get(reverse("catalog:product_detail", args=[bottle.pk]))
    names = _templates(response)
    copy = names.index("generation/_product_panel.html")
    related = names.index("recommendations/_product_panel.html")
    assert copy < related
    assert reverse("generation:product_panel", args=[bottle.pk]) in response.content.decode()


def test_copy_link_on_the_product_list_is_for_editors_only(editor_client, viewer_client, bottle):
    link = f'href="{reverse("generation:home")}?">Generate copy for these</a>'
    assert link in editor_client.get(reverse("catalog:product_list")).content.decode()
    assert (
        "Generate copy for these"
        not in viewer_client.get(reverse("catalog:product_list")).content.decode()
    )


def test_staff_without_a_shop_gets_the_registered_queue_links(staff_client):
    page = staff_client.get(reverse("catalog:dashboard"), follow=True)
    names = _templates(page)
    assert "catalog/no_shop.html" in names
    assert names.index("generation/_review_queue_link.html") < names.index(
        "answers/_review_queue_link.html"
    )


def test_a_misspelt_page_is_refused():
    with pytest.raises(ValueError, match="Unknown page"):
        panels.register_panel("prodcut", "generation/_product_panel.html")
    with pytest.raises(ValueError, match="Unknown page"):
        panels.panels_for("prodcut")
