"""The experiment pages: list, create, detail with its polled figures, actions, audit trail;
viewers read, editors act, outsiders get 404s."""

from __future__ import annotations

import pytest
from django.urls import reverse

from experiments.models import Experiment, ExperimentStatus


@pytest.fixture
def plan() -> dict:
    return {
        "metric": "conversion",
        "baseline_rate": "0.05",
        "minimum_effect": "0.2",
        "alpha": "0.05",
        "power": "0.8",
    }


@pytest.fixture
def experiment(editor_client, two_runs, plan) -> Experiment:
    run_a, run_b = two_runs
    response = editor_client.post(
        reverse("experiments:create"),
        {
            "name": "Runs",
            "placement": "customer",
            "run_a": run_a.pk,
            "run_b": run_b.pk,
            "split": "50/50",
            **plan,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Experiment.objects.get()


def test_create_start_stop_and_trail(editor_client, experiment):
    assert experiment.sample_size_per_arm > 1000
    assert [arm.weight for arm in experiment.arms.all()] == [50, 50]
    detail = reverse("experiments:detail", args=[experiment.pk])
    page = editor_client.get(detail).content.decode()
    assert "Start" in page and "Not started yet" in page
    editor_client.post(reverse("experiments:start", args=[experiment.pk]))
    page = editor_client.get(detail).content.decode()
    assert 'hx-trigger="every 5s"' in page  # live figures while running
    assert "Started an experiment" in page and "Provisional" in page
    fragment = editor_client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert "Figures" in fragment and "Audit trail" not in fragment
    editor_client.post(reverse("experiments:stop", args=[experiment.pk]))
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.STOPPED
    page = editor_client.get(detail).content.decode()
    assert "Stopped an experiment" in page and "every 5s" not in page


def test_bad_split_is_shown_on_the_form(editor_client, two_runs, plan):
    run_a, run_b = two_runs
    response = editor_client.post(
        reverse("experiments:create"),
        {
            "name": "Bad",
            "placement": "customer",
            "run_a": run_a.pk,
            "run_b": run_b.pk,
            "split": "70/70",
            **plan,
        },
    )
    assert response.status_code == 200
    assert "add up to 100" in response.content.decode()
    assert not Experiment.objects.exists()


def test_copy_form_reports_products_without_two_versions(editor_client, catalog_rows, plan):
    response = editor_client.post(
        reverse("experiments:create_copy"),
        {"name": "Copy", "field": "description", "skus": "SKU-0\nSKU-1", "split": "50/50", **plan},
    )
    assert response.status_code == 200
    assert "two approved versions" in response.content.decode()


def test_list_shows_experiments_with_bounded_queries(
    viewer_client, experiment, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = viewer_client.get(reverse("experiments:list")).content.decode()
    assert "Runs" in page and "New recommendation experiment" not in page


def test_viewer_cannot_act(viewer_client, experiment):
    assert viewer_client.get(reverse("experiments:create")).status_code == 403
    response = viewer_client.post(reverse("experiments:start", args=[experiment.pk]))
    assert response.status_code == 403
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT


def test_outsider_cannot_see_or_change_the_experiment(outsider_client, experiment):
    assert "Runs" not in outsider_client.get(reverse("experiments:list")).content.decode()
    assert (
        outsider_client.get(reverse("experiments:detail", args=[experiment.pk])).status_code == 404
    )
    for name in ("start", "stop", "promote"):
        response = outsider_client.post(reverse(f"experiments:{name}", args=[experiment.pk]))
        assert response.status_code == 404
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT


def test_arm_with_settings_is_trained_from_the_page(editor_client, two_runs, plan):
    run_a, _ = two_runs
    response = editor_client.post(
        reverse("experiments:create"),
        {
            "name": "Diverse",
            "placement": "customer",
            "run_a": run_a.pk,
            "settings_b": '{"diversity": 0.3}',
            "split": "50/50",
            **plan,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    experiment = Experiment.objects.get()
    detail = reverse("experiments:detail", args=[experiment.pk])
    assert "Train arm B" in editor_client.get(detail).content.decode()
    editor_client.post(reverse("experiments:train", args=[experiment.pk]))
    arm = experiment.arms.get(name="B")
    assert arm.run is not None and arm.run.settings["diversity"] == 0.3
    page = editor_client.get(detail).content.decode()
    assert "Train arm B" not in page and "diversity = 0.3" in page


def test_arm_b_needs_a_run_or_settings(editor_client, two_runs, plan):
    response = editor_client.post(
        reverse("experiments:create"),
        {"name": "X", "placement": "customer", "run_a": two_runs[0].pk, "split": "50/50", **plan},
    )
    assert response.status_code == 200
    assert "Choose a run for arm B" in response.content.decode()
