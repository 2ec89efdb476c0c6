from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import jobs as job_services
from catalog.models import Job, Role
from catalog.tenancy import get_for_shop, safe_next, shop_member_required


@shop_member_required()
def job_list(request: HttpRequest) -> HttpResponse:
    """All jobs of the shop; the rows fragment re-polls itself while any job is active."""
    queryset = (
        Job.objects.for_shop(request.shop).select_related("created_by").order_by("-created_at")
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    context = {"page": page, "jobs": page.object_list}
    context["any_active"] = any(not job.is_finished for job in page.object_list)
    template = "catalog/_job_rows.html" if request.htmx else "catalog/job_list.html"
    return render(request, template, context)


@shop_member_required()
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_shop(Job, request.shop, pk=pk)
    template = "catalog/_job_progress.html" if request.htmx else "catalog/job_detail.html"
    return render(request, template, {"job": job})


@shop_member_required(Role.EDITOR)
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_shop(Job, request.shop, pk=pk)
    try:
        job_services.retry_job(job)
        messages.success(request, f"Job #{job.pk} queued again.")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect(safe_next(request, "catalog:job_list"))


@shop_member_required(Role.EDITOR)
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_shop(Job, request.shop, pk=pk)
    try:
        job_services.cancel_job(job)
        messages.success(request, f"Job #{job.pk} cancelled.")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect(safe_next(request, "catalog:job_list"))
