"""Celery tasks of the generation app (queue `gpu`): ids in, work in services/pipeline."""

from __future__ import annotations

from celery import shared_task

from catalog import jobs


@shared_task(
    name="generation.tasks.run_generation_job",
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_generation_job(job_id: int) -> str:
    from generation.pipeline import run_generation

    return jobs.run_job(job_id, run_generation)
