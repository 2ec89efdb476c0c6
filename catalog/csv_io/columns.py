"""Column sets of the three CSV kinds and the parsing of one row into validated service fields.

Each parser takes a row as {column: raw text} (only the columns the file has) and returns the
fields for the service (`upsert_products`, `upsert_customers`, `record_interactions`), or raises
RowError with a message a merchant can act on. Text is cleaned first: control characters and
bidirectional overrides are removed, and the quote that the exporter puts before a cell starting
with = + - @ is taken off again, so that an exported file imports unchanged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from catalog import forms
from catalog.forms import (
    MAX_ATTRIBUTE_KEY,
    MAX_ATTRIBUTE_VALUE,
    MAX_ATTRIBUTES,
    MAX_BULLET,
    MAX_BULLETS,
    MAX_DESCRIPTION,
    MAX_TAG,
    MAX_TAGS,
)
from catalog.models import InteractionKind, StockStatus
from catalog.services import PRODUCT_FIELDS


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
    columns=PRODUCT_FIELDS,
    # A file without a title column may only update products the shop already has.
    required=("sku",),
    key="sku",
)
CUSTOMERS = CsvKind(
    name="customers",
    columns=("external_id", "name", "email", "created_at"),
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

# Longest text accepted per column (the model's limits; description is a TextField).
MAX_LENGTH = {
    "sku": 64,
    "title": 300,
    "brand": 120,
    "category": 300,
    "image_url": 500,
    "description": MAX_DESCRIPTION,
    "seo_title": 120,
    "meta_description": 320,
    "external_id": 64,
    "name": 200,
    "email": 254,
    "customer_id": 64,
    "recommendation_ref": 64,
}
MAX_CELL = 50_000  # any other cell (attributes, tags, bullet points)
MAX_PRICE = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The product form's cleaning (no control or invisible characters, trimmed), after
    undoing the exporter's formula guard."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return forms.clean_text(value, multiline=multiline)


def _text(row: dict[str, str], column: str, *, multiline: bool = False) -> str:
    value = clean_text(row[column], multiline=multiline)
    limit = MAX_LENGTH.get(column, MAX_CELL)
    if len(value) > limit:
        raise RowError(f"{column} is {len(value)} characters long; the limit is {limit}.")
    return value


def _decimal(column: str, raw: str) -> Decimal:
    text = raw.replace(" ", "")
    if re.fullmatch(r"-?\d+,\d{1,2}", text):
        raise RowError(f"{column} {raw[:40]!r} uses a decimal comma; write it with a dot (19.90).")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowError(f"{column} {raw[:40]!r} is not a number.") from None
    if not value.is_finite():
        raise RowError(f"{column} {raw[:40]!r} is not a number.")
    if value < 0:
        raise RowError(f"{column} {raw[:40]!r} is negative.")
    if value > MAX_PRICE:
        raise RowError(f"{column} {raw[:40]!r} is too large.")
    if value != value.quantize(Decimal("0.01")):
        raise RowError(f"{column} {raw[:40]!r} has more than two decimals.")
    return value.quantize(Decimal("0.01"))


def _when(column: str, raw: str) -> datetime:
    """ISO 8601 date or date-time; without an offset it is taken in the site's time zone."""
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = datetime.combine(day, time()) if day else None
    except ValueError:  # well formed but impossible, such as 2024-02-31
        value = None
    if value is None:
        raise RowError(
            f"{column} {raw[:40]!r} is not an ISO 8601 date or time "
            "(2024-05-31 or 2024-05-31T14:05:00Z)."
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


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
        key, value = clean_text(key).lower(), clean_text(value)
        if not key:
            raise RowError("an attribute has an empty name.")
        if len(key) > MAX_ATTRIBUTE_KEY or len(value) > MAX_ATTRIBUTE_VALUE:
            raise RowError(
                f"attribute {key[:40]!r} is too long (names up to {MAX_ATTRIBUTE_KEY}, "
                f"values up to {MAX_ATTRIBUTE_VALUE} characters)."
            )
        if key in attributes:
            raise RowError(f"attribute {key!r} is given twice.")
        attributes[key] = value
    if len(attributes) > MAX_ATTRIBUTES:
        raise RowError(f"{len(attributes)} attributes; the limit is {MAX_ATTRIBUTES}.")
    return attributes


def _stock_key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


_STOCK_ALIASES = {
    **{_stock_key(choice.value): choice.value for choice in StockStatus},
    **{_stock_key(choice.label): choice.value for choice in StockStatus},
    "instock": StockStatus.IN_STOCK.value,
    "outofstock": StockStatus.OUT_OF_STOCK.value,
}
_url_validator = URLValidator(schemes=["http", "https"])


def parse_product(row: dict[str, str]) -> dict:
    """Fields for `upsert_products`; only the columns the file has are set."""
    fields: dict = {}
    for column in ("sku", "title", "brand", "category", "seo_title", "meta_description"):
        if column in row:
            fields[column] = _text(row, column)
    if not fields.get("sku"):
        raise RowError("sku is empty.")
    if any(char.isspace() for char in fields["sku"]):
        raise RowError(f"sku {fields['sku']!r} contains spaces.")
    if "title" in fields and not fields["title"]:
        raise RowError("title is empty.")
    if "category" in fields:
        fields["category"] = " > ".join(
            part.strip() for part in fields["category"].split(">") if part.strip()
        )
    if "description" in row:
        fields["description"] = _text(row, "description", multiline=True)
    if "price" in row:
        raw = clean_text(row["price"])
        fields["price"] = _decimal("price", raw) if raw else None
    if "currency" in row:
        currency = clean_text(row["currency"]).upper()
        if currency:
            if not re.fullmatch(r"[A-Z]{3}", currency):
                raise RowError(f"currency {currency[:10]!r} is not a 3-letter code like EUR.")
            fields["currency"] = currency
    if "stock_status" in row:
        raw = clean_text(row["stock_status"])
        if raw:
            status = _STOCK_ALIASES.get(_stock_key(raw))
            if status is None:
                allowed = ", ".join(choice.value for choice in StockStatus)
                raise RowError(f"stock_status {raw[:30]!r} is not one of: {allowed}.")
            fields["stock_status"] = status
    if "attributes" in row:
        fields["attributes"] = parse_attributes(_text(row, "attributes"))
    if "tags" in row:
        try:
            tags = _split_list(_text(row, "tags"), "|,")
        except RowError as exc:
            raise RowError(f"tags {exc}") from None
        if len(tags) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in tags):
            raise RowError(f"tags: at most {MAX_TAGS} tags of up to {MAX_TAG} characters.")
        fields["tags"] = tags
    if "bullet_points" in row:
        try:
            bullets = _split_list(_text(row, "bullet_points"), "|")
        except RowError as exc:
            raise RowError(f"bullet_points {exc}") from None
        if len(bullets) > MAX_BULLETS or any(len(bullet) > MAX_BULLET for bullet in bullets):
            raise RowError(
                f"bullet_points: at most {MAX_BULLETS} points of up to {MAX_BULLET} characters."
            )
        fields["bullet_points"] = bullets
    if "image_url" in row:
        url = _text(row, "image_url")
        if url:
            try:
                _url_validator(url)
            except ValidationError:
                raise RowError(f"image_url {url[:80]!r} is not an http(s) URL.") from None
        fields["image_url"] = url
    return fields


