"""Customer pages: list with search, detail with the interaction history."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import Customer, Interaction, Shop
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
