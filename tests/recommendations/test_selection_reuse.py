"""A run reuses the last model selection only when it cannot change the answer."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from catalog.models import Interaction, Job
from recommendations import selection, services
from recommendations.tasks import run_recommendation_job
from tests.recommendations.conftest import run_now

FAST = {"candidates": ["als", "item_knn", "popularity"], "tuning_budget_s": 0}


@pytest.fixture
def evaluations(monkeypatch):
    """Counts the fresh evaluations (every candidate fitted and scored on the hold-out)."""
    calls = []
    real = services._evaluate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_evaluate", counting)
    return calls


def add_interactions(shop, planted, count: int) -> None:
    now = timezone.now()
    customers, products = planted["customers"], planted["products"]
    Interaction.objects.bulk_create(
        [
            Interaction(
                shop=shop,
                customer=customers[i % len(customers)],
                product=products[(i * 7) % len(products)],
                kind="purchase",
                occurred_at=now - timedelta(minutes=i),
            )
            for i in range(count)
        ]
    )


def test_a_run_on_barely_changed_data_reuses_the_selection(shop, planted, evaluations):
    first = run_now(shop, **FAST)
    assert first.metrics["selection"]["reused_from"] is None
    assert "First run" in first.metrics["selection"]["reason"]
    before = Interaction.objects.for_shop(shop).count()
    add_interactions(shop, planted, int(before * 0.03))
    second = run_now(shop)
    assert second.job.status == "succeeded", second.job.error
    assert evaluations == [1]  # the second run did not evaluate
    note = second.metrics["selection"]
    assert note["reused_from"] == first.pk
    assert 0 < note["data_growth"] <= selection.MAX_GROWTH
    assert f"run #{first.pk}" in note["reason"]
    assert second.metrics["served"] == first.metrics["served"]
    assert second.metrics["leaderboard"] == first.metrics["leaderboard"]
    # The served model is refitted on all data: the new interactions are counted.
    assert second.stats["interactions"] == Interaction.objects.for_shop(shop).count()
    # A third run still names the run whose leaderboard picked the model.
    add_interactions(shop, planted, 2)
    third = run_now(shop)
    assert third.metrics["selection"]["reused_from"] == first.pk
    assert evaluations == [1]


def test_a_run_on_grown_data_selects_afresh(shop, planted, evaluations):
    run_now(shop, **FAST)
    before = Interaction.objects.for_shop(shop).count()
    add_interactions(shop, planted, int(before * 0.15))
    second = run_now(shop)
    assert evaluations == [1, 1]
    assert second.metrics["selection"]["reused_from"] is None
    assert "Data changed by" in second.metrics["selection"]["reason"]


def test_changed_settings_select_afresh(shop, planted, evaluations):
    run_now(shop, **FAST)
    second = run_now(shop, factors=16)
    assert evaluations == [1, 1]
    assert "Settings changed" in second.metrics["selection"]["reason"]
    # Only the list length changed: the selection is reused.
    third = run_now(shop, top_n=10)
    assert evaluations == [1, 1]
    assert third.metrics["selection"]["reused_from"] == second.pk


def test_an_old_selection_or_the_run_option_forces_a_fresh_one(shop, planted, evaluations):
    first = run_now(shop, **FAST)
    run = services.start_run(shop, fresh_selection=True)
    run_recommendation_job(run.job_id)
    run.refresh_from_db()
    assert evaluations == [1, 1]
    assert run.metrics["selection"]["reason"] == "A fresh selection was asked for."
    Job.objects.filter(pk__in=[first.job_id, run.job_id]).update(
        finished_at=timezone.now() - timedelta(days=selection.MAX_AGE_DAYS + 1)
    )
    third = run_now(shop)
    assert evaluations == [1, 1, 1]
    assert "days old" in third.metrics["selection"]["reason"]


def test_the_api_and_the_page_say_which_run_was_reused_and_take_the_option(
    shop, planted, editor_api, owner_client, monkeypatch
):
    from django.urls import reverse

    from catalog import jobs
    from recommendations.models import RecommendationRun

    first = run_now(shop, **FAST)
    add_interactions(shop, planted, 5)
    second = run_now(shop)
    body = editor_api.get(f"/api/v1/recommendations/runs/{second.pk}/").json()
    assert body["metrics"]["selection"]["reused_from"] == first.pk
    page = owner_client.get(reverse("recommendations:run_detail", args=[second.pk]))
    assert f"run #{first.pk}</a>" in page.content.decode()
    assert "reused" in page.content.decode()
    assert body["stats"]["als_warm_from"] == first.pk
    assert "the ALS starting from that run's item factors" in page.content.decode()
    cold = owner_client.get(reverse("recommendations:run_detail", args=[first.pk]))
    assert "item factors" not in cold.content.decode()
    monkeypatch.setattr(jobs, "enqueue_job", lambda job_id: None)
    response = editor_api.post(
        "/api/v1/recommendations/runs/", {"fresh_selection": True}, format="json"
    )
    assert response.status_code == 202
    started = RecommendationRun.objects.get(pk=response.json()["run_id"])
    assert started.job.params == {"fresh_selection": True}


def test_a_served_als_with_the_settings_values_is_fitted_once_on_all_data(
    shop, planted, monkeypatch
):
    from recommendations.engine import candidates, core

    fits, trains = [], []
    real_fit, real_train = candidates.fit, core.train_als

    def counting_fit(name, matrix, params=None):
        fits.append(matrix.nnz)
        return real_fit(name, matrix, params)

    def counting_train(matrix, config, **kwargs):
        trains.append(matrix.nnz)
        return real_train(matrix, config, **kwargs)

    monkeypatch.setattr(candidates, "fit", counting_fit)
    monkeypatch.setattr(core, "train_als", counting_train)
    first = run_now(shop, candidates=["als"], tuning_budget_s=0)
    assert first.metrics["served"]["name"] == "als"
    assert len(trains) == 1  # the settings' ALS on all data, nothing else fitted there
    assert all(nnz < trains[0] for nnz in fits)  # candidates: the hold-out's training side
    add_interactions(shop, planted, 3)
    fits.clear()
    second = run_now(shop)  # the reused selection's params come back from JSON
    assert second.metrics["selection"]["reused_from"] == first.pk
    assert len(trains) == 2 and fits == []


def test_a_reused_selection_starts_the_als_from_that_runs_item_factors(shop, planted, monkeypatch):
    from catalog.models import Product
    from recommendations.engine import core
    from recommendations.list_store import stored_item_factors

    starts = []
    real_train = core.train_als

    def recording_train(matrix, config, *, warm_items=None):
        starts.append(warm_items)
        return real_train(matrix, config, warm_items=warm_items)

    monkeypatch.setattr(core, "train_als", recording_train)
    first = run_now(shop, candidates=["als"], tuning_budget_s=0)
    assert starts == [None] and first.stats["als_warm_from"] is None
    # A new product between the runs: it has no stored factors.
    new = Product.objects.create(shop=shop, sku="NEW-1", title="New item", category="New")
    Interaction.objects.create(
        shop=shop, customer=planted["customers"][0], product=new, kind="view"
    )
    add_interactions(shop, planted, 3)
    second = run_now(shop)
    assert second.metrics["selection"]["reused_from"] == first.pk
    assert second.stats["als_warm_from"] == first.pk
    start = starts[1]
    ids, factors = stored_item_factors(first.pk)
    data = services.load_shop_data(shop, second.settings)
    position = {pid: i for i, pid in enumerate(data.product_ids)}
    assert start.shape == (len(data.product_ids), factors.shape[1])
    for pid, row in zip(ids.tolist(), factors, strict=True):
        np.testing.assert_array_equal(start[position[pid]], row)
    new_row = start[position[new.pk]]
    assert np.all((new_row >= 0) & (new_row < 0.01)) and new_row.any()


def test_a_reused_selection_without_stored_factors_fits_cold(shop, planted, monkeypatch):
    from recommendations.models import RunModelData

    first = run_now(shop, candidates=["als"], tuning_budget_s=0)
    RunModelData.objects.filter(run=first).delete()
    add_interactions(shop, planted, 3)
    second = run_now(shop)
    assert second.job.status == "succeeded", second.job.error
    assert second.metrics["selection"]["reused_from"] == first.pk
    assert second.stats["als_warm_from"] is None


def test_the_start_page_checkbox_asks_for_a_fresh_selection(
    shop, planted, editor_client, monkeypatch
):
    from django.urls import reverse

    from catalog import jobs
    from recommendations.models import RecommendationRun

    monkeypatch.setattr(jobs, "enqueue_job", lambda job_id: None)
    listing = editor_client.get(reverse("recommendations:run_list")).content.decode()
    assert 'name="fresh_selection"' in listing
    editor_client.post(reverse("recommendations:run_start"), {"fresh_selection": "1"})
    assert RecommendationRun.objects.get().job.params == {"fresh_selection": True}


def test_start_refuses_a_body_that_is_not_an_object(shop, editor_api):
    from recommendations.models import RecommendationRun

    for body in ([1, 2], {"fresh_selection": "perhaps"}):
        response = editor_api.post("/api/v1/recommendations/runs/", body, format="json")
        assert response.status_code == 400, response.content
    assert not RecommendationRun.objects.filter(shop=shop).exists()
