"""Celery tasks of shopper answers: take a job id, hand the work to a service."""

from __future__ import annotations

from answers.job_kinds import ANSWER_QUESTIONS, ANSWERS_INDEX
from catalog import jobs
from catalog.models import Job


@jobs.job_task(ANSWER_QUESTIONS)
def run_answer_job(job: Job, run: jobs.JobRun) -> dict:
    """Answer a list of questions (see services.run_answer_job); resumable item by item."""
    from answers.services import run_answer_job as work

    return work(job, run)


@jobs.job_task(ANSWERS_INDEX)
def run_index_job(job: Job, run: jobs.JobRun) -> dict:
    """Embed every changed fact of the shop (unchanged facts are skipped by their hash)."""
    from answers.services import rebuild_index

    result = rebuild_index(job.shop, on_progress=run.progress)
    return {"embedded": result.embedded, "unchanged": result.unchanged, "deleted": result.deleted}
