"""Celery tasks of shopper answers: take a job id, hand the work to a service."""

from __future__ import annotations

from celery import shared_task

from catalog import jobs
from generation.answers import job_kinds  # noqa: F401  (the kinds exist in the worker too)


@shared_task(
    name="generation.answers.tasks.run_answer_job", acks_late=True, reject_on_worker_lost=True
)
def run_answer_job(job_id: int) -> str:
    """Answer a list of questions (see services.run_answer_job); resumable item by item."""
    from generation.answers.services import run_answer_job as work

    return jobs.run_job(job_id, work)


@shared_task(
    name="generation.answers.tasks.run_index_job", acks_late=True, reject_on_worker_lost=True
)
def run_index_job(job_id: int) -> str:
    """Embed every changed fact of the shop (unchanged facts are skipped by their hash)."""
    from generation.answers.services import rebuild_index

    def work(job, run):
        result = rebuild_index(job.shop, on_progress=run.progress)
        return {
            "embedded": result.embedded,
            "unchanged": result.unchanged,
            "deleted": result.deleted,
        }

    return jobs.run_job(job_id, work)
