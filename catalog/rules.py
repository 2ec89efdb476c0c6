"""The one rule per catalog entity: what a product, a customer and an interaction may hold.

`clean_product`, `clean_customer` and `clean_interaction` take raw values (text from a form or a
CSV cell, JSON values from the API, Python values from a service caller) and return cleaned
values, or raise `InvalidInput` whose `fields` name each bad field with messages a merchant can
act on. Forms, serializers and the CSV importer only turn their shapes into these dicts and the
errors back into theirs; the write services call the rules again, so that nothing unchecked is
stored whatever the entry point.

Cleaning never refuses hostile text: control characters and the invisible characters used to
hide or reorder text (bidi overrides and isolates, zero-width characters) are removed from every
text value, SKUs and ids included, before any limit is checked.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from catalog.errors import InvalidInput
from catalog.models import Customer, Interaction, InteractionKind, Product, StockStatus

NON_FIELD = "non_field_errors"

# Product fields a client may set (everything but shop and timestamps).
PRODUCT_FIELDS = (
    "sku",
    "title",
    "brand",
    "category",
    "price",
    "currency",
    "stock_status",
    "attributes",
    "tags",
    "image_url",
    "description",
    "bullet_points",
    "seo_title",
    "meta_description",
)
CUSTOMER_FIELDS = ("external_id", "name", "email", "created_at")
INTERACTION_FIELDS = (
    "customer",
    "sku",
    "kind",
    "quantity",
    "value",
    "occurred_at",
    "recommendation_ref",
)

# Limits on what one product may hold; generous for real catalogs, small enough that one
# product cannot fill a page, a prompt or the database.
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY = 60
MAX_ATTRIBUTE_VALUE = 500
MAX_TAGS = 30
MAX_TAG = 60
MAX_BULLETS = 10
MAX_BULLET = 300
MAX_DESCRIPTION = 10_000
MAX_AMOUNT = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
# Unit prices carry up to four decimals (fuel, bulk goods, prices net of tax in some shops):
# Product.price is DecimalField(max_digits=14, decimal_places=4).
PRICE_DECIMALS = 4
PRICE_MAX_DIGITS = 14
MAX_PRICE = Decimal("9999999999.9999")
MAX_QUANTITY = 1_000_000


def _model_limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# Longest single-line text per field: the database columns' sizes.
PRODUCT_TEXT_LIMITS = {
    name: _model_limit(Product, name)
    for name in ("sku", "title", "brand", "category", "image_url", "seo_title", "meta_description")
}
CUSTOMER_TEXT_LIMITS = {
    name: _model_limit(Customer, name) for name in ("external_id", "name", "email")
}
INTERACTION_TEXT_LIMITS = {
    "customer": _model_limit(Customer, "external_id"),
    "sku": _model_limit(Product, "sku"),
    "recommendation_ref": _model_limit(Interaction, "recommendation_ref"),
}
RATING_RANGE = (Decimal(1), Decimal(5))
# Computed once: `InteractionKind.values` builds a new list on every access (a CSV import
# checks millions of rows).
_INTERACTION_KINDS = frozenset(InteractionKind.values)

REQUIRED = "This field is required."

# C0/C1 control characters (tab, newline and carriage return are handled separately), plus the
# invisible characters used to hide or reorder text: zero-width spaces/joiners, LRM/RLM, bidi
# overrides and isolates, the BOM.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_SPACES = re.compile(r"[ \t]+")
_ANY_WHITESPACE = re.compile(r"\s+")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d{1,4}")
_url_validator = URLValidator(schemes=["http", "https"])


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Normalise user text: NFC, no control or invisible characters, trimmed.

    Single-line text has every run of whitespace (newlines included) collapsed to one space;
    multi-line text keeps its line breaks (as "\\n") and trims each line's right edge.
    """
    if value is None:
        return ""
    if (
        not multiline
        and type(value) is str
        and value.isascii()
        and value.isprintable()  # in ASCII: no control character, no whitespace but " "
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    ):
        return value  # already clean (and NFC); most cells of a big import are
    text = unicodedata.normalize("NFC", str(value))
    text = _CONTROL.sub("", text)
    if not multiline:
        return _ANY_WHITESPACE.sub(" ", text).strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def normalize_category(text: object) -> str:
    """ "Kitchen>Drinkware > " becomes "Kitchen > Drinkware" (the form every filter expects)."""
    return " > ".join(part.strip() for part in clean_text(text).split(">") if part.strip())


