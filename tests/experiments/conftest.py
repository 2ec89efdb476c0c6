"""Fixtures of the experiment tests: succeeded recommendation runs made directly (no training),
each storing a known list per customer, so an arm's list says which run served it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Customer, Job, JobStatus, Product
from recommendations.models import CustomerRecommendation, RecommendationRun


def make_run(shop, products: list[Product], customers: list[Customer], *, age_minutes: int = 0):
    """A succeeded run whose list for every customer is `products`, in that order."""
    finished = timezone.now() - timedelta(minutes=age_minutes)
    job = Job.objects.create(
        shop=shop, kind="recommendation_run", status=JobStatus.SUCCEEDED, finished_at=finished
    )
    run = RecommendationRun.objects.create(shop=shop, job=job, settings={})
    CustomerRecommendation.objects.bulk_create(
        CustomerRecommendation(
            run=run,
            customer=customer,
            items=[{"p": p.pk, "s": 1.0 - i / 10, "r": "popular"} for i, p in enumerate(products)],
        )
        for customer in customers
    )
    return run


@pytest.fixture
def catalog_rows(shop):
    products = Product.objects.bulk_create(
        Product(shop=shop, sku=f"SKU-{i}", title=f"Product {i}", price=10 + i) for i in range(6)
    )
    customers = Customer.objects.bulk_create(
        Customer(shop=shop, external_id=f"cust-{i}") for i in range(40)
    )
    return {"products": products, "customers": customers}


@pytest.fixture
def two_runs(shop, catalog_rows):
    """Run A (older) lists SKU-0..2, run B (newer, the latest) lists SKU-3..5."""
    products, customers = catalog_rows["products"], catalog_rows["customers"]
    run_a = make_run(shop, products[:3], customers, age_minutes=60)
    run_b = make_run(shop, products[3:], customers)
    return run_a, run_b
