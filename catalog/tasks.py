"""Celery tasks of the catalog: take a job id, look the row up, hand the work to a service."""

from __future__ import annotations

from celery import shared_task

from catalog import jobs
from catalog.job_kinds import IMPORT_CUSTOMERS, IMPORT_INTERACTIONS, IMPORT_PRODUCTS
from catalog.models import Job


@shared_task(name="catalog.tasks.requeue_stuck_jobs")
def requeue_stuck_jobs() -> int:
    return jobs.requeue_stuck_jobs()


@shared_task(name="catalog.tasks.reap_lost_jobs")
def reap_lost_jobs() -> int:
    return jobs.reap_lost_jobs()


@jobs.job_task(IMPORT_PRODUCTS, IMPORT_CUSTOMERS, IMPORT_INTERACTIONS)
def run_import_job(job: Job, run: jobs.JobRun) -> dict:
    """A CSV import (products, customers or interactions); see catalog.csv_io.imports."""
    from catalog.csv_io.imports import run_import

    return run_import(job, run)