def too_long(limit: int, length: int) -> str:
    return f"At most {limit} characters (it has {length})."


class _Errors:
    """Collects messages per field, so that one call reports every bad field at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self, entity: str) -> None:
        if self.fields:
            raise InvalidInput(
                f"The {entity} is not valid: {_summary(self.fields)}", fields=self.fields
            )


def _summary(fields: dict[str, list[str]]) -> str:
    return " ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())


def _check_known(values: Mapping, allowed: tuple[str, ...], errors: _Errors) -> None:
    unknown = set(values).difference(allowed)
    if unknown:
        errors.add(NON_FIELD, f"Unknown fields: {', '.join(sorted(map(str, unknown)))}.")


def _text_fields(
    values: Mapping,
    limits: dict[str, int],
    required: tuple[str, ...],
    partial: bool,
    cleaned: dict,
    errors: _Errors,
) -> None:
    """Clean each single-line text field given; a required one may not be missing or empty."""
    for name, limit in limits.items():
        if name not in values:
            if name in required and not partial:
                errors.add(name, REQUIRED)
            continue
        raw = values[name]
        if raw is not None and not isinstance(raw, str | int):
            errors.add(name, "Enter a text.")
            continue
        text = clean_text(raw)
        if not text and name in required:
            errors.add(name, REQUIRED)
        elif len(text) > limit:
            errors.add(name, too_long(limit, len(text)))
        else:
            cleaned[name] = text


_DECIMAL_WORDS = {2: "two", 4: "four"}


def parse_amount(
    raw: object, what: str, *, places: int = 2, maximum: Decimal = MAX_AMOUNT
) -> Decimal | None:
    """A money amount or rating of at most `places` decimals, zero or more; None when empty.

    Raises ValueError with a message for `what` ("The price", "The value").
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError("Enter a number.")
    text = clean_text(raw).replace(" ", "")
    if not text:
        return None
    if _DECIMAL_COMMA.fullmatch(text):
        raise ValueError(f"{what} uses a decimal comma; write it with a dot (19.90).")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter a number.") from None
    if not amount.is_finite():
        raise ValueError("Enter a number.")
    if amount < 0:
        raise ValueError(f"{what} cannot be negative.")
    if amount > maximum:
        raise ValueError(f"{what} is too large.")
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step):
        raise ValueError(f"{what} has more than {_DECIMAL_WORDS.get(places, places)} decimals.")
    # Two decimals, or as many as the amount needs up to `places`: 19.9 and 19.9000 are 19.90,
    # 0.0125 stays 0.0125.
    decimals = min(places, max(2, -amount.normalize().as_tuple().exponent))
    return amount.quantize(Decimal(1).scaleb(-decimals))


