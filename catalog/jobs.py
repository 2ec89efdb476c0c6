"""The one job pattern shared by imports, generation, recommendation runs and the rest.

Each kind is declared once (`register_job_kind`): its label, the Celery task that runs it, the
queue, and which errors are transient. `job_task(kind)` turns a work function into that task, and
`enqueue_job` routes by the same declaration, so no other routing table exists. Services here
create a job row and queue its task after the transaction commits; `run_job` moves the row through
queued -> running -> succeeded/failed and reports progress. A task that is delivered twice, or for
a job that was cancelled, does nothing the second time.

Recovery without anyone pressing retry (settings `SHOPLLM_JOB_*`):
- A running job beats (`heartbeat_at`) from a thread every SHOPLLM_JOB_HEARTBEAT_S, however long
  one step of its work takes. Each claim of the job is a lease: `attempts` counts claims, and a
  worker whose lease was taken over stops at its next progress report.
- `reap_lost_jobs` (beat, every SHOPLLM_JOB_SWEEP_S) puts a running job whose beat is older than
  SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S back in the queue to resume, up to SHOPLLM_JOB_MAX_WORKER_LOSSES
  times, then fails it with the reason.
- `requeue_stuck_jobs` (same beat) sends a job whose send failed (broker down: `enqueue_error`
  says so to the merchant) at its next tick, and again one left queued for
  SHOPLLM_JOB_REQUEUE_AFTER_S (message lost). A second message for one job is harmless: only a
  queued job, or a running one whose beat stopped, can be claimed.

Work fails one way: it raises. A `ShopError` (e.g. `JobFailed`) is recorded as its message, for the
merchant; an error listed in the kind's retry policy puts the job back in the queue with backoff
until the retries run out; anything else is recorded with its type, as a bug to look at.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
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


class LeaseLost(JobCancelled):
    """Raised inside a job whose claim was taken over (the reaper judged this worker lost and
    another worker resumed the job): this one stops without touching the row."""


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
    transaction.on_commit(lambda: _send_after_commit(job))
    return job


def _send_after_commit(job: Job) -> None:
    enqueue_job(job.pk)
    # The caller still holds `job` (an API view serializes it next): show it the send's outcome.
    job.refresh_from_db(fields=["task_id", "enqueue_error"])


BROKER_DOWN_MESSAGE = (
    "Queued — the job server is unreachable; the job will start as soon as it is back."
)


def enqueue_job(job_id: int) -> bool:
    """Send the job's task; False when the broker is down, which the job's `enqueue_error`
    then says, until the sweeper's next tick sends it."""
    from shopllm_site.celery import app

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return False
    kind = JOB_KINDS[job.kind]
    try:
        async_result = app.send_task(kind.task_name, args=[job.pk], queue=kind.queue)
    except Exception as exc:  # kombu raises several types for a broker that is down
        log.warning("Could not queue job %s (%s); the sweeper will retry", job.pk, exc)
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            enqueue_error=BROKER_DOWN_MESSAGE
        )
        return False
    Job.objects.filter(pk=job.pk).update(task_id=async_result.id, enqueue_error="")
    return True


def retry_job(job: Job) -> Job:
    if not job.can_retry:
        raise Conflict("Only a failed or cancelled job can be retried.")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED,
        error="",
        queued_at=timezone.now(),
        finished_at=None,
        task_id="",
        worker_losses=0,
    )
    job.refresh_from_db()
    transaction.on_commit(lambda: _send_after_commit(job))
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


# A job younger than this may still be in its creator's on-commit send; the sweeper waits.
NEVER_SENT_GRACE_S = 10
SWEEP_LIMIT = 500


