"""The one job pattern shared by imports, generation, recommendation runs and the rest.

Each kind is declared once (`register_job_kind`): its label, the Celery task that runs it, the
queue, and which errors are transient. `job_task(kind)` turns a work function into that task, and
`enqueue_job` routes by the same declaration, so no other routing table exists. Services here
create a job row and queue its task after the transaction commits; `run_job` moves the row through
queued -> running -> succeeded/failed and reports progress. A task that is delivered twice, or for
a job that was cancelled, does nothing the second time.

Work fails one way: it raises. A `ShopError` (e.g. `JobFailed`) is recorded as its message, for the
merchant; an error listed in the kind's retry policy puts the job back in the queue with backoff
until the retries run out; anything else is recorded with its type, as a bug to look at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.errors import Conflict, ShopError
from catalog.models import Job, JobStatus, Shop

log = logging.getLogger(__name__)

# Network trouble worth another try: a model server timing out or refusing a connection. Backends
# may wrap these (GeneratorError from TimeoutError); `RetryPolicy.covers` follows the chain.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)


@dataclass(frozen=True)
class RetryPolicy:
    """Errors that are retried, how often, and how far apart (the delay doubles each time)."""

    retry_on: tuple[type[BaseException], ...] = TRANSIENT_ERRORS
    max_retries: int = 3
    backoff_s: float = 10.0
    backoff_max_s: float = 600.0

    def covers(self, exc: BaseException) -> bool:
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            if isinstance(current, self.retry_on):
                return True
            seen.add(id(current))
            current = current.__cause__ or current.__context__
        return False

    def delay_s(self, retries_done: int) -> float:
        return min(self.backoff_max_s, self.backoff_s * 2**retries_done)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    task_name: str
    queue: str = "default"
    retry: RetryPolicy = RetryPolicy()


NO_RETRY = RetryPolicy(retry_on=(), max_retries=0)
JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(
    name: str,
    label: str,
    task_name: str,
    queue: str = "default",
    *,
    retry: RetryPolicy = RetryPolicy(),
) -> JobKind:
    """Declare a kind; each app's `job_kinds` module does this, imported by its ready()."""
    kind = JobKind(name=name, label=label, task_name=task_name, queue=queue, retry=retry)
    JOB_KINDS[name] = kind
    return kind


def job_kind_label(kind: str) -> str:
    return JOB_KINDS[kind].label if kind in JOB_KINDS else kind


class JobFailed(ShopError):
    """The work cannot finish for a reason the merchant can act on.

    `run_job` records the message as the job's error, as is, and `result` (row errors, counts)
    as the job's result.
    """

    code = "job_failed"

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.result = result


class RetryLater(Exception):
    """Raised by `run_job` after it put the job back in the queue; the task retries in `delay_s`."""

    def __init__(self, delay_s: float, cause: BaseException):
        super().__init__(f"retry in {delay_s:g} s after {type(cause).__name__}: {cause}")
        self.delay_s = delay_s
        self.cause = cause


def job_task(*kinds: JobKind) -> Callable[[Callable[[Job, JobRun], dict | None]], object]:
    """Make `work(job, run)` the Celery task of `kinds`: name and queue come from their one
    declaration, long work is acknowledged late, transient errors come back with backoff.

    The task takes a job id. Several kinds may share a task when they share its name and queue
    (the three CSV imports).
    """
    names = {kind.task_name for kind in kinds}
    queues = {kind.queue for kind in kinds}
    if len(names) != 1 or len(queues) != 1:
        raise ValueError("Kinds sharing a task must declare the same task name and queue.")
    (name,), (queue,) = names, queues

    def decorate(work: Callable[[Job, JobRun], dict | None]):
        def task(self, job_id: int) -> str:
            try:
                return run_job(job_id, work, retries_done=self.request.retries)
            except RetryLater as retry:
                raise self.retry(exc=retry.cause, countdown=retry.delay_s, queue=queue) from None

        # The task reads as the work function it runs (not functools.wraps: Celery checks the
        # call against the signature, which must stay `(job_id)`).
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(task, attribute, getattr(work, attribute))
        # max_retries=None: the kind's policy, checked in run_job, is the only limit.
        return shared_task(
            name=name,
            queue=queue,
            bind=True,
            acks_late=True,
            reject_on_worker_lost=True,
            max_retries=None,
        )(task)

    return decorate


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
        raise Conflict("Only a failed or cancelled job can be retried.")
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
        raise Conflict("Only a queued or running job can be cancelled.")
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


def run_job(
    job_id: int, work: Callable[[Job, JobRun], dict | None], *, retries_done: int = 0
) -> str:
    """Run `work(job, run)` for a queued job; returns the final status (or why it was skipped).

    A job that is already running is resumed (the worker died or the message was re-delivered):
    `work` must be idempotent, which the services guarantee with upserts and per-item checks.
    `retries_done` counts the earlier tries of this delivery after transient errors; while the
    kind's policy allows another, a transient error raises `RetryLater` with the job queued again.
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
        return _record_failure(job, exc, retries_done)
    fields = {"status": JobStatus.SUCCEEDED, "finished_at": timezone.now(), "error": ""}
    if result is not None:
        fields["result"] = result
    # A job cancelled during its last step stays cancelled.
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)
    job.refresh_from_db()
    log.info("Job %s finished: %s", job.pk, job.status)
    return job.status


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _record_failure(job: Job, exc: Exception, retries_done: int) -> str:
    """Queue the job again after a transient error while retries remain, else mark it failed."""
    policy = JOB_KINDS[job.kind].retry if job.kind in JOB_KINDS else NO_RETRY
    # Only a job still running is touched: one cancelled meanwhile stays cancelled.
    running = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
    transient = policy.covers(exc)
    if transient and retries_done < policy.max_retries:
        delay_s = policy.delay_s(retries_done)
        log.warning("Job %s: %s; retrying in %g s", job.pk, _describe(exc), delay_s)
        # queued_at is when it is due again, so the sweeper leaves it alone until then.
        if running.update(
            status=JobStatus.QUEUED,
            error=f"Attempt {job.attempts} failed ({_describe(exc)}); retrying."[:2000],
            queued_at=timezone.now() + timedelta(seconds=delay_s),
        ):
            raise RetryLater(delay_s, exc) from exc
    elif transient:
        log.warning("Job %s failed after %s retries", job.pk, retries_done, exc_info=exc)
        error = f"{_describe(exc)} (gave up after {retries_done + 1} attempts)"
        running.update(status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now())
    elif isinstance(exc, ShopError):
        log.info("Job %s failed: %s", job.pk, exc.message)
        fields = {"status": JobStatus.FAILED, "error": exc.message[:2000]}
        if getattr(exc, "result", None) is not None:
            fields["result"] = exc.result
        running.update(**fields, finished_at=timezone.now())
    else:
        log.error("Job %s failed", job.pk, exc_info=exc)
        error = _describe(exc)[:2000]
        running.update(status=JobStatus.FAILED, error=error, finished_at=timezone.now())
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)
