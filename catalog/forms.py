"""Product and customer forms, and the text-cleaning helpers they share with the CSV importer.

The helpers (`clean_text`, `parse_attributes`, `parse_tags`, `parse_bullets` and their
`format_*` inverses) are plain functions: they take text and return cleaned values, or raise
`django.core.exceptions.ValidationError` whose messages are safe to show to a merchant
(per-line problems start with "Line N:").
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from catalog.models import Customer, Product, Shop, StockStatus

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
MAX_MULTILINE_INPUT = 20_000  # raw textarea size before parsing

# C0/C1 control characters (tab, newline and carriage return are handled separately), plus the
# invisible characters used to hide or reorder text: zero-width spaces/joiners, bidi overrides
# and isolates, the BOM.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_SPACES = re.compile(r"[ \t]+")
_ANY_WHITESPACE = re.compile(r"\s+")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Normalise user text: NFC, no control or invisible characters, trimmed.

    Single-line text has every run of whitespace (newlines included) collapsed to one space;
    multi-line text keeps its line breaks (as "\\n") and trims each line's right edge.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _CONTROL.sub("", text)
    if not multiline:
        return _ANY_WHITESPACE.sub(" ", text).strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _too_long(what: str, limit: int, length: int) -> str:
    return f"{what} is too long: at most {limit} characters (it has {length})."


def parse_attributes(text: str) -> dict[str, str]:
    """Parse "key: value" lines into a dict of facts, keeping their order.

    Blank lines are skipped; a value may itself contain ":" (only the first one splits).
    Every bad line is reported, not only the first.
    """
    text = clean_text(text, multiline=True)
    if len(text) > MAX_MULTILINE_INPUT:
        raise ValidationError(_too_long("The attributes text", MAX_MULTILINE_INPUT, len(text)))
    attributes: dict[str, str] = {}
    seen: dict[str, int] = {}  # lower-cased key -> line number
    errors: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key, value = clean_text(key), clean_text(value)
        if not colon:
            errors.append(f'Line {number}: expected "key: value", got "{line.strip()[:40]}".')
            continue
        if not key:
            errors.append(f"Line {number}: the name before the colon is missing.")
            continue
        if not value:
            errors.append(f'Line {number}: "{key[:40]}" has no value after the colon.')
            continue
        if len(key) > MAX_ATTRIBUTE_KEY:
            errors.append(f"Line {number}: " + _too_long("the name", MAX_ATTRIBUTE_KEY, len(key)))
            continue
        if len(value) > MAX_ATTRIBUTE_VALUE:
            errors.append(
                f"Line {number}: " + _too_long("the value", MAX_ATTRIBUTE_VALUE, len(value))
            )
            continue
        if key.lower() in seen:
            errors.append(f'Line {number}: "{key}" is already given on line {seen[key.lower()]}.')
            continue
        seen[key.lower()] = number
        attributes[key] = value
    if len(attributes) > MAX_ATTRIBUTES:
        errors.append(f"At most {MAX_ATTRIBUTES} attributes (there are {len(attributes)}).")
    if errors:
        raise ValidationError(errors)
    return attributes


def format_attributes(attributes: dict | None) -> str:
    return "\n".join(f"{key}: {value}" for key, value in (attributes or {}).items())


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, lower-cased, without duplicates, in the order given."""
    text = clean_text(text)
    tags: list[str] = []
    errors: list[str] = []
    for raw in text.split(","):
        tag = raw.strip().lower()
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG:
            errors.append(f'Tag "{tag[:30]}…" is too long: at most {MAX_TAG} characters.')
            continue
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        errors.append(f"At most {MAX_TAGS} tags (there are {len(tags)}).")
    if errors:
        raise ValidationError(errors)
    return tags


def format_tags(tags: list | None) -> str:
    return ", ".join(str(tag) for tag in tags or [])


def parse_bullets(text: str) -> list[str]:
    """One bullet point per line; blank lines and leading "-", "*" or "•" markers are dropped."""
    text = clean_text(text, multiline=True)
    if len(text) > MAX_MULTILINE_INPUT:
        raise ValidationError(_too_long("The bullet points text", MAX_MULTILINE_INPUT, len(text)))
    bullets: list[str] = []
    errors: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        bullet = line.strip().lstrip("-*•").strip()
        if not bullet:
            continue
        if len(bullet) > MAX_BULLET:
            errors.append(f"Line {number}: " + _too_long("the bullet", MAX_BULLET, len(bullet)))
            continue
        bullets.append(bullet)
    if len(bullets) > MAX_BULLETS:
        errors.append(f"At most {MAX_BULLETS} bullet points (there are {len(bullets)}).")
    if errors:
        raise ValidationError(errors)
    return bullets


def format_bullets(bullets: list | None) -> str:
    return "\n".join(str(bullet) for bullet in bullets or [])


