"""Customer pages: list with search, detail with the interaction history, and the owner's
privacy actions (export everything held about a customer; erase them after a confirmation)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import privacy
from catalog.models import Customer, Interaction, Role, Shop
from catalog.pagination import capped_page
from catalog.partials import render_page_or_fragment
from catalog.rules import clean_text
from catalog.tenancy import get_for_shop, shop_member_required

PER_PAGE = 50
HISTORY_PER_PAGE = 25
MAX_SEARCH_LENGTH = 100


def search_customers(shop: Shop, text: str) -> QuerySet[Customer]:
    """Newest first; `text` matches the start of the external id, or part of the name or email."""
    customers = Customer.objects.for_shop(shop)
    if text:
        customers = customers.filter(
            Q(external_id__istartswith=text) | Q(name__icontains=text) | Q(email__icontains=text)
        )
    return customers.order_by("-created_at", "-pk")


@shop_member_required()
def customer_list(request: HttpRequest) -> HttpResponse:
    q = clean_text(request.GET.get("q", ""))[:MAX_SEARCH_LENGTH]
    page = capped_page(search_customers(request.shop, q), request.GET.get("page"), PER_PAGE)
    # Interaction counts for this page's customers only: one grouped query, however many rows.
    counts = dict(
        Interaction.objects.filter(customer_id__in=[c.pk for c in page.object_list])
        .values_list("customer_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
    for customer in page.object_list:
        customer.interaction_total = counts.get(customer.pk, 0)
    context = {"page": page, "customers": page.object_list, "q": q}
    return render_page_or_fragment(
        request, "catalog/customer_list.html", "catalog/_customer_rows.html", context
    )


@shop_member_required()
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_shop(Customer, request.shop, pk=pk)
    history = (
        Interaction.objects.filter(customer=customer)
        .select_related("product")
        .only(
            "pk",
            "kind",
            "quantity",
            "value",
            "occurred_at",
            "recommendation_ref",
            "product__id",
            "product__sku",
            "product__title",
        )
        .order_by("-occurred_at", "-pk")
    )
    page = capped_page(history, request.GET.get("page"), HISTORY_PER_PAGE)
    context = {"customer": customer, "page": page, "interactions": page.object_list}
    return render(request, "catalog/customer_detail.html", context)


@shop_member_required(Role.OWNER)
@require_POST
def customer_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A POST (a button, not a link) because every export is recorded in the audit log."""
    customer = get_for_shop(Customer, request.shop, pk=pk)
    data = privacy.export_customer(customer, actor=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"customer-{customer.pk}-export.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@shop_member_required(Role.OWNER)
def customer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (typing the external id); only a confirmed POST erases."""
    customer = get_for_shop(Customer, request.shop, pk=pk)
    confirmation = request.POST.get("confirm_external_id", "")
    if request.method == "POST" and confirmation == customer.external_id:
        erased = privacy.erase_customer(customer, actor=request.user)
        removed = sum(count for section, count in erased.items() if section != "customer")
        messages.success(
            request, f"Customer {customer.external_id} erased, with {removed:,} related records."
        )
        return redirect("catalog:customer_list")
    mismatch = request.method == "POST"
    context = {"customer": customer, "mismatch": mismatch}
    return render(request, "catalog/customer_erase.html", context, status=400 if mismatch else 200)
