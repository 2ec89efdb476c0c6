"""Generation requests: the form (one product or a selection) and the request's progress."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Job, Product, Role
from catalog.partials import render_page_or_fragment
from catalog.tenancy import get_for_shop, shop_member_required
from generation.forms import GenerateForm
from generation.models import Draft
from generation.services import (
    JOB_KIND,
    Selection,
    create_generation_job,
    generation_jobs,
)


def _selection_from(form: GenerateForm) -> Selection:
    data = form.cleaned_data
    if data["product_ids"] is not None:
        return Selection(product_ids=data["product_ids"])
    return Selection(
        category=data["category"],
        search=data["q"],
        tag=data["tag"],
        in_stock_only=data["in_stock"],
    )


@shop_member_required()
def copy_home(request: HttpRequest) -> HttpResponse:
    """The generate form (pre-filled from the product list's filters or ?product=) and the
    shop's recent requests."""
    initial = {
        "q": request.GET.get("q", ""),
        "category": request.GET.get("category", ""),
        "tag": request.GET.get("tag", ""),
        "in_stock": request.GET.get("status") == "in_stock" or bool(request.GET.get("in_stock")),
    }
    product = None
    if request.GET.get("product"):
        product = get_for_shop(Product, request.shop, pk=request.GET["product"])
        initial["product_ids"] = str(product.pk)
    form = GenerateForm(initial=initial)
    jobs = generation_jobs(request.shop).select_related("created_by")[:10]
    counts = {
        row["status"]: row["n"]
        for row in Draft.objects.for_shop(request.shop).values("status").annotate(n=Count("pk"))
    }
    return render(
        request,
        "generation/home.html",
        {"form": form, "jobs": jobs, "product": product, "counts": counts},
    )


@shop_member_required(Role.EDITOR)
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        job = create_generation_job(
            request.shop,
            _selection_from(form),
            user=request.user,
            fields=data["fields"],
            tone=data["tone"],
            length=data["length"],
            language=data["language"],
            keywords=data["keywords"],
            audience=data["audience"],
            overwrite=data["overwrite"],
        )
        messages.success(
            request, f"Writing copy for {job.params['selection_label']} (job #{job.pk})."
        )
        return redirect("generation:request_detail", pk=job.pk)
    jobs = generation_jobs(request.shop).select_related("created_by")[:10]
    return render(
        request, "generation/home.html", {"form": form, "jobs": jobs, "counts": {}}, status=400
    )


@shop_member_required()
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_shop(Job, request.shop, pk=pk, kind=JOB_KIND)
    drafts = (
        Draft.objects.for_shop(request.shop)
        .filter(versions__job=job)
        .select_related("product", "current_version")
        .distinct()
        .order_by("product__title", "field")[:200]
    )
    return render_page_or_fragment(
        request,
        "generation/request_detail.html",
        "generation/_request_drafts.html",
        {"job": job, "drafts": drafts},
    )
