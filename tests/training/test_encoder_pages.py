"""Encoder adaptation pages and API: members of the shop only; an outsider from another shop
neither sees nor activates its versions (404, like a version that does not exist)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Job, ModelKind, ModelVersion, ModelVersionStatus
from training.encoder_job_kinds import ENCODER_TRAINING

API = "/api/v1/training/encoder/versions/"


@pytest.fixture
def version(shop) -> ModelVersion:
    return ModelVersion.objects.create(
        shop=shop,
        kind=ModelKind.ENCODER,
        number=1,
        status=ModelVersionStatus.READY,
        base_model="default",
        path="/nonexistent/encoder-v1",
        evaluation={
            "better": True,
            "reason": "Better on retrieval_hit@5.",
            "rows": [
                {"name": "retrieval_hit@5", "before": 0.61, "after": 0.74, "change": 0.13},
                {"name": "content_ndcg@10", "before": 0.2, "after": 0.25, "change": 0.05},
            ],
        },
    )


@pytest.fixture
def api_base(owner_api):
    response = owner_api.get(API)
    if response.status_code == 404:
        pytest.fail(f"{API} is not routed")
    return API


def test_member_sees_versions_with_figures_side_by_side(viewer_client, version):
    response = viewer_client.get(reverse("training:encoder_versions"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "0.61 → 0.74" in body and "0.2 → 0.25" in body
    assert "Adapt the text encoder" not in body  # a viewer cannot start one


def test_htmx_refresh_renders_only_the_rows(owner_client, version):
    response = owner_client.get(reverse("training:encoder_versions"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "0.61 → 0.74" in body and "<h1>" not in body


def test_editor_starts_a_training_from_the_page(editor_client, shop):
    response = editor_client.post(reverse("training:encoder_start"), {"epochs": "2"})
    assert response.status_code == 302
    version = ModelVersion.objects.get(shop=shop, kind=ModelKind.ENCODER)
    assert version.training_settings["epochs"] == 2 and version.job.kind == ENCODER_TRAINING.name


def test_viewer_cannot_start_a_training(viewer_client, shop):
    response = viewer_client.post(reverse("training:encoder_start"))
    assert response.status_code == 403
    assert not ModelVersion.objects.filter(shop=shop).exists()


def test_outsider_sees_none_of_the_shops_versions(outsider_client, version):
    response = outsider_client.get(reverse("training:encoder_versions"))
    assert response.status_code == 200
    assert "0.61 → 0.74" not in response.content.decode()


def test_outsider_cannot_activate_another_shops_version(outsider_client, version):
    # The outsider owns their own shop: the role is enough there, not here.
    response = outsider_client.post(reverse("training:encoder_activate", args=[version.pk]))
    assert response.status_code == 404
    version.refresh_from_db()
    assert not version.is_active


def test_api_lists_and_shows_only_the_tokens_shop(owner_api, outsider_api, version, api_base):
    listed = owner_api.get(api_base).json()
    assert [row["vector_space"] for row in listed["results"]] == [
        f"shop-{version.shop_id}-encoder-v1"
    ]
    assert outsider_api.get(api_base).json()["results"] == []
    assert outsider_api.get(f"{api_base}{version.pk}/").status_code == 404


def test_api_outsider_cannot_activate(outsider_api, version, api_base):
    response = outsider_api.post(f"{api_base}{version.pk}/activate/")
    assert response.status_code in (403, 404)
    version.refresh_from_db()
    assert not version.is_active


def test_api_editor_cannot_activate_but_starts_a_training(editor_api, shop, version, api_base):
    assert editor_api.post(f"{api_base}{version.pk}/activate/").status_code == 403
    response = editor_api.post(f"{api_base}train/", {"max_steps": 5}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2 and response.json()["status"] == "training"
    assert Job.objects.filter(shop=shop, kind=ENCODER_TRAINING.name).count() == 1


def test_api_refuses_bad_settings_by_field(editor_api, api_base):
    response = editor_api.post(f"{api_base}train/", {"epochs": 50}, format="json")
    assert response.status_code == 400
    assert "epochs" in response.json()["error"]["fields"]


def test_owner_activates_and_rolls_back_from_the_page(
    owner_client, shop, version, django_capture_on_commit_callbacks
):
    from training.encoder_job_kinds import ENCODER_REEMBED

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("training:encoder_activate", args=[version.pk]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_active
    assert Job.objects.filter(shop=shop, kind=ENCODER_REEMBED.name).exists()
    response = owner_client.post(reverse("training:encoder_rollback"))
    version.refresh_from_db()
    assert response.status_code == 302 and not version.is_active


def test_api_owner_activates_and_rolls_back(owner_api, version, api_base):
    response = owner_api.post(f"{api_base}{version.pk}/activate/")
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is True
    response = owner_api.post(f"{api_base}rollback/")
    assert response.status_code == 200 and response.json() == {"active": None}
    version.refresh_from_db()
    assert not version.is_active


def test_api_editor_cancels_an_encoder_training(editor_api, shop, api_base):
    started = editor_api.post(f"{api_base}train/", {"max_steps": 5}, format="json").json()
    response = editor_api.post(f"{api_base}{started['id']}/cancel/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "failed"
    assert Job.objects.get(pk=started["job_id"]).status == "cancelled"
    # Cancelling again: nothing is training any more.
    again = editor_api.post(f"{api_base}{started['id']}/cancel/")
    assert again.status_code == 409


def test_encoder_api_lists_encoders_only(owner_api, shop, version, api_base):
    ModelVersion.objects.create(
        shop=shop, kind=ModelKind.GENERATOR, number=1, status=ModelVersionStatus.READY
    )
    listed = owner_api.get(api_base).json()["results"]
    assert [row["id"] for row in listed] == [version.pk]
    both = owner_api.get("/api/v1/training/versions/").json()["results"]
    assert {row["kind"] for row in both} == {"encoder", "generator"}
