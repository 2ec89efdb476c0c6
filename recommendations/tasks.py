"""Celery tasks of the recommender: take ids, hand the work to the services."""

from __future__ import annotations

from celery import shared_task

from catalog import jobs


@shared_task(
    name="recommendations.tasks.run_recommendation_job", acks_late=True, reject_on_worker_lost=True
)
def run_recommendation_job(job_id: int) -> str:
    from recommendations.services import run_job_work

    return jobs.run_job(job_id, run_job_work)


@shared_task(name="recommendations.tasks.start_nightly_runs")
def start_nightly_runs() -> list[int]:
    """Beat entry: a run for every shop with interactions newer than its last run."""
    from recommendations.services import start_nightly_runs as start

    return start()
