"""Celery tasks of the recommender: take ids, hand the work to the services."""

from __future__ import annotations

from celery import shared_task

from catalog import jobs
from catalog.models import Job
from recommendations.job_kinds import RECOMMENDATION_RUN


@jobs.job_task(RECOMMENDATION_RUN)
def run_recommendation_job(job: Job, run: jobs.JobRun) -> dict:
    """Train, evaluate and store the lists of the job's recommendation run."""
    from recommendations.services import run_job_work

    return run_job_work(job, run)


@shared_task(name="recommendations.tasks.start_nightly_runs")
def start_nightly_runs() -> list[int]:
    """Beat entry: a run for every shop with interactions newer than its last run."""
    from recommendations.services import start_nightly_runs as start

    return start()
