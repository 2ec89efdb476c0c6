"""Writing checked interaction rows in bulk: PostgreSQL COPY, `bulk_create` elsewhere.

The rows come from the importer already cleaned by `rules.clean_interaction`, with the product
resolved to its id; here the customers are resolved by external id for the whole batch at once
(one query, plus one insert and one query for the ones the shop does not have yet) and the
batch is written in one statement. Call inside a transaction: the customers created for a batch
and its interactions commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from catalog.models import Customer, Interaction, Shop


class CheckedInteraction(NamedTuple):
    """One checked row, as the importer keeps it between checking and writing (as a plain
    tuple in this order)."""

    customer: str  # external id
    product_id: int
    kind: str
    quantity: int
    value: object  # Decimal | None
    occurred_at: object  # datetime | None: the time of writing
    recommendation_ref: str


CUSTOMER, PRODUCT_ID, KIND, QUANTITY, VALUE, OCCURRED_AT, RECOMMENDATION_REF = range(7)


def customer_ids(shop: Shop, external_ids: Iterable[str]) -> dict[str, int]:
    """{external id: pk} for the given ids, creating the customers the shop lacks."""
    wanted = set(external_ids)
    found = dict(
        Customer.objects.for_shop(shop)
        .filter(external_id__in=wanted)
        .values_list("external_id", "pk")
    )
    missing = wanted - found.keys()
    if missing:
        now = timezone.now()
        Customer.objects.bulk_create(
            [Customer(shop=shop, external_id=eid, created_at=now) for eid in missing],
            batch_size=2000,
            ignore_conflicts=True,  # a concurrent request may create one meanwhile
        )
        found.update(
            Customer.objects.for_shop(shop)
            .filter(external_id__in=missing)
            .values_list("external_id", "pk")
        )
    return found


class CustomerIds:
    """Customer ids by external id, remembered from batch to batch of one import (a log
    names the same customers again and again); at most LIMIT are kept.

    Only ids of committed customers may stay remembered: the importer's batches commit one by
    one and the import stops at the first that fails."""

    LIMIT = 500_000

    def __init__(self, shop: Shop):
        self.shop = shop
        self.known: dict[str, int] = {}

    def resolve(self, external_ids: set[str]) -> dict[str, int]:
        unknown = external_ids - self.known.keys()
        if unknown:
            if len(self.known) + len(unknown) > self.LIMIT:
                self.known = {}
                unknown = external_ids
            self.known.update(customer_ids(self.shop, unknown))
        return self.known


# Columns written, in the model's order. A column this code does not know (added later) is
# written with the field's default, or left to the database's default when it has only that.
_KNOWN = ("shop", "customer", "product", "kind", "quantity", "value", "occurred_at")
_KNOWN += ("recommendation_ref",)


def _columns() -> list:
    return [
        field
        for field in Interaction._meta.concrete_fields
        if not field.primary_key and (field.name in _KNOWN or field.has_default())
    ]


def write_interactions(shop: Shop, rows: list[tuple], customers: CustomerIds | None = None) -> int:
    """Store the rows (tuples in the order of CheckedInteraction); returns how many. COPY on
    PostgreSQL, bulk_create on other databases."""
    if not rows:
        return 0
    customers = customers or CustomerIds(shop)
    ids = customers.resolve({row[CUSTOMER] for row in rows})
    now = timezone.now()
    if connection.vendor == "postgresql":
        _copy(shop, rows, ids, now)
    else:
        Interaction.objects.bulk_create(
            [
                Interaction(
                    shop=shop,
                    customer_id=ids[row[CUSTOMER]],
                    product_id=row[PRODUCT_ID],
                    kind=row[KIND],
                    quantity=row[QUANTITY],
                    value=row[VALUE],
                    occurred_at=row[OCCURRED_AT] or now,
                    recommendation_ref=row[RECOMMENDATION_REF],
                )
                for row in rows
            ],
            batch_size=2000,
        )
    return len(rows)


def _copy(shop: Shop, rows: list[tuple], customers: dict[str, int], now) -> None:
    fields = _columns()
    quote = connection.ops.quote_name
    table = quote(Interaction._meta.db_table)
    column_list = ", ".join(quote(field.column) for field in fields)
    names = [field.name for field in fields]
    if names == list(_KNOWN):
        shop_id = shop.pk

        def shaped(row: tuple) -> tuple:
            customer, product_id, kind, quantity, value, occurred_at, ref = row
            return (shop_id, customers[customer], product_id, kind, quantity, value,
                    occurred_at or now, ref)  # fmt: skip
    else:  # the model gained columns: map each row through the names
        defaults = {field.name: field.get_default() for field in fields if field.name not in _KNOWN}

        def shaped(row: tuple) -> tuple:
            values = _named(shop.pk, CheckedInteraction(*row), customers, now) | defaults
            return tuple(values[name] for name in names)

    copy_rows(table, column_list, (shaped(row) for row in rows))


def copy_rows(table: str, column_list: str, rows: Iterable[tuple]) -> None:
    """COPY `rows` (tuples in the order of the quoted `column_list`) into the quoted `table`:
    psycopg 3's COPY (the raw cursor under Django's wrapper), in the text format. PostgreSQL
    only; JSON columns take the JSON text."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _named(shop_id: int, row: CheckedInteraction, customers: dict[str, int], now) -> dict:
    return {
        "shop": shop_id,
        "customer": customers[row.customer],
        "product": row.product_id,
        "kind": row.kind,
        "quantity": row.quantity,
        "value": row.value,
        "occurred_at": row.occurred_at or now,
        "recommendation_ref": row.recommendation_ref,
    }
