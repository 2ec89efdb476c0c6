"""The one job pattern shared by imports, generation, recommendation runs and the rest.

A kind registers the Celery task that runs it (`register_job_kind`). Services here create a job
row and queue its task after the transaction commits; the task wraps its work in `run_job`, which
moves the row through queued -> running -> succeeded/failed and reports progress. A task that is
delivered twice, or for a job that was cancelled, does nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Job, JobStatus, Shop

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    task_name: str
    queue: str


JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(name: str, label: str, task_name: str, queue: str = "default") -> None:
    JOB_KINDS[name] = JobKind(name=name, label=label, task_name=task_name, queue=queue)


def job_kind_label(kind: str) -> str:
    return JOB_KINDS[kind].label if kind in JOB_KINDS else kind


class JobCancelled(Exception):
    """Raised inside a running job when someone cancelled it; the work stops cleanly."""


def create_job(
    shop: Shop, kind: str, *, user=None, params: dict | None = None, total: int = 0
) -> Job:
    if kind not in JOB_KINDS:
        raise ValueError(f"Unknown job kind {kind!r}")
    job = Job.objects.create(
        shop=shop,
        kind=kind,
        created_by=user if user is not None and user.is_authenticated else None,
        params=params or {},
        progress_total=total,
    )
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def enqueue_job(job_id: int) -> None:
    """Send the job's task. A broker outage leaves the job `queued` for the sweeper to retry."""
    from shopllm_site.celery import app

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return
    kind = JOB_KINDS[job.kind]
    try:
        async_result = app.send_task(kind.task_name, args=[job.pk], queue=kind.queue)
    except Exception as exc:  # kombu raises several types for a broker that is down
        log.warning("Could not queue job %s (%s); the sweeper will retry", job.pk, exc)
        return
    Job.objects.filter(pk=job.pk).update(task_id=async_result.id)


def retry_job(job: Job) -> Job:
    if not job.can_retry:
        raise ValueError("Only a failed or cancelled job can be retried.")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED,
        error="",
        queued_at=timezone.now(),
        finished_at=None,
        task_id="",
    )
    transaction.on_commit(lambda: enqueue_job(job.pk))
    job.refresh_from_db()
    return job


def cancel_job(job: Job) -> Job:
    """Queued jobs stop at once; a running job stops at its next progress report."""
    updated = Job.objects.filter(
        pk=job.pk, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).update(status=JobStatus.CANCELLED, finished_at=timezone.now())
    if not updated:
        raise ValueError("Only a queued or running job can be cancelled.")
    job.refresh_from_db()
    return job


def requeue_stuck_jobs() -> int:
    """Queue again the jobs left `queued` too long (their message was lost or never sent)."""
    cutoff = timezone.now() - timedelta(seconds=settings.SHOPLLM_JOB_REQUEUE_AFTER_S)
    stuck = list(
        Job.objects.filter(status=JobStatus.QUEUED, queued_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    for job_id in stuck:
        Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
        enqueue_job(job_id)
    return len(stuck)


class JobRun:
    """Handle given to a job's work function: progress reports and cancellation checks."""

    def __init__(self, job: Job):
        self.job = job

    def set_total(self, total: int) -> None:
        self.job.progress_total = total
        Job.objects.filter(pk=self.job.pk).update(progress_total=total, heartbeat_at=timezone.now())

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress; raises JobCancelled if someone cancelled the job meanwhile."""
        fields = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = total
        updated = Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(**fields)
        if not updated:
            raise JobCancelled()
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total


def run_job(job_id: int, work: Callable[[Job, JobRun], dict | None]) -> str:
    """Run `work(job, run)` for a queued job; returns the final status (or why it was skipped).

    A job that is already running is resumed (the worker died or the message was re-delivered):
    `work` must be idempotent, which the services guarantee with upserts and per-item checks.
    """
    claimed = Job.objects.filter(
        pk=job_id, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    ).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    if not claimed:
        log.info("Job %s is gone or finished; nothing to do", job_id)
        return "skipped"
    job = Job.objects.get(pk=job_id)
    if job.started_at is None:
        job.started_at = timezone.now()
    job.attempts += 1
    job.save(update_fields=["started_at", "attempts"])
    log.info("Job %s (%s) started, attempt %s", job.pk, job.kind, job.attempts)
    try:
        result = work(job, JobRun(job))
    except JobCancelled:
        log.info("Job %s cancelled", job.pk)
        return JobStatus.CANCELLED
    except Exception as exc:
        log.exception("Job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return JobStatus.FAILED
    fields = {"status": JobStatus.SUCCEEDED, "finished_at": timezone.now(), "error": ""}
    if result is not None:
        fields["result"] = result
    # A job cancelled during its last step stays cancelled.
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)
    job.refresh_from_db()
    log.info("Job %s finished: %s", job.pk, job.status)
    return job.status


def fail_job(job: Job, error: str) -> None:
    """Mark a job failed with a message a merchant can act on (used for validation failures)."""
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
