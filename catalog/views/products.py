"""Product pages: list (search, filters, sort, htmx table), detail, create, edit, delete."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from catalog import services
from catalog.forms import ProductForm
from catalog.models import Interaction, Product, ProductTag, Role, Shop, StockStatus
from catalog.pagination import capped_page
from catalog.partials import render_page_or_fragment
from catalog.rules import clean_text, normalize_category
from catalog.tenancy import get_for_shop, shop_member_required

PER_PAGE = 50
# A tag on more products than this is filtered by probing rather than by listing (with_tag).
COMMON_TAG = 2_000
# Exact totals up to these counts, "more than …" beyond: counting text-search matches means
# running the search over every row, while an index range or the whole shop counts cheaply.
COUNT_CAP_SEARCH = 1_000
COUNT_CAP_FILTERED = 10_000
COUNT_CAP_ALL = 1_000_000
MAX_FILTER_LENGTH = 100

# Sort key -> ORDER BY; each leads with a column of a (shop, column) index, then the primary
# key so that rows with equal values keep a stable order across pages.
SORTS = {
    "-updated": ("-updated_at", "-pk"),
    "updated": ("updated_at", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "-pk"),
}
SORT_LABELS = {
    "-updated": "Recently updated",
    "updated": "Least recently updated",
    "title": "Title A–Z",
    "-title": "Title Z–A",
    "price": "Price, low to high",
    "-price": "Price, high to low",
}
DEFAULT_SORT = "-updated"
# The list never loads the copy fields: they can be kilobytes per product.
LIST_COLUMNS = (
    "pk",
    "sku",
    "title",
    "brand",
    "category",
    "price",
    "currency",
    "stock_status",
    "tags",
    "updated_at",
)


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: str = ""
    status: str = ""
    tag: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params) -> ProductFilters:
        def text(name: str) -> str:
            return clean_text(params.get(name, ""))[:MAX_FILTER_LENGTH]

        status = params.get("status", "")
        sort = params.get("sort", "")
        return cls(
            q=text("q"),
            category=normalize_category(text("category")),
            status=status if status in StockStatus.values else "",
            tag=text("tag").lower(),
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.status or self.tag)

    @property
    def count_cap(self) -> int:
        if self.q:
            return COUNT_CAP_SEARCH
        return COUNT_CAP_FILTERED if self.active else COUNT_CAP_ALL


def filter_products(shop: Shop, filters: ProductFilters) -> QuerySet[Product]:
    """The shop's products matching `filters`, in the chosen order, list columns only."""
    products = Product.objects.for_shop(shop)
    if filters.q:
        products = products.search(filters.q)
    if filters.category:
        products = in_category(products, filters.category)
    if filters.status:
        products = products.filter(stock_status=filters.status)
    if filters.tag:
        products = with_tag(products, shop, filters.tag)
    return products.only(*LIST_COLUMNS).order_by(*SORTS[filters.sort])


def with_tag(products: QuerySet[Product], shop: Shop, tag: str) -> QuerySet[Product]:
    """Products carrying `tag`, with the query shape that suits how common the tag is.

    A rare tag: the product ids come from the (shop, tag) index and the few rows are sorted.
    A common tag (thousands of products): sorting all of them costs more than walking the
    sort column's index and probing the (product, tag) unique index until a page is full.
    One bounded count of tag rows picks the shape.
    """
    tagged = ProductTag.objects.filter(shop=shop, tag=tag)
    if tagged[: COMMON_TAG + 1].count() <= COMMON_TAG:
        return products.filter(pk__in=tagged.values("product_id"))
    return products.filter(Exists(ProductTag.objects.filter(product=OuterRef("pk"), tag=tag)))


def in_category(products: QuerySet[Product], category: str) -> QuerySet[Product]:
    """The category and everything below it ("Kitchen" matches "Kitchen > Bottles").

    On SQLite, LIKE (what `startswith` becomes) cannot use the (shop, category) index, so the
    prefix is written as a range, which can: "Kitchen > …" sorts between "Kitchen >" and
    "Kitchen ?" ("?" follows ">" in ASCII). Elsewhere collations may ignore punctuation, so
    the plain prefix match is kept.
    """
    if connection.vendor != "sqlite":
        return products.in_category(category)
    return products.filter(category__gte=category, category__lt=category + " ?").filter(
        Q(category=category) | Q(category__gte=category + " >")
    )


def _can_edit(request: HttpRequest) -> bool:
    return request.membership.has_role(Role.EDITOR)


@shop_member_required()
def product_list(request: HttpRequest) -> HttpResponse:
    filters = ProductFilters.from_query(request.GET)
    products = filter_products(request.shop, filters)
    page = capped_page(products, request.GET.get("page"), PER_PAGE, cap=filters.count_cap)
    context = {
        "page": page,
        "products": page.object_list,
        "filters": filters,
        "sorts": SORT_LABELS,
        "statuses": StockStatus.choices,
        "can_edit": _can_edit(request),
    }
    return render_page_or_fragment(
        request, "catalog/product_list.html", "catalog/_product_rows.html", context
    )


@shop_member_required()
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_for_shop(Product, request.shop, pk=pk)
    by_kind = dict(
        Interaction.objects.filter(product=product)
        .values_list("kind")
        .annotate(total=Count("pk"))
        .order_by()
    )
    context = {
        "product": product,
        "interactions_by_kind": by_kind,
        "interaction_total": sum(by_kind.values()),
        "can_edit": _can_edit(request),
    }
    return render(request, "catalog/product_detail.html", context)


@shop_member_required(Role.EDITOR)
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None, shop=request.shop)
    if request.method == "POST" and form.is_valid():
        product = services.save_product(request.shop, form.cleaned_data)
        messages.success(request, f"Product {product.sku} created.")
        return redirect("catalog:product_detail", pk=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": None})


@shop_member_required(Role.EDITOR)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_for_shop(Product, request.shop, pk=pk)
    form = ProductForm(request.POST or None, shop=request.shop, product=product)
    if request.method == "POST" and form.is_valid():
        services.save_product(request.shop, form.cleaned_data, product=product)
        messages.success(request, f"Product {product.sku} saved.")
        return redirect("catalog:product_detail", pk=product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


@shop_member_required(Role.EDITOR)
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only a POST deletes."""
    product = get_for_shop(Product, request.shop, pk=pk)
    if request.method == "POST":
        sku = product.sku
        services.delete_product(product)
        messages.success(request, f"Product {sku} deleted.")
        return redirect("catalog:product_list")
    return render(request, "catalog/product_delete.html", {"product": product})
