"""Model versions: activation and rollback (owner only), the active copy model is the one the
next generation job uses and records, a rolled-back one is not; pages and API for members only
(an outsider can neither see, export nor activate another shop's versions)."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from django.urls import reverse

from catalog.errors import Conflict, Forbidden
from catalog.models import AuditEvent, JobStatus, ModelKind, ModelVersion, ModelVersionStatus
from catalog.services import save_product
from generation.models import Draft, DraftStatus, DraftVersion, VersionSource
from generation.services import Selection, add_version, approve_draft, create_generation_job
from generation.tasks import run_generation_job
from shopllm_site.ml import set_generator
from training import services

COPY = "A blue stainless steel bottle that holds 750 ml."


class AdapterAwareGenerator:
    """A fast stand-in for the local generator: records which adapter each call ran with."""

    name = "adapter-aware"

    def __init__(self):
        self.current: str | None = None
        self.calls: list[str | None] = []

    @contextmanager
    def use_adapter(self, path):
        previous, self.current = self.current, str(path) if path else None
        try:
            yield
        finally:
            self.current = previous

    def generate(self, prompts, params, *, system=None):
        self.calls.append(self.current)
        return [COPY for _ in prompts]


@pytest.fixture
def generator():
    generator = AdapterAwareGenerator()
    set_generator(generator)
    yield generator
    set_generator(None)


def ready_version(shop, number: int, tmp_path, kind=ModelKind.GENERATOR, **fields) -> ModelVersion:
    folder = tmp_path / f"{kind}-v{number}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adapter_config.json").write_text("{}")
    return ModelVersion.objects.create(
        shop=shop,
        kind=kind,
        number=number,
        status=ModelVersionStatus.READY,
        base_model=services.base_model_name(),
        path=str(folder),
        data={"train": 40, "heldout": 8},
        evaluation={
            "heldout_before": {"loss": 2.0, "perplexity": 7.4},
            "heldout_after": {"loss": 1.2, "perplexity": 3.3},
            "loss_drop_pct": 40.0,
            "drafts": {
                "base": {"flagged_share": 0.5, "mean_coverage": 0.4, "fallback_share": 0.2},
                "tuned": {"flagged_share": 0.25, "mean_coverage": 0.6, "fallback_share": 0.1},
                "rows": [
                    {
                        "sku": "SECRET-SKU",
                        "field": "description",
                        "approved": "approved text",
                        "base": {"raw": "base text", "flags": 1, "coverage": 0.4},
                        "tuned": {"raw": "tuned text", "flags": 0, "coverage": 0.6},
                    }
                ],
            },
        },
        curve=[{"step": 1, "loss": 2.1, "at": 1.0}, {"step": 2, "loss": 1.5, "at": 2.0}],
        **fields,
    )


def bottle(shop, sku="BOT-1"):
    return save_product(
        shop,
        {
            "sku": sku,
            "title": "Trail Bottle",
            "brand": "Acme",
            "category": "Kitchen > Drinkware > Bottles",
            "attributes": {"capacity": "750 ml", "material": "stainless steel", "colour": "blue"},
        },
    )


def generate(shop, product) -> DraftVersion:
    job = create_generation_job(shop, Selection(product_ids=[product.pk]), fields=["description"])
    assert run_generation_job(job.pk) == JobStatus.SUCCEEDED
    return DraftVersion.objects.filter(job=job).get()


# --- Activation, rollback and generation -------------------------------------------------------


def test_activated_version_writes_the_next_drafts_and_a_rolled_back_one_does_not(
    shop, owner, tmp_path, generator
):
    product = bottle(shop)
    first = ready_version(shop, 1, tmp_path)
    second = ready_version(shop, 2, tmp_path)

    assert generate(shop, product).model_version is None
    assert generator.calls[-1] is None

    services.activate_version(first, user=owner)
    services.activate_version(second, user=owner)
    version = generate(shop, product)
    assert version.model_version == second
    assert generator.calls[-1] == second.path

    # Rolling back v2 returns to v1, the version active before it; then to the base model.
    assert services.rollback(shop, ModelKind.GENERATOR, user=owner) == first
    version = generate(shop, product)
    assert version.model_version == first and generator.calls[-1] == first.path
    assert services.rollback(shop, ModelKind.GENERATOR, user=owner) is None
    version = generate(shop, product)
    assert version.model_version is None and generator.calls[-1] is None
    with pytest.raises(Conflict):
        services.rollback(shop, ModelKind.GENERATOR, user=owner)
    actions = list(AuditEvent.objects.filter(shop=shop).values_list("action", flat=True))
    assert actions.count("model_version.activate") == 2
    assert actions.count("model_version.rollback") == 2


def test_only_one_version_is_active_and_only_owners_activate(shop, owner, editor, tmp_path):
    first = ready_version(shop, 1, tmp_path)
    second = ready_version(shop, 2, tmp_path)
    with pytest.raises(Forbidden):
        services.activate_version(first, user=editor)
    services.activate_version(first, user=owner)
    services.activate_version(second, user=owner)
    active = ModelVersion.objects.filter(shop=shop, kind=ModelKind.GENERATOR, is_active=True)
    assert list(active) == [second]


def test_a_version_still_training_or_on_another_base_cannot_be_activated(shop, owner, tmp_path):
    training = ready_version(shop, 1, tmp_path)
    ModelVersion.objects.filter(pk=training.pk).update(status=ModelVersionStatus.TRAINING)
    training.refresh_from_db()
    with pytest.raises(Conflict):
        services.activate_version(training, user=owner)
    other_base = ready_version(shop, 2, tmp_path)
    ModelVersion.objects.filter(pk=other_base.pk).update(base_model="some/other-model")
    other_base.refresh_from_db()
    with pytest.raises(Conflict, match="base model"):
        services.activate_version(other_base, user=owner)


def test_another_shops_active_version_is_not_used(shop, other_shop, outsider, tmp_path, generator):
    theirs = ready_version(other_shop, 1, tmp_path / "other")
    services.activate_version(theirs, user=outsider)
    version = generate(shop, bottle(shop))
    assert version.model_version is None and generator.calls[-1] is None


# --- Pages -------------------------------------------------------------------------------------


def test_versions_page_shows_counts_versions_and_owner_buttons(
    owner_client, shop, tmp_path, settings
):
    settings.SHOPLLM_TRAINING_MIN_EXAMPLES = 50
    version = ready_version(shop, 1, tmp_path)
    response = owner_client.get(reverse("training:versions"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "v1" in body and "needs at least" in body and "50" in body
    assert reverse("training:version_activate", args=[version.pk]) in body
    # The htmx swap gets the rows only.
    fragment = owner_client.get(reverse("training:versions"), HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"v1" in fragment.content


def test_version_detail_shows_curve_evaluation_and_drafts_side_by_side(
    owner_client, shop, tmp_path
):
    version = ready_version(shop, 1, tmp_path)
    response = owner_client.get(reverse("training:version_detail", args=[version.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<polyline" in body and "40.0% lower" in body
    assert "base text" in body and "tuned text" in body and "approved text" in body


def test_editor_cannot_activate_and_viewer_cannot_export(
    editor_client, viewer_client, shop, tmp_path
):
    version = ready_version(shop, 1, tmp_path)
    response = editor_client.post(reverse("training:version_activate", args=[version.pk]))
    assert response.status_code == 403
    version.refresh_from_db()
    assert not version.is_active
    assert viewer_client.get(reverse("training:copy_export")).status_code == 403
    assert viewer_client.post(reverse("training:copy_start")).status_code == 403


def test_owner_activates_and_rolls_back_from_the_pages(owner_client, shop, tmp_path):
    version = ready_version(shop, 1, tmp_path)
    owner_client.post(reverse("training:version_activate", args=[version.pk]))
    version.refresh_from_db()
    assert version.is_active
    owner_client.post(reverse("training:copy_rollback"))
    version.refresh_from_db()
    assert not version.is_active


def test_export_page_downloads_jsonl_of_approved_copy(editor_client, shop, owner):
    product = bottle(shop)
    add_version(product, "description", COPY, source=VersionSource.EDIT)
    approve_draft(Draft.objects.get(product=product, status=DraftStatus.DRAFT), user=owner)
    response = editor_client.get(reverse("training:copy_export"))
    assert response.status_code == 200
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert len(lines) == 1
    roles = [message["role"] for message in lines[0]["messages"]]
    assert roles == ["system", "user", "assistant"]
    assert lines[0]["messages"][2]["content"] == COPY


def test_outsider_cannot_see_export_activate_or_roll_back_pages(
    outsider_client, shop, owner, tmp_path
):
    version = ready_version(shop, 1, tmp_path)
    product = bottle(shop, sku="SECRET-BOTTLE")
    add_version(product, "description", COPY, source=VersionSource.EDIT)
    approve_draft(Draft.objects.get(product=product, status=DraftStatus.DRAFT), user=owner)
    listing = outsider_client.get(reverse("training:versions"))
    assert listing.status_code == 200
    assert reverse("training:version_detail", args=[version.pk]) not in listing.content.decode()
    detail = outsider_client.get(reverse("training:version_detail", args=[version.pk]))
    assert detail.status_code == 404
    activate = outsider_client.post(reverse("training:version_activate", args=[version.pk]))
    assert activate.status_code == 404
    cancel = outsider_client.post(reverse("training:version_cancel", args=[version.pk]))
    assert cancel.status_code == 404
    export = outsider_client.get(reverse("training:copy_export"))
    assert b"SECRET" not in b"".join(export.streaming_content)
    version.refresh_from_db()
    assert not version.is_active
    # Rolling back acts on the outsider's own shop, which has nothing active.
    services.activate_version(version, user=owner)
    outsider_client.post(reverse("training:copy_rollback"))
    version.refresh_from_db()
    assert version.is_active


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_activates_and_rolls_back(owner_api, shop, tmp_path):
    version = ready_version(shop, 1, tmp_path)
    listing = owner_api.get("/api/v1/training/versions/?kind=generator")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [version.pk]
    detail = owner_api.get(f"/api/v1/training/versions/{version.pk}/").json()
    assert detail["evaluation"]["loss_drop_pct"] == 40.0 and len(detail["curve"]) == 2
    activated = owner_api.post(f"/api/v1/training/versions/{version.pk}/activate/")
    assert activated.status_code == 200 and activated.json()["is_active"]
    rolled = owner_api.post(
        "/api/v1/training/versions/rollback/", {"kind": "generator"}, format="json"
    )
    assert rolled.status_code == 200 and rolled.json() == {"active": None}


def test_api_data_train_and_export(editor_api, shop, owner, settings):
    settings.SHOPLLM_TRAINING_MIN_EXAMPLES = 5
    data = editor_api.get("/api/v1/training/copy-model/data/").json()
    assert data["approved"] == 0 and data["enough"] is False and data["minimum"] == 5
    refused = editor_api.post("/api/v1/training/copy-model/train/", {}, format="json")
    assert refused.status_code == 400
    export = editor_api.get("/api/v1/training/copy-model/export/")
    assert export.status_code == 200 and b"".join(export.streaming_content) == b""


def test_api_editor_cannot_activate(editor_api, shop, tmp_path):
    version = ready_version(shop, 1, tmp_path)
    response = editor_api.post(f"/api/v1/training/versions/{version.pk}/activate/")
    assert response.status_code == 403


def test_outsider_api_cannot_see_export_or_activate(outsider_api, shop, owner, tmp_path):
    version = ready_version(shop, 1, tmp_path)
    product = bottle(shop, sku="SECRET-BOTTLE")
    add_version(product, "description", COPY, source=VersionSource.EDIT)
    approve_draft(Draft.objects.get(product=product, status=DraftStatus.DRAFT), user=owner)
    assert outsider_api.get("/api/v1/training/versions/").json()["results"] == []
    assert outsider_api.get(f"/api/v1/training/versions/{version.pk}/").status_code == 404
    response = outsider_api.post(f"/api/v1/training/versions/{version.pk}/activate/")
    assert response.status_code == 404
    response = outsider_api.post(f"/api/v1/training/versions/{version.pk}/cancel/")
    assert response.status_code == 404
    export = outsider_api.get("/api/v1/training/copy-model/export/")
    assert b"SECRET" not in b"".join(export.streaming_content)
    data = outsider_api.get("/api/v1/training/copy-model/data/").json()
    assert data["approved"] == 0
    version.refresh_from_db()
    assert not version.is_active
