"""Time the product list page at 1,000 and 100,000 products.

Runs against a throwaway test database (never the real one): the configured engine, with a
temporary file for SQLite. Seeds one shop with 1,000 products and another with 100,000 (bulk
inserts), then requests the list page through the Django test client in several shapes and prints
milliseconds per request at each size and the 100k/1k ratio. Then the API's product list at the
large size, with DRF's counting pagination (a full COUNT(*) per page) and with the capped count
(`catalog.pagination.CappedCountPagination`), side by side. `--api-only` skips the pages.

    .venv/bin/python bench/catalog_product_list.py [--repeat 10] [--large 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopllm_site.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from catalog.models import Membership, Product, ProductTag, Role, Shop  # noqa: E402

CATEGORIES = [
    f"{top} > {middle} > {leaf}"
    for top in ("Kitchen", "Outdoor", "Clothing", "Home", "Sports", "Toys", "Garden", "Office")
    for middle in ("Basics", "Premium", "Travel", "Kids", "Pro")
    for leaf in ("A", "B", "C", "D", "E")
]
BRANDS = [f"Brand{i:02}" for i in range(60)]
NOUNS = ["bottle", "jacket", "stove", "towel", "lamp", "chair", "kettle", "backpack", "mug", "tent"]
ADJECTIVES = ["steel", "light", "warm", "compact", "classic", "recycled", "folding", "smart"]
TAGS = ["gift", "eco", "new", "sale", "bestseller", "winter", "summer", "camp"]
STATUSES = ["in_stock"] * 6 + ["low_stock", "out_of_stock", "discontinued"]

SCENARIOS = [
    ("default (recently updated)", ""),
    ("search 'steel' (common)", "?q=steel"),
    ("search 'zzz-none' (no match)", "?q=zzz-none"),
    ("category 'Kitchen' (prefix)", "?category=Kitchen"),
    ("category leaf", "?category=Outdoor+%3E+Travel+%3E+C"),
    ("sorted by price", "?sort=price"),
    ("tag 'camp'", "?tag=camp"),
    ("in stock + tag + price sort", "?status=in_stock&tag=eco&sort=price"),
    ("page 20 by title", "?sort=title&page=20"),
]

# The API's product list (`/api/v1/products/`): DRF's page-number pagination runs a full
# COUNT(*) of the filtered rows on every page; CappedCountPagination counts at most 10,001.
API_SCENARIOS = [
    ("api: default list", ""),
    ("api: search 'steel' (common)", "?search=steel"),
    ("api: search 'zzz-none' (no match)", "?search=zzz-none"),
    ("api: search 'kettle' + in_stock", "?search=kettle&stock_status=in_stock"),
    ("api: category 'Kitchen'", "?category=Kitchen"),
    ("api: search 'steel', page 30", "?search=steel&page=30"),
]


def seed(shop: Shop, count: int, rng: random.Random) -> None:
    batch = 5000
    for start in range(0, count, batch):
        products = []
        for i in range(start, min(count, start + batch)):
            products.append(
                Product(
                    shop=shop,
                    sku=f"{shop.slug}-{i:07}",
                    title=f"{rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS)} {i}",
                    brand=rng.choice(BRANDS),
                    category=rng.choice(CATEGORIES),
                    price=Decimal(rng.randint(100, 50_000)) / 100,
                    stock_status=rng.choice(STATUSES),
                    attributes={"material": "steel", "colour": "blue"},
                    tags=rng.sample(TAGS, 2),
                    description="A product description. " * 20,
                )
            )
        Product.objects.bulk_create(products, batch_size=1000)
        if not all(product.pk for product in products):
            ids = dict(
                Product.objects.filter(shop=shop, sku__in=[p.sku for p in products]).values_list(
                    "sku", "pk"
                )
            )
            for product in products:
                product.pk = ids[product.sku]
        ProductTag.objects.bulk_create(
            [
                ProductTag(shop=shop, product_id=product.pk, tag=tag)
                for product in products
                for tag in product.tags
            ],
            batch_size=2000,
        )


def client_for(shop: Shop) -> Client:
    user = get_user_model().objects.create_user(username=f"bench-{shop.slug}")
    Membership.objects.create(shop=shop, user=user, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    return client


def time_request(client: Client, url: str, repeat: int) -> tuple[float, float]:
    for _ in range(2):  # warm caches and the query planner
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    # The best run shows the cost of the work itself; the median adds noise from other load.
    return min(samples), statistics.median(samples)


def api_count_before_after(clients: dict[str, Client], args) -> None:
    """The API list with DRF's counting pagination (before) and the capped count (after)."""
    from catalog.api import ProductViewSet, ShopPagination
    from catalog.pagination import CappedCountPagination

    print(f"\nAPI /api/v1/products/ at {args.large:,} products, ms per request, best (median)")
    print(f"{'scenario':36} {'full COUNT(*)':>17} {'capped count':>17}  speed-up")
    capped = ProductViewSet.pagination_class
    try:
        for name, query in API_SCENARIOS:
            url = "/api/v1/products/" + query
            timings = {}
            for label, pagination in (("before", ShopPagination), ("after", CappedCountPagination)):
                ProductViewSet.pagination_class = pagination
                timings[label] = time_request(clients["large"], url, args.repeat)
            (before, before_median), (after, after_median) = timings["before"], timings["after"]
            print(
                f"{name:36} {before:7.1f} ({before_median:6.1f}) {after:7.1f} ({after_median:6.1f})"
                f"  {before / after:5.1f}x"
            )
    finally:
        ProductViewSet.pagination_class = capped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--api-only", action="store_true", help="time only the API list")
    args = parser.parse_args()

    setup_test_environment()
    temp_dir = tempfile.TemporaryDirectory(prefix="shopllm-bench-")
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(
            Path(temp_dir.name) / "bench.sqlite3"
        )
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        rng = random.Random(7)
        sizes = {"small": args.small, "large": args.large}
        clients = {}
        for label, count in sizes.items():
            shop = Shop.objects.create(name=f"Bench {label}", slug=f"bench-{label}")
            started = time.perf_counter()
            seed(shop, count, rng)
            print(f"seeded {count:>7,} products in {time.perf_counter() - started:6.1f} s")
            clients[label] = client_for(shop)
        with connection.cursor() as cursor:
            # Fresh statistics, as autovacuum would have by then on PostgreSQL.
            cursor.execute("ANALYZE")
        print(f"\n{connection.vendor}, ms per request, best (median) of {args.repeat}")
        print(f"{'scenario':30} {args.small:>15,} {args.large:>15,}  ratio of best")
        for name, query in [] if args.api_only else SCENARIOS:
            url = "/products/" + query
            small, small_median = time_request(clients["small"], url, args.repeat)
            large, large_median = time_request(clients["large"], url, args.repeat)
            print(
                f"{name:30} {small:7.1f} ({small_median:5.1f}) {large:7.1f} ({large_median:5.1f})"
                f"  {large / small:5.1f}x"
            )
        api_count_before_after(clients, args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        temp_dir.cleanup()


if __name__ == "__main__":
    main()