def parse_customer(row: dict[str, str]) -> dict:
    fields: dict = {"external_id": _text(row, "external_id")}
    if not fields["external_id"]:
        raise RowError("external_id is empty.")
    if "name" in row:
        fields["name"] = _text(row, "name")
    if "email" in row:
        email = _text(row, "email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise RowError(f"email {email[:80]!r} is not an email address.") from None
        fields["email"] = email
    if "created_at" in row:
        raw = clean_text(row["created_at"])
        if raw:
            fields["created_at"] = _when("created_at", raw)
    return fields


def parse_interaction(row: dict[str, str]) -> dict:
    """Fields for `record_interactions` (customer by external id, product by SKU)."""
    fields: dict = {"customer": _text(row, "customer_id"), "sku": _text(row, "sku")}
    if not fields["customer"]:
        raise RowError("customer_id is empty.")
    if not fields["sku"]:
        raise RowError("sku is empty.")
    kind = clean_text(row["kind"]).lower()
    if kind not in InteractionKind.values:
        raise RowError(f"kind {kind[:20]!r} is not one of: {', '.join(InteractionKind.values)}.")
    fields["kind"] = kind
    raw_quantity = clean_text(row.get("quantity", ""))
    if raw_quantity:
        if not raw_quantity.isdigit() or not 1 <= int(raw_quantity) <= 1_000_000:
            raise RowError(f"quantity {raw_quantity[:20]!r} is not a whole number from 1.")
        fields["quantity"] = int(raw_quantity)
    raw_value = clean_text(row.get("value", ""))
    if raw_value:
        fields["value"] = _decimal("value", raw_value)
    if kind == InteractionKind.RATING and not 1 <= fields.get("value", 0) <= 5:
        raise RowError("a rating needs a value from 1 to 5.")
    raw_when = clean_text(row.get("occurred_at", ""))
    if raw_when:
        fields["occurred_at"] = _when("occurred_at", raw_when)
    if "recommendation_ref" in row:
        fields["recommendation_ref"] = _text(row, "recommendation_ref")
    return fields


PARSERS = {
    "products": parse_product,
    "customers": parse_customer,
    "interactions": parse_interaction,
}
