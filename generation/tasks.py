"""Celery tasks of the generation app: ids in, work in services/pipeline."""

from __future__ import annotations

from catalog import jobs
from catalog.models import Job
from generation.job_kinds import GENERATE_COPY


@jobs.job_task(GENERATE_COPY)
def run_generation_job(job: Job, run: jobs.JobRun) -> dict:
    """Write draft copy for the job's selection (see generation.pipeline)."""
    from generation.pipeline import run_generation

    return run_generation(job, run)
