"""Every draft version says which copy model wrote it: the shop's tuned version (its number),
the base model, or nobody (a person's edit); on the draft page and in the API."""

from __future__ import annotations

from django.urls import reverse

from catalog.models import ModelKind, ModelVersion, ModelVersionStatus
from generation.models import VersionSource
from generation.services import add_version
from tests.generation.conftest import make_product


def tuned_version(shop, number: int) -> ModelVersion:
    return ModelVersion.objects.create(
        shop=shop,
        kind=ModelKind.GENERATOR,
        number=number,
        status=ModelVersionStatus.READY,
        base_model="default",
        path=f"models/unused-v{number}",
    )


def three_versions(shop):
    product = make_product(shop, sku="MV-1")
    base = add_version(product, "description", "From the base model.", source=VersionSource.MODEL)
    tuned = add_version(
        product,
        "description",
        "From the tuned model.",
        source=VersionSource.REGENERATE,
        model_version=tuned_version(shop, 7),
    )
    edit = add_version(product, "description", "A person's edit.", source=VersionSource.EDIT)
    return base, tuned, edit


def test_draft_api_gives_each_versions_model_version(shop, editor_api):
    base, tuned, edit = three_versions(shop)
    detail = editor_api.get(f"/api/v1/drafts/{base.draft_id}/").json()
    by_number = {v["number"]: v["model_version"] for v in detail["versions"]}
    assert by_number == {base.number: None, tuned.number: 7, edit.number: None}


def test_draft_page_shows_which_model_wrote_each_version(shop, editor_client):
    base, _tuned, _edit = three_versions(shop)
    page = editor_client.get(reverse("generation:draft_detail", args=[base.draft_id]))
    cells = [
        line.split(">", 1)[1].split("<", 1)[0]
        for line in page.content.decode().splitlines()
        if 'class="model-version"' in line
    ]
    # Newest first: the edit, the tuned model's version, the base model's.
    assert cells == ["—", "tuned copy model v7", "base model"]
