"""Celery tasks of the catalog: take a job id, look the row up, hand the work to a service."""

from __future__ import annotations

import time

from celery import shared_task

from catalog import jobs


@shared_task(name="catalog.tasks.requeue_stuck_jobs")
def requeue_stuck_jobs() -> int:
    return jobs.requeue_stuck_jobs()


@shared_task(name="catalog.tasks.run_demo_count_job", acks_late=True, reject_on_worker_lost=True)
def run_demo_count_job(job_id: int) -> str:
    """Counts to params["count"], one step per params["step_s"] seconds: exercises progress."""

    def work(job, run):
        count = int(job.params.get("count", 5))
        step_s = float(job.params.get("step_s", 0.1))
        run.set_total(count)
        for done in range(job.progress_done + 1, count + 1):
            time.sleep(step_s)
            run.progress(done)
        if job.params.get("fail"):
            raise RuntimeError(job.params["fail"])
        return {"counted": count}

    return jobs.run_job(job_id, work)


@shared_task(name="catalog.tasks.run_import_job", acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> str:
    """A CSV import (products, customers or interactions); see catalog.csv_io.imports."""
    from catalog.csv_io.imports import run_import

    return jobs.run_job(job_id, run_import)
