"""Seed a demo shop: `python manage.py seed_demo` (safe to run again; it never duplicates).

Creates the user "demo" (password from DEMO_PASSWORD, else a printed default) as owner of
"Demo Outdoor Co." with the sample products (imported through the CSV validation code), ~300
made-up customers and a few thousand interactions over the last 90 days with planted taste
groups (campers, coffee lovers, runners, home cooks, hikers), and a second shop "Harbour Kitchen
Supply" owned by "harbour", so that shop scoping can be seen. Fixed random seed: the same run
gives the same data (dates are relative to the first run).
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog import services
from catalog.csv_io.imports import parse_file
from catalog.models import Interaction, Membership, Product, Role, Shop

DEFAULT_PASSWORD = "shopllm-demo"  # noqa: S105 - a demo login, printed on purpose
SAMPLE_PRODUCTS = Path(settings.BASE_DIR) / "docs" / "samples" / "products.csv"

# Taste group -> words found in the category path or tags of the products they favour.
TASTE_GROUPS = {
    "campers": ("camping",),
    "coffee lovers": ("coffee",),
    "runners": ("running",),
    "home cooks": ("cookware", "knives", "prep", "cooking"),
    "hikers": ("hiking",),
}
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Robin",
    "Kim",
    "Jordan",
    "Charlie",
    "Noa",
    "Luca",
    "Mila",
    "Finn",
    "Ada",
    "Ezra",
    "Ines",
    "Jonas",
    "Lena",
    "Omar",
    "Priya",
    "Rosa",
    "Theo",
    "Yara",
    "Ben",
    "Clara",
    "Dev",
    "Elif",
    "Hugo",
    "Iris",
    "Kai",
    "Lina",
    "Mats",
    "Nora",
]
LAST_NAMES = [
    "Example",
    "Sample",
    "Tester",
    "Demo",
    "Placeholder",
    "Fictional",
    "Madeup",
    "Invented",
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo shops, users, products, customers and interactions."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic():
            demo_shop = self._shop("Demo Outdoor Co.", "demo-outdoor", "demo", password)
            products = self._products(demo_shop, lambda fields: True)
            stored = self._people(demo_shop, products, options["customers"], "D", options["seed"])
            other_shop = self._shop(
                "Harbour Kitchen Supply", "harbour-kitchen", "harbour", password
            )
            other_products = self._products(
                other_shop, lambda fields: fields.get("category", "").startswith("Kitchen")
            )
            other_stored = self._people(other_shop, other_products, 40, "H", options["seed"])
        self.stdout.write(
            f"{demo_shop}: {len(products)} products, {stored} new interactions; "
            f"{other_shop}: {len(other_products)} products, {other_stored} new interactions."
        )
        self.stdout.write(
            self.style.SUCCESS(f"Log in as demo / {password}  (second shop: harbour)")
        )

    def _shop(self, name: str, slug: str, username: str, password: str) -> Shop:
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        shop = Shop.objects.filter(slug=slug).first()
        if shop is None:
            return services.create_shop(name, user, slug=slug)
        Membership.objects.get_or_create(shop=shop, user=user, defaults={"role": Role.OWNER})
        return shop

    def _products(self, shop: Shop, keep) -> list[Product]:
        rows, report = parse_file(shop, "products", SAMPLE_PRODUCTS.read_bytes())
        if report.error_count:
            raise CommandError(f"{SAMPLE_PRODUCTS} has errors: {report.row_errors[:5]}")
        rows = [row for row in rows if keep(row)]
        services.upsert_products(shop, rows)
        return list(Product.objects.for_shop(shop).filter(sku__in=[row["sku"] for row in rows]))

    def _people(self, shop: Shop, products: list[Product], count: int, prefix: str, seed) -> int:
        """Customers (refreshed every run) and, the first time only, their interactions."""
        rng = random.Random(f"{seed}-{shop.slug}")  # one stream per shop: reruns match
        now = timezone.now()
        customers = []
        for number in range(1, count + 1):
            customers.append(
                {
                    "external_id": f"{prefix}{number:04d}",
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "email": f"customer{number:04d}@example.com",
                    "created_at": now - timedelta(days=rng.randint(91, 400)),
                }
            )
        services.upsert_customers(shop, customers)
        if Interaction.objects.for_shop(shop).exists():
            return 0  # interactions have no natural key: seed them once
        groups = {
            group: [p for p in products if _matches(p, words)]
            for group, words in TASTE_GROUPS.items()
        }
        groups = {group: items for group, items in groups.items() if items}
        rows = []
        for customer in customers:
            tastes = rng.sample(sorted(groups), k=1 if rng.random() < 0.7 else 2)
            favourites = [p for group in tastes for p in groups[group]]
            for _ in range(rng.randint(4, 18)):
                product = rng.choice(favourites if rng.random() < 0.8 else products)
                rows.extend(_events(customer["external_id"], product, now, rng))
        services.record_interactions(shop, rows)
        return len(rows)


def _matches(product: Product, words: tuple[str, ...]) -> bool:
    haystack = (product.category + " " + " ".join(product.tags)).lower()
    return any(word in haystack for word in words)


def _events(customer_id: str, product: Product, now, rng) -> list[dict]:
    """A view, sometimes followed by a cart, a purchase and a rating."""
    when = now - timedelta(days=rng.uniform(0, 90))
    base = {"customer": customer_id, "sku": product.sku}
    events = [{**base, "kind": "view", "occurred_at": when}]
    if rng.random() < 0.35:
        when += timedelta(minutes=rng.randint(1, 30))
        events.append({**base, "kind": "cart", "occurred_at": when})
        if rng.random() < 0.6:
            quantity = 1 if rng.random() < 0.85 else 2
            when += timedelta(minutes=rng.randint(1, 20))
            events.append(
                {
                    **base,
                    "kind": "purchase",
                    "quantity": quantity,
                    "value": (product.price or Decimal("0")) * quantity,
                    "occurred_at": when,
                }
            )
            if rng.random() < 0.4:
                events.append(
                    {
                        **base,
                        "kind": "rating",
                        "value": Decimal(rng.choice((3, 4, 4, 5, 5))),
                        "occurred_at": when + timedelta(days=rng.randint(3, 14)),
                    }
                )
    return [event for event in events if event["occurred_at"] <= now]