def parse_when(raw: object) -> datetime | None:
    """An ISO 8601 date or date-time (a datetime passes through); without an offset it is
    taken in the site's time zone. None when empty; ValueError when unreadable."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime.combine(raw, time())
    else:
        text = clean_text(raw)
        try:
            value = parse_datetime(text)
            if value is None:
                day = parse_date(text)
                value = datetime.combine(day, time()) if day else None
        except ValueError:  # well formed but impossible, such as 2024-02-31
            value = None
        if value is None:
            raise ValueError(
                "An ISO 8601 date or time is required (2024-05-31 or 2024-05-31T14:05:00Z)."
            )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        # Stored in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 text may carry.
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("That date and time is out of range.") from None


# --- Products -----------------------------------------------------------------------------


def _clean_attributes(raw: object, errors: _Errors) -> dict | None:
    if not isinstance(raw, Mapping):
        errors.add("attributes", "Attributes must be a map of names to values.")
        return None
    attributes: dict[str, str | int | float | bool] = {}
    seen: set[str] = set()
    for raw_key, raw_value in raw.items():
        key = clean_text(raw_key)
        label = f'"{key[:40]}"'
        if not key:
            errors.add("attributes", "An attribute name is empty.")
            continue
        if len(key) > MAX_ATTRIBUTE_KEY:
            name_limit = too_long(MAX_ATTRIBUTE_KEY, len(key))
            errors.add("attributes", f"{label}: the name is too long. {name_limit}")
            continue
        if key.lower() in seen:
            errors.add("attributes", f"{label} is given twice.")
            continue
        seen.add(key.lower())
        if isinstance(raw_value, bool | int) or (
            isinstance(raw_value, float) and math.isfinite(raw_value)
        ):
            value = raw_value  # JSON numbers and booleans stay typed
        elif isinstance(raw_value, str):
            value = clean_text(raw_value)
        else:
            errors.add("attributes", f"{label}: a value must be text, a number or true/false.")
            continue
        if value == "":
            errors.add("attributes", f"{label} has no value.")
        elif len(str(value)) > MAX_ATTRIBUTE_VALUE:
            length = len(str(value))
            value_limit = too_long(MAX_ATTRIBUTE_VALUE, length)
            errors.add("attributes", f"{label}: the value is too long. {value_limit}")
        else:
            attributes[key] = value
    if len(seen) > MAX_ATTRIBUTES:
        errors.add("attributes", f"At most {MAX_ATTRIBUTES} attributes (there are {len(seen)}).")
    return attributes


def _text_list(raw: object, field: str, errors: _Errors) -> list[str] | None:
    if isinstance(raw, str) or not isinstance(raw, list | tuple):
        errors.add(field, "A list of texts is required.")
        return None
    if not all(isinstance(item, str | int | float) for item in raw):
        errors.add(field, "A list of texts is required.")
        return None
    return [text for text in (clean_text(item) for item in raw) if text]


def _clean_tags(raw: object, errors: _Errors) -> list[str] | None:
    """Lower-cased, without duplicates, in the order given."""
    items = _text_list(raw, "tags", errors)
    if items is None:
        return None
    tags = list(dict.fromkeys(item.lower() for item in items))
    for tag in tags:
        if len(tag) > MAX_TAG:
            errors.add("tags", f'Tag "{tag[:30]}…" is too long: at most {MAX_TAG} characters.')
    if len(tags) > MAX_TAGS:
        errors.add("tags", f"At most {MAX_TAGS} tags (there are {len(tags)}).")
    return tags


def _clean_bullets(raw: object, errors: _Errors) -> list[str] | None:
    bullets = _text_list(raw, "bullet_points", errors)
    if bullets is None:
        return None
    for number, bullet in enumerate(bullets, start=1):
        if len(bullet) > MAX_BULLET:
            errors.add("bullet_points", f"Bullet {number}: {too_long(MAX_BULLET, len(bullet))}")
    if len(bullets) > MAX_BULLETS:
        errors.add(
            "bullet_points", f"At most {MAX_BULLETS} bullet points (there are {len(bullets)})."
        )
    return bullets


def clean_product(values: Mapping, *, partial: bool = False) -> dict:
    """A product's fields, cleaned; only the fields given are returned.

    `partial`: an update of an existing product, so sku and title may be left out (but never
    emptied). SKU uniqueness needs the shop's rows and is checked by `services.save_product`.
    """
    errors = _Errors()
    cleaned: dict = {}
    _check_known(values, PRODUCT_FIELDS, errors)
    _text_fields(values, PRODUCT_TEXT_LIMITS, ("sku", "title"), partial, cleaned, errors)
    # A SKU may hold spaces inside ("AB 123-4", as real shop systems export them): clean_text
    # has trimmed the ends and made every run of whitespace one space. Any other printable
    # character is kept; control and invisible characters are removed like everywhere.
    if "category" in cleaned:
        cleaned["category"] = normalize_category(cleaned["category"])
    if cleaned.get("image_url"):
        url = cleaned["image_url"]
        if not url.lower().startswith(("http://", "https://")):
            errors.add("image_url", "The image URL must start with http:// or https://.")
        else:
            try:
                _url_validator(url)
            except ValidationError:
                errors.add("image_url", "Enter a valid URL.")
    if "description" in values:
        description = clean_text(values["description"], multiline=True)
        if len(description) > MAX_DESCRIPTION:
            errors.add("description", too_long(MAX_DESCRIPTION, len(description)))
        cleaned["description"] = description
    if "price" in values:
        try:
            cleaned["price"] = parse_amount(
                values["price"], "The price", places=PRICE_DECIMALS, maximum=MAX_PRICE
            )
        except ValueError as exc:
            errors.add("price", str(exc))
    if "currency" in values:
        currency = clean_text(values["currency"]).upper()
        if not _CURRENCY.match(currency):
            errors.add("currency", "Currency must be a 3-letter code such as EUR or USD.")
        cleaned["currency"] = currency
    if "stock_status" in values:
        status = clean_text(values["stock_status"])
        if status not in StockStatus.values:
            allowed = ", ".join(StockStatus.values)
            errors.add("stock_status", f"{status[:30]!r} is not one of: {allowed}.")
        cleaned["stock_status"] = status
    if "attributes" in values:
        cleaned["attributes"] = _clean_attributes(values["attributes"], errors)
    if "tags" in values:
        cleaned["tags"] = _clean_tags(values["tags"], errors)
    if "bullet_points" in values:
        cleaned["bullet_points"] = _clean_bullets(values["bullet_points"], errors)
    errors.raise_if_any("product")
    return cleaned


# --- Customers ----------------------------------------------------------------------------


def clean_customer(values: Mapping, *, partial: bool = False) -> dict:
    """A customer's fields, cleaned; only the fields given are returned.

    `partial`: an update, so the external id may be left out. Uniqueness of the external id is
    checked by `services.save_customer`.
    """
    errors = _Errors()
    cleaned: dict = {}
    _check_known(values, CUSTOMER_FIELDS, errors)
    _text_fields(values, CUSTOMER_TEXT_LIMITS, ("external_id",), partial, cleaned, errors)
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.add("email", "Enter a valid email address.")
    if "created_at" in values:
        try:
            created_at = parse_when(values["created_at"])
        except ValueError as exc:
            errors.add("created_at", str(exc))
        else:
            if created_at is not None:  # empty: keep the default (now) or the stored date
                cleaned["created_at"] = created_at
    errors.raise_if_any("customer")
    return cleaned


# --- Interactions -------------------------------------------------------------------------


def _quantity(raw: object) -> int:
    if raw is None or raw == "":
        return 1
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, str):
        raw = clean_text(raw)
        if not raw.isdigit():
            raise ValueError
    if not isinstance(raw, int | str):
        raise ValueError
    quantity = int(raw)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValueError
    return quantity


def clean_interaction(values: Mapping) -> dict:
    """One interaction: customer (external id), sku, kind, and optional quantity (default 1),
    value (a purchase amount, or the 1-5 of a rating, which needs one), occurred_at (default:
    now, set by the service) and recommendation_ref."""
    errors = _Errors()
    _check_known(values, INTERACTION_FIELDS, errors)
    cleaned: dict = {}
    _text_fields(values, INTERACTION_TEXT_LIMITS, ("customer", "sku"), False, cleaned, errors)
    cleaned.setdefault("recommendation_ref", "")
    kind = clean_text(values.get("kind")).lower()
    if not kind:
        errors.add("kind", REQUIRED)
    elif kind not in _INTERACTION_KINDS:
        errors.add("kind", f"{kind[:20]!r} is not one of: {', '.join(InteractionKind.values)}.")
    cleaned["kind"] = kind
    try:
        cleaned["quantity"] = _quantity(values.get("quantity"))
    except ValueError:
        errors.add("quantity", f"A whole number from 1 to {MAX_QUANTITY:,} is required.")
    try:
        cleaned["value"] = parse_amount(values.get("value"), "The value")
    except ValueError as exc:
        errors.add("value", str(exc))
    else:
        low, high = RATING_RANGE
        rating = cleaned["value"]
        if kind == InteractionKind.RATING and (rating is None or not low <= rating <= high):
            errors.add("value", "A rating needs a value from 1 to 5.")
    try:
        cleaned["occurred_at"] = parse_when(values.get("occurred_at"))
    except ValueError as exc:
        errors.add("occurred_at", str(exc))
    errors.raise_if_any("interaction")
    return cleaned
