"""CSV exports with the same columns as the imports, so that an exported file imports unchanged.

Rows are produced lazily from a server-side iterator and streamed; a cell that a spreadsheet
would run as a formula (starting with = + - @, tab or carriage return) gets a leading quote,
which the importer takes off again.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import chain, islice

from django.db.models import QuerySet

from catalog.csv_io.columns import CUSTOMERS, FORMULA_PREFIXES, INTERACTIONS, PRODUCTS

CHUNK_SIZE = 2000


class _Echo:
    """csv.writer target that hands each written line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def neutralise_formula(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return neutralise_formula(str(value))


def format_attributes(attributes: dict) -> str:
    """name=value; name=value, or JSON when a name or value holds ; or = (or starts with {)."""
    pairs = [(str(key), str(value)) for key, value in (attributes or {}).items()]
    text = "; ".join(f"{key}={value}" for key, value in pairs)
    if any(";" in key + value or "=" in key for key, value in pairs) or text.startswith("{"):
        return json.dumps(dict(pairs), ensure_ascii=False)
    return text


def format_list(items: list, separators: str) -> str:
    """Items joined by the first separator, or a JSON list when an item holds a separator."""
    items = [str(item) for item in items or []]
    text = separators[0].join(items)
    if any(sep in item for item in items for sep in separators) or text.startswith("["):
        return json.dumps(items, ensure_ascii=False)
    return text


def stream_csv(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """UTF-8 CSV text in pieces: a byte-order mark (for spreadsheets), the header, the rows.

    The first row is read before this returns: the query runs while the view can still answer
    with an error, not after a 200 and half a file have gone out.
    """
    rows = iter(rows)
    first = list(islice(rows, 1))
    return _csv_lines(header, chain(first, rows))


def _csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(list(header))
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def product_rows(products: QuerySet) -> Iterator[list]:
    for product in products.order_by("sku").iterator(chunk_size=CHUNK_SIZE):
        yield [
            product.sku,
            product.title,
            product.brand,
            product.category,
            product.price,
            product.currency,
            product.stock_status,
            format_attributes(product.attributes),
            format_list(product.tags, "|,"),
            product.image_url,
            product.description,
            format_list(product.bullet_points, "|"),
            product.seo_title,
            product.meta_description,
        ]


def customer_rows(customers: QuerySet) -> Iterator[list]:
    fields = CUSTOMERS.columns
    yield from (
        customers.order_by("external_id").values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
    )


def interaction_rows(interactions: QuerySet) -> Iterator[tuple]:
    yield from (
        interactions.order_by("occurred_at", "pk")
        .values_list(
            "customer__external_id",
            "product__sku",
            "kind",
            "quantity",
            "value",
            "occurred_at",
            "recommendation_ref",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


EXPORTS = {
    "products": (PRODUCTS.columns, product_rows),
    "customers": (CUSTOMERS.columns, customer_rows),
    "interactions": (INTERACTIONS.columns, interaction_rows),
}
