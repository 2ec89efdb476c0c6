"""QuerySets named for the domain: `Product.objects.for_shop(shop).in_stock()`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ShopScopedQuerySet(models.QuerySet):
    def for_shop(self, shop) -> ShopScopedQuerySet:
        return self.filter(shop=shop)


class ProductQuerySet(ShopScopedQuerySet):
    def in_stock(self) -> ProductQuerySet:
        from catalog.models import AVAILABLE_STOCK  # models imports this module

        return self.filter(stock_status__in=AVAILABLE_STOCK)

    def search(self, text: str) -> ProductQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(sku__iexact=text) | Q(title__icontains=text) | Q(brand__icontains=text)
        )

    def in_category(self, category: str) -> ProductQuerySet:
        """The category and everything below it ("Kitchen" matches "Kitchen > Bottles")."""
        category = category.strip()
        if not category:
            return self
        return self.filter(Q(category=category) | Q(category__startswith=category + " >"))

    def with_tag(self, tag: str) -> ProductQuerySet:
        tag = tag.strip()
        if not tag:
            return self
        return self.filter(tag_rows__tag=tag)

    def missing_copy(self) -> ProductQuerySet:
        return self.filter(description="")


class InteractionQuerySet(ShopScopedQuerySet):
    def purchases(self) -> InteractionQuerySet:
        return self.filter(kind="purchase")


class JobQuerySet(ShopScopedQuerySet):
    def active(self) -> JobQuerySet:
        return self.filter(status__in=("queued", "running"))
