"""Dropping the run's own status keeps what every run showed and which run serves."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("recommendations", "0003_run_last_interaction_id")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_run_keeps_its_state_in_its_job():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = _migrate(BEFORE)
    try:
        shop = old_apps.get_model("catalog", "Shop").objects.create(name="Old", slug="old")
        Job = old_apps.get_model("catalog", "Job")
        Run = old_apps.get_model("recommendations", "RecommendationRun")
        finished = timezone.now()
        # Lists stored, then its job cancelled during the last progress report.
        stored = Run.objects.create(
            shop=shop,
            status="succeeded",
            finished_at=finished,
            job=Job.objects.create(shop=shop, kind="recommendation_run", status="cancelled"),
        )
        # Its job deleted by hand (the old foreign key set it to null).
        orphan = Run.objects.create(shop=shop, status="succeeded", finished_at=finished)
        unfinished = Run.objects.create(shop=shop, status="running")
        failed = Run.objects.create(
            shop=shop,
            status="failed",
            error="Cancelled.",
            job=Job.objects.create(
                shop=shop, kind="recommendation_run", status="failed", error="Boom"
            ),
        )
    finally:
        new_apps = _migrate(leaves)

    Run = new_apps.get_model("recommendations", "RecommendationRun")
    jobs = {run.pk: run.job for run in Run.objects.select_related("job")}
    assert (jobs[stored.pk].status, jobs[stored.pk].finished_at) == ("succeeded", finished)
    assert (jobs[orphan.pk].status, jobs[orphan.pk].finished_at) == ("succeeded", finished)
    assert jobs[orphan.pk].kind == "recommendation_run" and jobs[orphan.pk].shop_id == shop.pk
    assert jobs[unfinished.pk].status == "failed" and jobs[unfinished.pk].error
    assert (jobs[failed.pk].status, jobs[failed.pk].error) == ("failed", "Boom")
