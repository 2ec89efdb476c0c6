"""Copy experiments: two approved versions per product, served per visitor, conversions
attributed through the returned id, the winner published through generation's approval."""

from __future__ import annotations

import pytest

from catalog.models import Product
from experiments import services
from experiments.assignment import assign
from experiments.models import Experiment
from generation import services as generation_services
from generation.models import Draft, DraftStatus

OLD = "A sturdy steel bottle that keeps drinks cold."
NEW = "Keeps drinks cold all day: a sturdy steel bottle."


def _publish(product, text, user):
    version = generation_services.add_version(
        product, "description", text, source="edit", user=user
    )
    generation_services.approve_draft(version.draft, user=user, replace_published=True)


@pytest.fixture
def bottles(shop, editor):
    products = [
        Product.objects.create(shop=shop, sku=f"BOT-{i}", title="Steel bottle", price=20)
        for i in range(3)
    ]
    for product in products[:2]:
        _publish(product, OLD, editor)
        _publish(product, NEW, editor)
    return products


@pytest.fixture
def copy_experiment(editor_api, bottles):
    body = {
        "kind": "copy",
        "name": "Benefit first",
        "field": "description",
        "skus": ["BOT-0", "BOT-1", "BOT-2"],
        "baseline_rate": 0.1,
        "minimum_effect": 0.5,
    }
    response = editor_api.post("/api/v1/experiments/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["skipped_skus"] == ["BOT-2"]  # only one approved version
    experiment_id = response.json()["id"]
    assert editor_api.post(f"/api/v1/experiments/{experiment_id}/start/").status_code == 200
    return Experiment.objects.get(pk=experiment_id)


def test_copy_is_served_per_visitor_and_stable(editor_api, copy_experiment):
    for i in range(30):
        visitor = f"v-{i}"
        data = editor_api.get(
            "/api/v1/experiments/copy/", {"product": "BOT-0", "visitor": visitor}
        ).json()
        arm = ("published", "previous")[assign(copy_experiment.salt, visitor, (50, 50))]
        assert data["arm"] == arm
        assert data["text"] == (NEW if arm == "published" else OLD)
        assert data["recommendation_id"].startswith("cpy_")
    # A product outside the experiment gets its published copy and no id.
    outside = editor_api.get("/api/v1/experiments/copy/", {"product": "BOT-2", "visitor": "v-1"})
    assert outside.json() == {
        "experiment_id": None,
        "arm": None,
        "field": "description",
        "text": "",
        "recommendation_id": "",
    }


def test_copy_conversions_are_attributed_and_the_winner_is_published(
    editor_api, copy_experiment, bottles, editor
):
    Experiment.objects.filter(pk=copy_experiment.pk).update(sample_size_per_arm=5)
    items = []
    for i in range(60):
        visitor = f"v-{i}"
        data = editor_api.get(
            "/api/v1/experiments/copy/", {"product": "BOT-1", "visitor": visitor}
        ).json()
        if data["arm"] == "previous":  # the old text sells, the new one does not
            items.append(
                {
                    "customer": visitor,
                    "sku": "BOT-1",
                    "kind": "purchase",
                    "value": "20",
                    "recommendation_ref": data["recommendation_id"],
                }
            )
    assert (
        editor_api.post("/api/v1/interactions/bulk/", {"items": items}, format="json").status_code
        == 201
    )
    figures = editor_api.get(f"/api/v1/experiments/{copy_experiment.pk}/").json()["figures"]
    assert figures["arms"][1]["converters"] == len(items) == figures["arms"][1]["visitors"]
    assert figures["verdict"] == "winner" and figures["winner_name"] == "previous"

    response = editor_api.post(f"/api/v1/experiments/{copy_experiment.pk}/promote/")
    assert response.status_code == 200, response.content
    for product in bottles[:2]:
        product.refresh_from_db()
        assert product.description == OLD
        assert (
            Draft.objects.get(product=product, status=DraftStatus.APPROVED).current_version.text
            == OLD
        )


def test_two_copy_experiments_cannot_overlap(editor_api, copy_experiment, shop, editor):
    second, _ = services.create_copy_experiment(
        shop,
        user=editor,
        name="Again",
        field="description",
        skus=["BOT-1"],
        baseline_rate=0.1,
        minimum_effect=0.5,
    )
    assert editor_api.post(f"/api/v1/experiments/{second.pk}/start/").status_code == 409


def test_outsider_gets_no_copy_variant(outsider_api, copy_experiment):
    response = outsider_api.get("/api/v1/experiments/copy/", {"product": "BOT-0", "visitor": "v-1"})
    assert response.status_code == 404
    assert not copy_experiment.exposures.exists()


def test_copy_experiment_page_shows_its_products_and_arms(editor_client, copy_experiment):
    from django.urls import reverse

    page = editor_client.get(reverse("experiments:detail", args=[copy_experiment.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "description of 2 products" in text
    assert "published" in text and "previous" in text
