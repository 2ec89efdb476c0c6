"""Jobs API: clients poll any kind of job here; editors retry and cancel."""

from __future__ import annotations

import pytest

from catalog.models import Job, JobStatus

LIST = "/api/v1/jobs/"


def make_job(shop, **fields) -> Job:
    return Job.objects.create(shop=shop, kind="demo_count", params={"count": 3}, **fields)


@pytest.fixture
def failed_job(shop) -> Job:
    return make_job(
        shop, status=JobStatus.FAILED, error="Feed unreachable", progress_done=1, progress_total=3
    )


def test_viewer_polls_job_status_progress_and_error(viewer_api, failed_job):
    data = viewer_api.get(f"{LIST}{failed_job.pk}/").json()
    assert data["status"] == "failed"
    assert (data["progress_done"], data["progress_total"], data["percent"]) == (1, 3, 33)
    assert data["error"] == "Feed unreachable"
    assert data["can_retry"] is True and data["can_cancel"] is False
    assert data["kind"] == "demo_count" and data["kind_label"]


def test_list_filters_by_status_and_kind(viewer_api, shop, failed_job):
    make_job(shop)
    assert viewer_api.get(LIST).json()["count"] == 2
    results = viewer_api.get(LIST, {"status": "failed"}).json()["results"]
    assert [job["id"] for job in results] == [failed_job.pk]
    assert viewer_api.get(LIST, {"kind": "csv_import"}).json()["count"] == 0


def test_editor_retries_failed_job(editor_api, failed_job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_api.post(f"{LIST}{failed_job.pk}/retry/")
    assert response.status_code == 200
    assert response.json()["status"] == "queued" and response.json()["error"] == ""
    assert len(callbacks) == 1  # the task is queued after commit


def test_retrying_a_queued_job_is_a_conflict(editor_api, shop):
    job = make_job(shop)
    response = editor_api.post(f"{LIST}{job.pk}/retry/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_editor_cancels_queued_job(editor_api, shop):
    job = make_job(shop)
    response = editor_api.post(f"{LIST}{job.pk}/cancel/")
    assert response.status_code == 200
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    assert editor_api.post(f"{LIST}{job.pk}/cancel/").status_code == 409


def test_viewer_cannot_retry_or_cancel(viewer_api, failed_job):
    assert viewer_api.post(f"{LIST}{failed_job.pk}/retry/").status_code == 403
    assert viewer_api.post(f"{LIST}{failed_job.pk}/cancel/").status_code == 403
    assert Job.objects.get(pk=failed_job.pk).status == JobStatus.FAILED


def test_jobs_are_read_only(editor_api, failed_job):
    assert editor_api.post(LIST, {"kind": "demo_count"}, format="json").status_code == 405
    assert editor_api.delete(f"{LIST}{failed_job.pk}/").status_code == 405


def test_outsider_gets_404_for_another_shops_job(outsider_api, failed_job, other_shop):
    for response in (
        outsider_api.get(f"{LIST}{failed_job.pk}/"),
        outsider_api.post(f"{LIST}{failed_job.pk}/retry/"),
        outsider_api.post(f"{LIST}{failed_job.pk}/cancel/"),
    ):
        assert response.status_code == 404
    assert Job.objects.get(pk=failed_job.pk).status == JobStatus.FAILED
    make_job(other_shop)
    assert [job["id"] for job in outsider_api.get(LIST).json()["results"]] != [failed_job.pk]
    assert outsider_api.get(LIST).json()["count"] == 1


def test_missing_token_is_401(client, failed_job):
    response = client.get(f"{LIST}{failed_job.pk}/")
    assert response.status_code == 401


@pytest.mark.parametrize("rows", [2, 30])
def test_list_query_count_does_not_grow_with_rows(
    viewer_api, shop, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        make_job(shop)
    with django_assert_max_num_queries(5):
        assert viewer_api.get(LIST, {"page_size": 100}).json()["count"] == rows
