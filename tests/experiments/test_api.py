"""Experiments through the API: create, start, serve by arm, attribute through the ids,
promote; one running experiment per placement; outsiders see and change nothing."""

from __future__ import annotations

import pytest

from catalog.models import AuditEvent
from experiments.assignment import assign
from experiments.models import Experiment, Exposure
from recommendations import serving as recommendation_serving

PLAN = {"baseline_rate": 0.1, "minimum_effect": 0.5, "alpha": 0.05, "power": 0.8}


def _create(api, run_a, run_b, **extra) -> dict:
    body = {
        "kind": "recommendations",
        "name": "Old vs new model",
        "placement": "customer",
        "arms": [
            {"name": "old", "weight": 50, "run_id": run_a.pk},
            {"name": "new", "weight": 50, "run_id": run_b.pk},
        ],
        **PLAN,
        **extra,
    }
    response = api.post("/api/v1/experiments/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def running(editor_api, two_runs):
    run_a, run_b = two_runs
    created = _create(editor_api, run_a, run_b)
    response = editor_api.post(f"/api/v1/experiments/{created['id']}/start/")
    assert response.status_code == 200, response.content
    return Experiment.objects.get(pk=created["id"])


def test_serve_returns_the_arm_list_and_a_ref(editor_api, running, two_runs, catalog_rows):
    run_a, run_b = two_runs
    for customer in catalog_rows["customers"][:20]:
        response = editor_api.get(
            "/api/v1/experiments/serve/customer/", {"customer": customer.external_id}
        )
        assert response.status_code == 200
        data = response.json()
        expected = ("old", "new")[assign(running.salt, customer.external_id, (50, 50))]
        assert data["arm"] == expected
        assert data["run_id"] == (run_a if expected == "old" else run_b).pk
        skus = [item["sku"] for item in data["items"]]
        assert skus == (
            ["SKU-0", "SKU-1", "SKU-2"] if expected == "old" else ["SKU-3", "SKU-4", "SKU-5"]
        )
        assert data["recommendation_id"].startswith("rec_")
        # Same customer, same arm, next session.
        again = editor_api.get(
            "/api/v1/experiments/serve/customer/", {"customer": customer.external_id}
        ).json()
        assert again["arm"] == expected
    assert Exposure.objects.filter(experiment=running).count() == 40


def test_interactions_citing_refs_are_attributed_to_the_arm(editor_api, running, catalog_rows):
    served = {}
    for customer in catalog_rows["customers"]:
        data = editor_api.get(
            "/api/v1/experiments/serve/customer/", {"customer": customer.external_id}
        ).json()
        served[customer.external_id] = data
    # Every "new" visitor clicks and buys; "old" visitors only view, and only half of them.
    items = []
    for external_id, data in served.items():
        ref, sku = data["recommendation_id"], data["items"][0]["sku"]
        if data["arm"] == "new":
            items.append(
                {"customer": external_id, "sku": sku, "kind": "view", "recommendation_ref": ref}
            )
            items.append(
                {
                    "customer": external_id,
                    "sku": sku,
                    "kind": "purchase",
                    "value": "12.50",
                    "recommendation_ref": ref,
                }
            )
        elif int(external_id.split("-")[1]) % 2:
            items.append(
                {"customer": external_id, "sku": sku, "kind": "view", "recommendation_ref": ref}
            )
    # An interaction without a ref, and one citing an unknown ref, are not attributed.
    items.append({"customer": "cust-0", "sku": "SKU-0", "kind": "purchase", "value": "99"})
    items.append(
        {"customer": "cust-0", "sku": "SKU-0", "kind": "purchase", "recommendation_ref": "rec_x"}
    )
    response = editor_api.post("/api/v1/interactions/bulk/", {"items": items}, format="json")
    assert response.status_code == 201, response.content

    figures = editor_api.get(f"/api/v1/experiments/{running.pk}/").json()["figures"]
    old, new = figures["arms"]
    arms = [a["arm"] for a in served.values()]
    assert new["visitors"] == arms.count("new") and old["visitors"] == arms.count("old")
    assert new["converters"] == new["visitors"] and old["converters"] == 0
    assert new["clicks"] == new["impressions"]
    odd_old = sum(1 for e, d in served.items() if d["arm"] == "old" and int(e.split("-")[1]) % 2)
    assert old["clicks"] == odd_old
    assert new["revenue_per_visitor"]["mean"] == pytest.approx(12.5)
    assert old["revenue_per_visitor"]["mean"] == 0
    assert figures["verdict"] == "collecting"  # far below the pre-registered sample


def test_one_running_experiment_per_placement(editor_api, running, two_runs):
    run_a, run_b = two_runs
    second = _create(editor_api, run_b, run_a, name="Again")
    response = editor_api.post(f"/api/v1/experiments/{second['id']}/start/")
    assert response.status_code == 409
    # Another placement is free.
    third = _create(editor_api, run_b, run_a, name="Similar", placement="similar")
    assert editor_api.post(f"/api/v1/experiments/{third['id']}/start/").status_code == 200


def test_split_must_add_up_and_runs_must_be_the_shops(
    editor_api, two_runs, other_shop, catalog_rows
):
    run_a, run_b = two_runs
    body = {
        "kind": "recommendations",
        "name": "Bad split",
        "arms": [
            {"name": "a", "weight": 60, "run_id": run_a.pk},
            {"name": "b", "weight": 60, "run_id": run_b.pk},
        ],
        **PLAN,
    }
    assert editor_api.post("/api/v1/experiments/", body, format="json").status_code == 400
    from tests.experiments.conftest import make_run

    foreign = make_run(other_shop, [], [])
    body["arms"] = [
        {"name": "a", "weight": 50, "run_id": run_a.pk},
        {"name": "b", "weight": 50, "run_id": foreign.pk},
    ]
    assert editor_api.post("/api/v1/experiments/", body, format="json").status_code == 400


def test_promote_needs_a_winner_then_pins_the_run(
    editor_api, running, two_runs, catalog_rows, shop
):
    run_a, run_b = two_runs
    response = editor_api.post(f"/api/v1/experiments/{running.pk}/promote/")
    assert response.status_code == 409  # no verdict yet
    # Pre-register a tiny sample so that this small, lopsided traffic decides.
    Experiment.objects.filter(pk=running.pk).update(sample_size_per_arm=5)
    items = []
    for customer in catalog_rows["customers"]:
        data = editor_api.get(
            "/api/v1/experiments/serve/customer/", {"customer": customer.external_id}
        ).json()
        if data["arm"] == "old":
            items.append(
                {
                    "customer": customer.external_id,
                    "sku": data["items"][0]["sku"],
                    "kind": "purchase",
                    "value": "20",
                    "recommendation_ref": data["recommendation_id"],
                }
            )
    editor_api.post("/api/v1/interactions/bulk/", {"items": items}, format="json")
    assert recommendation_serving.served_run(shop) == run_b  # latest
    response = editor_api.post(f"/api/v1/experiments/{running.pk}/promote/")
    assert response.status_code == 200, response.content
    assert response.json()["winner"] == "old" and response.json()["status"] == "stopped"
    assert recommendation_serving.served_run(shop) == run_a  # pinned
    plain = editor_api.get("/api/v1/recommendations/customers/cust-1/").json()
    assert plain["run_id"] == run_a.pk
    actions = list(AuditEvent.objects.filter(shop=shop).values_list("action", flat=True))
    assert {"experiment.start", "experiment.stop", "experiment.promote"} <= set(actions)


def test_viewer_cannot_start_or_create(viewer_api, editor_api, two_runs):
    run_a, run_b = two_runs
    created = _create(editor_api, run_a, run_b)
    assert viewer_api.post(f"/api/v1/experiments/{created['id']}/start/").status_code == 403
    assert viewer_api.get(f"/api/v1/experiments/{created['id']}/").status_code == 200


def test_outsider_cannot_see_or_change_another_shops_experiment(outsider_api, running):
    assert outsider_api.get("/api/v1/experiments/").json()["results"] == []
    for method, url in (
        ("get", f"/api/v1/experiments/{running.pk}/"),
        ("post", f"/api/v1/experiments/{running.pk}/stop/"),
        ("post", f"/api/v1/experiments/{running.pk}/promote/"),
    ):
        assert getattr(outsider_api, method)(url).status_code == 404
    # The outsider's shop has no such customer; its serving never reaches our experiment.
    response = outsider_api.get("/api/v1/experiments/serve/customer/", {"customer": "cust-1"})
    assert response.status_code == 404
    running.refresh_from_db()
    assert running.status == "running"
    assert not Exposure.objects.exists()


def test_product_placements_need_a_product(editor_api, two_runs):
    response = editor_api.get("/api/v1/experiments/serve/similar/", {"customer": "cust-1"})
    assert response.status_code == 400
    response = editor_api.get("/api/v1/experiments/serve/nowhere/", {"customer": "cust-1"})
    assert response.status_code == 400


def test_without_a_running_experiment_the_plain_list_is_served(editor_api, two_runs):
    data = editor_api.get("/api/v1/experiments/serve/customer/", {"customer": "cust-1"}).json()
    assert data["experiment_id"] is None and data["arm"] is None
    assert data["run_id"] == two_runs[1].pk  # the latest run, as the plain API
    assert not Exposure.objects.exists()


def test_erasing_a_customer_unlinks_their_exposures(editor_api, running, shop, owner):
    from catalog.models import Customer
    from catalog.privacy import erase_customer, export_customer

    editor_api.get("/api/v1/experiments/serve/customer/", {"customer": "cust-3"})
    customer = Customer.objects.get(shop=shop, external_id="cust-3")
    exported = export_customer(customer, actor=owner)
    assert len(exported["experiments"]) == 1
    erase_customer(customer, actor=owner)
    exposure = Exposure.objects.get()
    assert exposure.visitor != "cust-3" and len(exposure.visitor) == 64


def test_arm_defined_by_settings_trains_its_own_run(editor_api, two_runs, shop):
    from catalog.models import Job, JobStatus
    from recommendations.services import settings_snapshot

    _, run_b = two_runs
    before = settings_snapshot(shop)["diversity"]
    body = {
        "kind": "recommendations",
        "name": "More diverse",
        "arms": [
            {"name": "current", "weight": 50, "run_id": run_b.pk},
            {"name": "diverse", "weight": 50, "settings": {"diversity": 0.3}},
        ],
        **PLAN,
    }
    response = editor_api.post("/api/v1/experiments/", body, format="json")
    assert response.status_code == 201, response.content
    experiment_id = response.json()["id"]
    assert editor_api.post(f"/api/v1/experiments/{experiment_id}/start/").status_code == 409

    response = editor_api.post(f"/api/v1/experiments/{experiment_id}/train/")
    assert response.status_code == 200, response.content
    arm = Experiment.objects.get(pk=experiment_id).arms.get(name="diverse")
    assert arm.run is not None and arm.run.trigger == "experiment"
    assert arm.run.settings["diversity"] == 0.3  # the run trains with the arm's settings
    assert settings_snapshot(shop)["diversity"] == before  # the shop's are untouched
    assert editor_api.post(f"/api/v1/experiments/{experiment_id}/train/").status_code == 409

    Job.objects.filter(pk=arm.run.job_id).update(status=JobStatus.SUCCEEDED)
    assert editor_api.post(f"/api/v1/experiments/{experiment_id}/start/").status_code == 200


def test_unknown_arm_setting_is_refused(editor_api, two_runs):
    body = {
        "kind": "recommendations",
        "name": "Typo",
        "arms": [
            {"name": "current", "weight": 50, "run_id": two_runs[1].pk},
            {"name": "typo", "weight": 50, "settings": {"diversty": 0.3}},
        ],
        **PLAN,
    }
    response = editor_api.post("/api/v1/experiments/", body, format="json")
    assert response.status_code == 400
    assert "diversty" in response.content.decode()
