"""A service's ShopError carries its status: the API answers with it as structured JSON, a page
shows it as a message on the page the person came from, an htmx request gets a fragment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import jobs as job_services
from catalog.errors import InvalidInput, NotFound
from catalog.models import Job, JobStatus

RETRY_MESSAGE = "Only a failed or cancelled job can be retried."


@pytest.fixture
def queued_job(shop) -> Job:
    return Job.objects.create(shop=shop, kind="import_products")


def retry_url(job: Job) -> str:
    return reverse("catalog:job_retry", args=[job.pk])


# --- API ------------------------------------------------------------------------------------


def test_api_answers_a_conflict_with_its_status_and_message(editor_api, queued_job):
    response = editor_api.post(f"/api/v1/jobs/{queued_job.pk}/retry/")
    assert response.status_code == 409
    assert response.json() == {"error": {"code": "conflict", "message": RETRY_MESSAGE}}


def test_api_answers_invalid_input_with_its_fields(editor_api, queued_job, monkeypatch):
    def refuse(job):
        raise InvalidInput("The job's file is gone.", fields={"file": ["Upload it again."]})

    monkeypatch.setattr(job_services, "retry_job", refuse)
    response = editor_api.post(f"/api/v1/jobs/{queued_job.pk}/retry/")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "The job's file is gone.",
            "fields": {"file": ["Upload it again."]},
        }
    }


def test_api_answers_not_found_with_404(editor_api, queued_job, monkeypatch):
    def missing(job):
        raise NotFound("The job's shop has no such import.")

    monkeypatch.setattr(job_services, "retry_job", missing)
    response = editor_api.post(f"/api/v1/jobs/{queued_job.pk}/retry/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Pages ----------------------------------------------------------------------------------


def test_page_error_goes_back_to_the_referer_with_a_message(editor_client, queued_job):
    referer = "http://testserver" + reverse("catalog:job_detail", args=[queued_job.pk])
    response = editor_client.post(retry_url(queued_job), HTTP_REFERER=referer)
    assert response.status_code == 302 and response["Location"] == referer
    page = editor_client.get(referer)
    assert RETRY_MESSAGE in page.content.decode()
    assert Job.objects.get(pk=queued_job.pk).status == JobStatus.QUEUED


def test_page_error_prefers_the_forms_next(editor_client, queued_job):
    next_url = reverse("catalog:job_list") + "?page=2"
    response = editor_client.post(
        retry_url(queued_job), {"next": next_url}, HTTP_REFERER="http://testserver/products/"
    )
    assert response["Location"] == next_url


def test_page_error_never_goes_back_to_another_site(editor_client, queued_job):
    response = editor_client.post(retry_url(queued_job), HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:dashboard")
    page = editor_client.get(response["Location"])
    assert RETRY_MESSAGE in page.content.decode()


def test_htmx_error_is_a_fragment_with_the_errors_status(editor_client, queued_job):
    response = editor_client.post(retry_url(queued_job), headers={"HX-Request": "true"})
    assert response.status_code == 409
    body = response.content.decode()
    assert RETRY_MESSAGE in body and "<html" not in body
    # Aimed at the page's message area, whatever the element that sent the request.
    assert response["HX-Retarget"] == "#messages"
    assert response["HX-Reswap"] == "innerHTML"


def test_full_page_has_the_message_area_the_htmx_error_aims_at(editor_client, queued_job):
    page = editor_client.get(reverse("catalog:job_list"))
    assert 'id="messages"' in page.content.decode()
