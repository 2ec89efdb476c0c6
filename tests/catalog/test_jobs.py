import pytest
from django.urls import reverse

from catalog import jobs
from catalog.models import Job, JobStatus
from catalog.tasks import run_demo_count_job
from tests.conftest import wait_for


def make_job(shop, **params) -> Job:
    return Job.objects.create(shop=shop, kind="demo_count", params=params)


def test_run_job_moves_through_states_and_records_progress(shop):
    job = make_job(shop, count=3, step_s=0)
    assert run_demo_count_job(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 3, 3)
    assert job.result == {"counted": 3}
    assert job.started_at and job.finished_at


def test_failed_job_says_why_and_can_be_retried(shop):
    job = make_job(shop, count=1, step_s=0, fail="supplier feed unreachable")
    run_demo_count_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "supplier feed unreachable" in job.error
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


@pytest.mark.worker
def test_real_worker_runs_a_job_to_the_end(celery_worker, shop):
    job = jobs.create_job(shop, "demo_count", params={"count": 3, "step_s": 0.05})
    # Outside a transaction (transactional_db) on_commit fires at once and queues the task.
    finished = wait_for(lambda: Job.objects.filter(pk=job.pk, status="succeeded").first(), 60)
    assert finished.progress_done == 3 and finished.task_id
