"""Column sets of the three CSV kinds and the reading of one row into an entity's fields.

Each parser takes a row as {column: raw text} (only the columns the file has), reads the
CSV-specific shapes (attributes as name=value pairs or JSON, lists split on | or as JSON, stock
status by its label, empty cells) and hands the values to the entity's rule in
`catalog.rules`; it returns the rule's cleaned fields for the service (`upsert_products`,
`upsert_customers`, `record_interactions`), or raises RowError naming each bad column. The
quote that the exporter puts before a cell starting with = + - @ is taken off first, so that an
exported file imports unchanged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from catalog import rules
from catalog.errors import InvalidInput
from catalog.models import StockStatus


class RowError(ValueError):
    """A row that cannot be imported; the message names the column and what is wrong."""


@dataclass(frozen=True)
class CsvKind:
    name: str  # "products", "customers", "interactions"
    columns: tuple[str, ...]  # export order; also every column an import accepts
    required: tuple[str, ...]  # columns the header must have (and cells that must be filled)
    key: str  # column that identifies a row; a repeated key in one file is an error


PRODUCTS = CsvKind(
    name="products",
    columns=rules.PRODUCT_FIELDS,
    # A file without a title column may only update products the shop already has.
    required=("sku",),
    key="sku",
)
CUSTOMERS = CsvKind(
    name="customers",
    columns=rules.CUSTOMER_FIELDS,
    required=("external_id",),
    key="external_id",
)
INTERACTIONS = CsvKind(
    name="interactions",
    columns=(
        "customer_id",
        "sku",
        "kind",
        "quantity",
        "value",
        "occurred_at",
        "recommendation_ref",
    ),
    required=("customer_id", "sku", "kind"),
    key="",  # the same customer may buy the same product twice
)
KINDS: dict[str, CsvKind] = {kind.name: kind for kind in (PRODUCTS, CUSTOMERS, INTERACTIONS)}

MAX_CELL = 50_000  # any cell, before it is read (a file cannot carry a page-sized value)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The rules' text cleaning, after undoing the exporter's formula guard."""
    return rules.clean_text(_unguard(value), multiline=multiline)


def _unguard(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _cells(row: dict[str, str]) -> dict[str, str]:
    """The row's cells without the formula guard; an oversized cell is refused unread."""
    cells = dict(row)
    for column, value in row.items():
        # Plain loops and slices: a big import reads millions of rows through here.
        if len(value) > MAX_CELL:
            raise RowError(
                f"{column} is {len(value):,} characters long; the limit is {MAX_CELL:,}."
            )
        if value[:1] == "'":
            cells[column] = _unguard(value)
    return cells


def _checked(rule, fields: dict, *, columns: dict[str, str] | None = None, **options) -> dict:
    """The rule's cleaned fields, or a RowError naming each bad column with its messages."""
    try:
        return rule(fields, **options)
    except InvalidInput as exc:
        columns = columns or {}
        problems = [
            " ".join(messages)
            if field == rules.NON_FIELD
            else f"{columns.get(field, field)}: {' '.join(messages)}"
            for field, messages in exc.fields.items()
        ]
        raise RowError(" ".join(problems)) from None


def _split_list(raw: str, separators: str) -> list[str]:
    if raw.startswith("["):
        try:
            items = json.loads(raw)
        except json.JSONDecodeError:
            raise RowError("starts with [ but is not a JSON list.") from None
        if not isinstance(items, list) or not all(isinstance(i, str | int | float) for i in items):
            raise RowError("must be a JSON list of texts.")
        items = [str(item) for item in items]
    else:
        items = re.split(f"[{re.escape(separators)}]", raw)
    return [clean_text(item) for item in items if clean_text(item)]


def parse_attributes(raw: str) -> dict[str, str]:
    """ "material=stainless steel; capacity=750 ml" or a JSON object of texts and numbers."""
    raw = raw.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RowError(
                f"attributes starts with {{ but is not valid JSON ({exc.msg})."
            ) from None
        if not isinstance(parsed, dict):
            raise RowError("attributes must be a JSON object.")
        pairs = []
        for key, value in parsed.items():
            if isinstance(value, dict | list) or value is None:
                raise RowError(f"attribute {str(key)[:40]!r} must be a text or a number.")
            if isinstance(value, bool):
                value = "yes" if value else "no"
            pairs.append((str(key), str(value)))
    else:
        pairs = []
        for part in raw.split(";"):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise RowError(
                    f"attribute {clean_text(part)[:40]!r} has no '='; "
                    "write attributes as name=value; name=value."
                )
            pairs.append((key, value))
    attributes: dict[str, str] = {}
    for key, value in pairs:
        key = clean_text(key)
        if key in attributes:  # a map cannot hold it twice, so the rule would never see it
            raise RowError(f"attribute {key[:40]!r} is given twice.")
        attributes[key] = clean_text(value)
    return attributes


def _stock_key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


_STOCK_ALIASES = {
    **{_stock_key(choice.value): choice.value for choice in StockStatus},
    **{_stock_key(choice.label): choice.value for choice in StockStatus},
    "instock": StockStatus.IN_STOCK.value,
    "outofstock": StockStatus.OUT_OF_STOCK.value,
}


def parse_product(row: dict[str, str]) -> dict:
    """Fields for `upsert_products`; only the columns the file has are set, and an empty
    currency or stock_status cell keeps the default (the shop's currency, in stock)."""
    cells = _cells(row)
    fields: dict = {
        column: cells[column]
        for column in (
            "sku",
            "title",
            "brand",
            "category",
            "price",
            "image_url",
            "description",
            "seo_title",
            "meta_description",
        )
        if column in cells
    }
    if rules.clean_text(cells.get("currency")):
        fields["currency"] = cells["currency"]
    status = rules.clean_text(cells.get("stock_status"))
    if status:
        fields["stock_status"] = _STOCK_ALIASES.get(_stock_key(status), status)
    if "attributes" in cells:
        fields["attributes"] = parse_attributes(cells["attributes"])
    for column, separators in (("tags", "|,"), ("bullet_points", "|")):
        if column in cells:
            try:
                fields[column] = _split_list(cells[column].strip(), separators)
            except RowError as exc:
                raise RowError(f"{column} {exc}") from None
    # Partial: a file without a title column may update existing products (checked per batch).
    return _checked(rules.clean_product, fields, partial=True)


def parse_customer(row: dict[str, str]) -> dict:
    cells = _cells(row)
    return _checked(rules.clean_customer, cells, partial=True)


def parse_interaction(row: dict[str, str]) -> dict:
    """Fields for `record_interactions` (customer by external id, product by SKU)."""
    cells = _cells(row)
    fields = {"customer": cells.pop("customer_id"), **cells}
    return _checked(rules.clean_interaction, fields, columns={"customer": "customer_id"})


PARSERS = {
    "products": parse_product,
    "customers": parse_customer,
    "interactions": parse_interaction,
}
