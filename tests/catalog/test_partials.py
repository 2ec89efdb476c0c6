"""One URL answers with the full page, or with the fragment alone for an htmx swap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Job

FRAGMENT_PAGES = ["catalog:job_list", "catalog:customer_list", "catalog:product_list"]


@pytest.fixture(autouse=True)
def a_job(shop) -> Job:
    return Job.objects.create(shop=shop, kind="import_products")


@pytest.mark.parametrize("name", FRAGMENT_PAGES)
def test_plain_request_gets_the_full_page(viewer_client, name):
    response = viewer_client.get(reverse(name))
    assert response.status_code == 200 and b"<html" in response.content


@pytest.mark.parametrize("name", FRAGMENT_PAGES)
def test_htmx_request_gets_the_fragment(viewer_client, name):
    response = viewer_client.get(reverse(name), headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<html" not in response.content
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("name", FRAGMENT_PAGES)
def test_history_restore_gets_the_full_page(viewer_client, name):
    # htmx re-fetches a page missing from its history cache (after Back) to replace the body.
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = viewer_client.get(reverse(name), headers=headers)
    assert response.status_code == 200 and b"<html" in response.content
    assert "HX-History-Restore-Request" in response["Vary"]
