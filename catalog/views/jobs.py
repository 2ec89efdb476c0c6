from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from catalog import jobs as job_services
from catalog.models import Job, Role
from catalog.partials import render_page_or_fragment
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
    return render_page_or_fragment(
        request, "catalog/job_list.html", "catalog/_job_rows.html", context
    )


@shop_member_required()
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_shop(Job, request.shop, pk=pk)
    return render_page_or_fragment(
        request, "catalog/job_detail.html", "catalog/_job_progress.html", {"job": job}
    )


@shop_member_required(Role.EDITOR)
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_shop(Job, request.shop, pk=pk)
    job_services.retry_job(job)
    messages.success(request, f"Job #{job.pk} queued again.")
    return redirect(safe_next(request, "catalog:job_list"))


@shop_member_required(Role.EDITOR)
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_shop(Job, request.shop, pk=pk)
    job_services.cancel_job(job)
    messages.success(request, f"Job #{job.pk} cancelled.")
    return redirect(safe_next(request, "catalog:job_list"))
