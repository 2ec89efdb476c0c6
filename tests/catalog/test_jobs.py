from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog import jobs
from catalog.models import Job, JobStatus
from tests.conftest import wait_for
from tests.demo_jobs import DEMO_COUNT, run_demo_count_job


def make_job(shop, **params) -> Job:
    return Job.objects.create(shop=shop, kind="demo_count", params=params)


def test_run_job_moves_through_states_and_records_progress(shop):
    job = make_job(shop, count=3, step_s=0)
    assert run_demo_count_job(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 3, 3)
    assert job.result == {"counted": 3}
    assert job.started_at and job.finished_at


def test_unexpected_error_fails_the_job_with_its_type_and_can_be_retried(shop):
    job = make_job(shop, count=1, step_s=0, fail="supplier feed unreachable")
    assert run_demo_count_job(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "RuntimeError: supplier feed unreachable"
    assert job.finished_at is not None
    jobs.retry_job(job)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.error == ""


def test_finished_job_is_not_run_twice(shop):
    job = make_job(shop, count=2, step_s=0)
    run_demo_count_job(job.pk)
    assert run_demo_count_job(job.pk) == "skipped"
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_cancelled_job_is_skipped(shop):
    job = make_job(shop, count=2, step_s=0)
    jobs.cancel_job(job)
    assert run_demo_count_job(job.pk) == "skipped"
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED


def test_redelivered_running_job_resumes_from_its_progress(shop):
    job = make_job(shop, count=4, step_s=0)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress_done=2, progress_total=4
    )
    assert run_demo_count_job(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.progress_done == 4 and job.attempts == 1


def test_create_job_enqueues_only_after_commit(
    shop, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(jobs, "enqueue_job", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.create_job(shop, "demo_count", params={"count": 1})
        assert sent == []
    assert sent == [job.pk]


def test_broker_down_leaves_job_queued_for_the_sweeper(shop, monkeypatch, settings):
    from shopllm_site.celery import app

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(app, "send_task", broker_down)
    job = make_job(shop, count=1)
    jobs.enqueue_job(job.pk)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED

    sent = []
    monkeypatch.setattr(jobs, "enqueue_job", lambda job_id: sent.append(job_id))
    settings.SHOPLLM_JOB_REQUEUE_AFTER_S = 10
    assert jobs.requeue_stuck_jobs() == 0  # too recent
    Job.objects.filter(pk=job.pk).update(
        queued_at=job.queued_at - __import__("datetime").timedelta(minutes=5)
    )
    assert jobs.requeue_stuck_jobs() == 1
    assert sent == [job.pk]


def test_jobs_page_lists_only_own_shop_jobs(owner_client, outsider_client, shop):
    job = make_job(shop, count=1)
    page = owner_client.get(reverse("catalog:job_list"))
    assert reverse("catalog:job_detail", args=[job.pk]).encode() in page.content
    assert outsider_client.get(reverse("catalog:job_detail", args=[job.pk])).status_code == 404
    assert outsider_client.post(reverse("catalog:job_cancel", args=[job.pk])).status_code == 404
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_jobs_rows_fragment_polls_while_active(owner_client, shop):
    make_job(shop, count=1)
    fragment = owner_client.get(reverse("catalog:job_list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    assert b'hx-trigger="every 2s"' in fragment.content


def test_viewer_cannot_cancel(viewer_client, shop):
    job = make_job(shop, count=1)
    assert viewer_client.post(reverse("catalog:job_cancel", args=[job.pk])).status_code == 403


def test_editor_cancels_and_retries_from_the_page(editor_client, shop):
    job = make_job(shop, count=1)
    editor_client.post(reverse("catalog:job_cancel", args=[job.pk]))
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    editor_client.post(reverse("catalog:job_retry", args=[job.pk]))
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_shop_error_fails_the_job_with_exactly_its_message(shop):
    message = "Row 3 has no SKU. Fix it and upload the file again."
    job = make_job(shop, count=2, step_s=0, reject=message)
    assert run_demo_count_job(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, message)
    assert job.result == {"counted": 2}


def test_transient_error_retries_with_the_job_queued_then_succeeds(shop):
    job = make_job(shop, count=1, step_s=0, transient_failures=2)
    # apply() runs the task here and follows Celery's retries at once (no countdown wait).
    outcome = run_demo_count_job.apply(args=[job.pk])
    assert outcome.get() == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.SUCCEEDED, 3, "")


def test_transient_error_gives_up_after_the_kinds_retries_with_the_reason(shop):
    retries = DEMO_COUNT.retry.max_retries
    job = make_job(shop, count=1, step_s=0, transient_failures=99)
    assert run_demo_count_job.apply(args=[job.pk]).get() == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == retries + 1
    assert job.error == (
        f"TimeoutError: model server timed out (gave up after {retries + 1} attempts)"
    )


def test_transient_error_puts_the_job_back_in_the_queue_with_backoff(shop):
    def timing_out(job, run):
        raise TimeoutError("model server timed out")

    job = make_job(shop, count=1)
    before = timezone.now()
    with pytest.raises(jobs.RetryLater) as retry:
        jobs.run_job(job.pk, timing_out, retries_done=1)
    assert retry.value.delay_s == DEMO_COUNT.retry.backoff_s * 2
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert "TimeoutError: model server timed out" in job.error
    # Due again after the backoff: the sweeper must not send it earlier.
    assert job.queued_at >= before + timedelta(seconds=retry.value.delay_s)


def test_a_wrapped_transient_error_is_retried_and_a_plain_one_is_not():
    policy = jobs.RetryPolicy()
    try:
        try:
            raise TimeoutError("read timed out")
        except TimeoutError as exc:
            raise RuntimeError("Model server at http://gpu-box failed") from exc
    except RuntimeError as wrapped:
        assert policy.covers(wrapped)
    assert not policy.covers(RuntimeError("Unexpected answer from the model server"))
    assert policy.delay_s(0) < policy.delay_s(1) < policy.delay_s(2)
    assert policy.delay_s(50) == policy.backoff_max_s


def test_each_kinds_task_and_queue_come_from_its_one_declaration(shop, monkeypatch):
    from shopllm_site.celery import app

    app.loader.import_default_modules()  # what a worker does: autodiscover every tasks module
    assert not getattr(settings, "CELERY_TASK_ROUTES", None)
    assert {kind.queue for kind in jobs.JOB_KINDS.values()} == {"default", "gpu"}
    for kind in jobs.JOB_KINDS.values():
        task = app.tasks[kind.task_name]
        assert task.queue == kind.queue, kind.name
        assert task.acks_late and task.reject_on_worker_lost, kind.name

    sent = []

    def send_task(name, **options):
        sent.append((name, options["queue"]))
        return SimpleNamespace(id=f"task-{len(sent)}")

    monkeypatch.setattr(app, "send_task", send_task)
    for kind in jobs.JOB_KINDS.values():
        jobs.enqueue_job(Job.objects.create(shop=shop, kind=kind.name).pk)
    assert sent == [(kind.task_name, kind.queue) for kind in jobs.JOB_KINDS.values()]


@pytest.mark.worker
def test_real_worker_runs_a_job_to_the_end(celery_worker, shop):
    job = jobs.create_job(shop, "demo_count", params={"count": 3, "step_s": 0.05})
    # Outside a transaction (transactional_db) on_commit fires at once and queues the task.
    finished = wait_for(lambda: Job.objects.filter(pk=job.pk, status="succeeded").first(), 60)
    assert finished.progress_done == 3 and finished.task_id


@pytest.mark.worker
def test_real_worker_retries_a_timed_out_job_through_the_broker(celery_worker, shop):
    job = jobs.create_job(
        shop, "demo_count", params={"count": 1, "step_s": 0, "transient_failures": 1}
    )
    finished = wait_for(lambda: Job.objects.filter(pk=job.pk, status="succeeded").first(), 60)
    assert finished.attempts == 2 and finished.error == ""
