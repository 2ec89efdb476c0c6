"""CSV import page (upload -> job) and streamed CSV exports of the current shop."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date

from catalog.csv_io import columns
from catalog.csv_io.exports import EXPORTS, stream_csv
from catalog.csv_io.imports import IMPORT_JOB_KINDS, ImportRejected, create_import_job
from catalog.models import Customer, Interaction, InteractionKind, Job, Product, Role, StockStatus
from catalog.tenancy import shop_member_required

KIND_CHOICES = [
    ("products", "Products"),
    ("customers", "Customers"),
    ("interactions", "Interactions (views, carts, purchases, ratings)"),
]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=KIND_CHOICES, label="What the file holds")
    file = forms.FileField(label="CSV file (UTF-8)")
    keep_good_rows = forms.BooleanField(
        required=False,
        label="Import the good rows and list the bad ones",
        help_text="Off: if any row has a problem, nothing is imported.",
    )


@shop_member_required()
def import_csv(request: HttpRequest) -> HttpResponse:
    """Viewers see the page and the exports; editors upload. An upload always becomes a job."""
    can_import = request.membership.has_role(Role.EDITOR)
    form = ImportForm()
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied("Importing needs the editor role.")
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = create_import_job(
                    request.shop,
                    form.cleaned_data["kind"],
                    form.cleaned_data["file"],
                    user=request.user,
                    keep_good_rows=form.cleaned_data["keep_good_rows"],
                )
            except ImportRejected as exc:
                form.add_error("file", str(exc))
            else:
                policy = (
                    "the good rows are saved and the bad ones listed"
                    if form.cleaned_data["keep_good_rows"]
                    else "nothing is saved if any row is bad"
                )
                messages.success(
                    request,
                    f"Import #{job.pk} queued: every row is checked first; {policy}.",
                )
                return redirect("catalog:job_detail", job.pk)
    recent_imports = (
        Job.objects.for_shop(request.shop)
        .filter(kind__in=IMPORT_JOB_KINDS.values())
        .select_related("created_by")
        .order_by("-created_at")[:10]
    )
    context = {
        "form": form,
        "can_import": can_import,
        "recent_imports": recent_imports,
        "csv_kinds": [columns.PRODUCTS, columns.CUSTOMERS, columns.INTERACTIONS],
        "stock_statuses": StockStatus.values,
        "interaction_kinds": InteractionKind.values,
        "max_upload_mb": settings.SHOPLLM_MAX_UPLOAD_MB,
        "max_rows": settings.SHOPLLM_MAX_IMPORT_ROWS,
        "max_interaction_rows": settings.SHOPLLM_MAX_INTERACTION_IMPORT_ROWS,
    }
    return render(request, "catalog/import.html", context, status=400 if form.errors else 200)


def _date(text: str):
    try:
        return parse_date(text or "")
    except ValueError:  # well formed but not a real date, such as 2024-02-31
        return None


def _csv_response(request: HttpRequest, kind_name: str, queryset) -> StreamingHttpResponse:
    header, rows = EXPORTS[kind_name]
    response = StreamingHttpResponse(stream_csv(header, rows(queryset)), content_type="text/csv")
    response["Content-Type"] = "text/csv; charset=utf-8"
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="{request.shop.slug}-{kind_name}-{stamp}.csv"'
    )
    return response


@shop_member_required()
def export_products(request: HttpRequest) -> StreamingHttpResponse:
    """Optional filters: q (search), category (and below), stock_status, tag."""
    products = (
        Product.objects.for_shop(request.shop)
        .search(request.GET.get("q", ""))
        .in_category(request.GET.get("category", ""))
        .with_tag(request.GET.get("tag", "").lower())
    )
    if request.GET.get("stock_status") in StockStatus.values:
        products = products.filter(stock_status=request.GET["stock_status"])
    return _csv_response(request, "products", products)


@shop_member_required(Role.EDITOR)
def export_customers(request: HttpRequest) -> StreamingHttpResponse:
    """Names and emails are personal data: a bulk download needs the editor role."""
    return _csv_response(request, "customers", Customer.objects.for_shop(request.shop))


@shop_member_required()
def export_interactions(request: HttpRequest) -> StreamingHttpResponse:
    """Optional filters: kind, since and until (dates, inclusive)."""
    interactions = Interaction.objects.for_shop(request.shop)
    if request.GET.get("kind") in InteractionKind.values:
        interactions = interactions.filter(kind=request.GET["kind"])
    since = _date(request.GET.get("since", ""))
    until = _date(request.GET.get("until", ""))
    if since:
        interactions = interactions.filter(occurred_at__date__gte=since)
    if until:
        interactions = interactions.filter(occurred_at__date__lte=until)
    return _csv_response(request, "interactions", interactions)