def requeue_stuck_jobs() -> int:
    """Send again the queued jobs whose message never left (no task id: the broker was down) and
    those left queued for SHOPLLM_JOB_REQUEUE_AFTER_S (their message was lost)."""
    now = timezone.now()
    never_sent = Q(task_id="", queued_at__lt=now - timedelta(seconds=NEVER_SENT_GRACE_S))
    lost = Q(queued_at__lt=now - timedelta(seconds=settings.SHOPLLM_JOB_REQUEUE_AFTER_S))
    stuck = list(
        Job.objects.filter(never_sent | lost, status=JobStatus.QUEUED)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    for job_id in stuck:
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(queued_at=now)
        enqueue_job(job_id)
    return len(stuck)


def reap_lost_jobs() -> int:
    """Put back in the queue the running jobs whose worker stopped beating; returns how many.

    Each job is changed by a compare-and-set on (status, heartbeat, lease), so two reapers, or a
    reaper racing the worker's own beat, never both act on it. The job resumes from its
    progress, as a retry does; after SHOPLLM_JOB_MAX_WORKER_LOSSES losses it fails instead.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S)
    limit = settings.SHOPLLM_JOB_MAX_WORKER_LOSSES
    silent = Job.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True), status=JobStatus.RUNNING
    ).values_list("pk", "heartbeat_at", "attempts", "worker_losses")[:SWEEP_LIMIT]
    reaped = 0
    for job_id, heartbeat_at, attempts, losses in list(silent):
        losses += 1
        same = Job.objects.filter(
            pk=job_id, status=JobStatus.RUNNING, heartbeat_at=heartbeat_at, attempts=attempts
        )
        if losses >= limit:
            error = (
                f"The worker running this job was lost {losses} times (no heartbeat for "
                f"{settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S} s); gave up. Retry it once the "
                "workers are healthy."
            )
            changed = same.update(
                status=JobStatus.FAILED, worker_losses=losses, error=error, finished_at=now
            )
        else:
            error = f"The worker running this job was lost ({losses} of {limit}); resuming."
            changed = same.update(
                status=JobStatus.QUEUED,
                worker_losses=losses,
                error=error,
                queued_at=now,
                task_id="",
            )
            if changed:
                enqueue_job(job_id)
        if changed:
            log.warning("Job %s: worker lost (%s of %s)", job_id, losses, limit)
            reaped += 1
    return reaped


def _held(job: Job):
    """The job's row while this claim (lease) of it still holds."""
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


class Heartbeat(threading.Thread):
    """Beats for a running job every SHOPLLM_JOB_HEARTBEAT_S while its work runs, so that a long
    step (a model load, one big batch) is not taken for a lost worker. It dies with the process,
    which is the point: a killed worker stops beating."""

    def __init__(self, job: Job):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job = job
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.SHOPLLM_JOB_HEARTBEAT_S):
                try:
                    _held(self.job).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # e.g. SQLite busy; the next beat tries again
                    log.warning("Job %s: heartbeat not written (%s)", self.job.pk, exc)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


class JobRun:
    """Handle given to a job's work function: progress reports and cancellation checks."""

    def __init__(self, job: Job):
        self.job = job

    def set_total(self, total: int) -> None:
        self.job.progress_total = total
        _held(self.job).update(progress_total=total, heartbeat_at=timezone.now())

    def progress(self, done: int, total: int | None = None) -> None:
        """Record progress; raises JobCancelled if someone cancelled the job meanwhile (or
        LeaseLost if another worker took it over)."""
        fields = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = total
        if not _held(self.job).update(**fields):
            # Still active, but not on this claim: the reaper or another worker has it now.
            active = (JobStatus.QUEUED, JobStatus.RUNNING)
            if Job.objects.filter(pk=self.job.pk, status__in=active).exists():
                raise LeaseLost()
            raise JobCancelled()
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total


def run_job(
    job_id: int, work: Callable[[Job, JobRun], dict | None], *, retries_done: int = 0
) -> str:
    """Run `work(job, run)` for a queued job; returns the final status (or why it was skipped).

    The claim is atomic and takes a queued job, or a running one whose heartbeat stopped (its
    worker died; the message came back): that job resumes, so `work` must be idempotent, which
    the services guarantee with upserts and per-item checks. Any other delivery (a second
    message for a job already running or finished) does nothing.
    `retries_done` counts the earlier tries of this delivery after transient errors; while the
    kind's policy allows another, a transient error raises `RetryLater` with the job queued again.
    """
    now = timezone.now()
    silent_since = now - timedelta(seconds=settings.SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S)
    claimable = Q(status=JobStatus.QUEUED) | Q(
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True), status=JobStatus.RUNNING
    )
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        enqueue_error="",
    )
    if not claimed:
        log.info("Job %s is running elsewhere, gone or finished; nothing to do", job_id)
        return "skipped"
    job = Job.objects.get(pk=job_id)
    if job.started_at is None:
        job.started_at = now
        job.save(update_fields=["started_at"])
    log.info("Job %s (%s) started, attempt %s", job.pk, job.kind, job.attempts)
    heartbeat = Heartbeat(job)
    heartbeat.start()
    try:
        result = work(job, JobRun(job))
    except LeaseLost:
        log.warning("Job %s was taken over by another worker; this one stops", job.pk)
        return "skipped"
    except JobCancelled:
        log.info("Job %s cancelled", job.pk)
        return JobStatus.CANCELLED
    except Exception as exc:
        return _record_failure(job, exc, retries_done)
    finally:
        heartbeat.stop()
    fields = {"status": JobStatus.SUCCEEDED, "finished_at": timezone.now(), "error": ""}
    if result is not None:
        fields["result"] = result
    # A job cancelled (or taken over) during its last step is left as it is.
    _held(job).update(**fields)
    job.refresh_from_db()
    log.info("Job %s finished: %s", job.pk, job.status)
    return job.status


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _record_failure(job: Job, exc: Exception, retries_done: int) -> str:
    """Queue the job again after a transient error while retries remain, else mark it failed."""
    policy = JOB_KINDS[job.kind].retry if job.kind in JOB_KINDS else NO_RETRY
    # Only a job still running on this claim is touched: one cancelled meanwhile stays cancelled.
    running = _held(job)
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
