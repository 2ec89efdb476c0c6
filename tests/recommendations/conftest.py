"""Fixtures of the recommender tests: a fake encoder (no model load) and planted-taste shops."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from catalog.models import Customer, Interaction, Product
from shopllm_site.ml import set_encoder

GROUPS = ("Tents", "Coffee", "Running", "Books")


class FakeEncoder:
    """Hashed bag of words: products sharing words get similar vectors. Deterministic, instant."""

    model_name = "fake-bag-of-words"
    dim = 64

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(">", " ").split():
                digest = hashlib.sha256(word.encode()).digest()
                out[row, digest[0] % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


@pytest.fixture(autouse=True)
def fake_encoder(request):
    if request.node.get_closest_marker("model") or request.node.get_closest_marker("worker"):
        yield None
        return
    encoder = FakeEncoder()
    set_encoder(encoder)
    yield encoder
    set_encoder(None)


def build_shop(shop, *, customers_per_group: int = 12, products_per_group: int = 10, seed: int = 0):
    """Four taste groups; each customer touches mostly products of their own group."""
    rng = np.random.default_rng(seed)
    products = Product.objects.bulk_create(
        [
            Product(
                shop=shop,
                sku=f"{group[:3].upper()}-{j}",
                title=f"{group} item {j}",
                category=f"{group} > Shelf",
                attributes={"group": group.lower()},
            )
            for group in GROUPS
            for j in range(products_per_group)
        ]
    )
    by_group = {g: [p for p in products if p.title.startswith(g)] for g in GROUPS}
    customers = Customer.objects.bulk_create(
        [
            Customer(shop=shop, external_id=f"{group.lower()}-{i}")
            for group in GROUPS
            for i in range(customers_per_group)
        ]
    )
    start = timezone.now() - timedelta(days=30)
    rows = []
    for customer in customers:
        group = next(g for g in GROUPS if customer.external_id.startswith(g.lower()))
        own = by_group[group]
        for _step in range(8):
            if rng.random() < 0.9:
                product = own[min(int(rng.pareto(1.0) * 2), len(own) - 1)]
            else:
                product = products[int(rng.integers(0, len(products)))]
            kind = ("view", "view", "cart", "purchase")[int(rng.integers(0, 4))]
            rows.append(
                Interaction(
                    shop=shop,
                    customer=customer,
                    product=product,
                    kind=kind,
                    occurred_at=start + timedelta(hours=int(rng.integers(0, 700))),
                )
            )
    Interaction.objects.bulk_create(rows)
    return {"products": products, "customers": customers, "by_group": by_group}


@pytest.fixture
def planted(shop):
    return build_shop(shop)


def run_now(shop, **settings_fields):
    """Start a run and execute its job in this process (no broker); returns the fresh run."""
    from recommendations import services
    from recommendations.tasks import run_recommendation_job

    if settings_fields:
        services.update_settings(shop, settings_fields)
    run = services.start_run(shop)
    run_recommendation_job(run.job_id)
    run.refresh_from_db()
    return run