def normalize_category(text: str) -> str:
    """ "Kitchen>Drinkware > " becomes "Kitchen > Drinkware" (the form every filter expects)."""
    return " > ".join(part.strip() for part in clean_text(text).split(">") if part.strip())


def parse_currency(text: str) -> str:
    currency = clean_text(text).upper()
    if not _CURRENCY.match(currency):
        raise ValidationError("Currency must be a 3-letter code such as EUR or USD.")
    return currency


class CleanCharField(forms.CharField):
    """A CharField that strips control/invisible characters before checking the length."""

    def __init__(self, *, multiline: bool = False, **kwargs) -> None:
        self.multiline = multiline
        kwargs.setdefault("strip", False)
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        super().__init__(**kwargs)
        self.error_messages["max_length"] = (
            "At most %(limit_value)d characters (it has %(show_value)d)."
        )

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value, multiline=self.multiline)


class _ParsedTextField(forms.CharField):
    """A textarea whose text becomes a structured value through one of the parse_* helpers."""

    def __init__(self, parse, formatter, **kwargs) -> None:
        self.parse, self.formatter = parse, formatter
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", MAX_MULTILINE_INPUT)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict | list):
            return self.formatter(value)
        return value

    def clean(self, value):
        text = super().clean(value)
        return self.parse(text or "")


class ProductForm(forms.Form):
    """Every editable product field; `cleaned_data` is ready for `services.save_product`."""

    sku = CleanCharField(label="SKU", max_length=64)
    title = CleanCharField(max_length=300)
    brand = CleanCharField(max_length=120, required=False)
    category = CleanCharField(
        max_length=300, required=False, help_text='A path such as "Kitchen > Drinkware > Bottles".'
    )
    price = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        error_messages={"min_value": "The price cannot be negative."},
    )
    currency = CleanCharField(max_length=20)
    stock_status = forms.ChoiceField(choices=StockStatus.choices)
    attributes = _ParsedTextField(
        parse_attributes,
        format_attributes,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "material: stainless steel"}),
        help_text='Facts, one "key: value" per line (material, size, capacity, colour…).',
    )
    tags = _ParsedTextField(
        parse_tags,
        format_tags,
        max_length=MAX_TAGS * (MAX_TAG + 2),
        widget=forms.TextInput(attrs={"placeholder": "outdoor, gift"}),
        help_text="Comma-separated.",
    )
    image_url = forms.URLField(
        label="Image URL", max_length=500, required=False, assume_scheme="https"
    )
    description = CleanCharField(multiline=True, max_length=MAX_DESCRIPTION, required=False)
    bullet_points = _ParsedTextField(
        parse_bullets,
        format_bullets,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line.",
    )
    seo_title = CleanCharField(label="SEO title", max_length=120, required=False)
    meta_description = CleanCharField(
        multiline=False, max_length=320, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, shop: Shop, product: Product | None = None, **kwargs) -> None:
        self.shop, self.product = shop, product
        if product is not None and "initial" not in kwargs:
            kwargs["initial"] = product_initial(product)
        kwargs.setdefault("initial", {}).setdefault("currency", shop.currency)
        super().__init__(*args, **kwargs)

    def clean_currency(self) -> str:
        return parse_currency(self.cleaned_data["currency"])

    def clean_category(self) -> str:
        return normalize_category(self.cleaned_data["category"])

    def clean_image_url(self) -> str:
        url = self.cleaned_data["image_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError("The image URL must start with http:// or https://.")
        return url

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"]
        clash = Product.objects.for_shop(self.shop).filter(sku=sku)
        if self.product is not None:
            clash = clash.exclude(pk=self.product.pk)
        if clash.exists():
            raise ValidationError(f"Another product already has SKU {sku!r}.")
        return sku


def product_initial(product: Product) -> dict:
    fields = ProductForm.base_fields
    return {name: getattr(product, name) for name in fields}


class CustomerForm(forms.Form):
    """A customer's external id and optional personal data (never sent to a model)."""

    external_id = CleanCharField(label="External id", max_length=64)
    name = CleanCharField(max_length=200, required=False)
    email = forms.EmailField(max_length=254, required=False)

    def __init__(self, *args, shop: Shop, customer: Customer | None = None, **kwargs) -> None:
        self.shop, self.customer = shop, customer
        if customer is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "external_id": customer.external_id,
                "name": customer.name,
                "email": customer.email,
            }
        super().__init__(*args, **kwargs)

    def clean_external_id(self) -> str:
        external_id = self.cleaned_data["external_id"]
        clash = Customer.objects.for_shop(self.shop).filter(external_id=external_id)
        if self.customer is not None:
            clash = clash.exclude(pk=self.customer.pk)
        if clash.exists():
            raise ValidationError(f"Another customer already has external id {external_id!r}.")
        return external_id
