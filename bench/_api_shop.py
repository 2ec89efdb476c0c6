"""A throwaway database with one shop and an API key, for the benches that drive the API.

    with throwaway_shop(products=500, customers=2000) as bench:
        client.credentials(HTTP_AUTHORIZATION=f"Token {bench.key}")

Django is set up here (the var folder in a temporary directory, so the test database never lands
in var/); the database is created before and destroyed after, whatever happens in between.
`env` names settings to set before Django starts (e.g. a higher API rate for serving benches).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BenchShop:
    owner: Any
    shop: Any
    key: str
    products: list = field(default_factory=list)
    customers: list = field(default_factory=list)


@contextmanager
def throwaway_shop(
    *, products: int = 0, customers: int = 0, env: dict[str, str] | None = None
) -> Iterator[BenchShop]:
    os.environ["SHOPLLM_VAR_DIR"] = tempfile.mkdtemp(prefix="shopllm-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for name, value in (env or {}).items():
        os.environ.setdefault(name, value)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from catalog import services
    from catalog.models import Customer, Product
    from tests.conftest import make_user

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        owner = make_user("bench-owner")
        shop = services.create_shop("Bench shop", owner)
        _token, key = services.create_api_token(shop.memberships.get(), "bench")
        made_products = Product.objects.bulk_create(
            Product(shop=shop, sku=f"SKU-{i}", title=f"Product {i}") for i in range(products)
        )
        made_customers = Customer.objects.bulk_create(
            Customer(shop=shop, external_id=f"cust-{i}") for i in range(customers)
        )
        yield BenchShop(owner, shop, key, made_products, made_customers)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def running_ab_experiment(bench: BenchShop, run_a, run_b):
    """A started 50/50 experiment on the customer placement, arm A serving `run_a`, B `run_b`."""
    from experiments import services

    experiment = services.create_recommendation_experiment(
        bench.shop,
        user=bench.owner,
        name="bench",
        placement="customer",
        arms=[services.ArmSpec("A", 50, run_a), services.ArmSpec("B", 50, run_b)],
        baseline_rate=0.05,
        minimum_effect=0.1,
    )
    services.start_experiment(experiment, user=bench.owner)
    return experiment
