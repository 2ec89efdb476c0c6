"""Product and customer forms: they turn form text into the values the entity rules take
(`catalog.rules`) and the rules' errors back into form errors.

The textarea parsers (`parse_attributes`, `parse_tags`, `parse_bullets` and their `format_*`
inverses) only read shapes ("key: value" lines, comma-separated tags, one bullet per line) and
raise `django.core.exceptions.ValidationError` for text they cannot read (per-line problems
start with "Line N:"); limits are the rules'.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from catalog import rules, services
from catalog.errors import InvalidInput
from catalog.models import Customer, Product, Shop, StockStatus
from catalog.rules import MAX_DESCRIPTION, MAX_TAG, MAX_TAGS, clean_text

MAX_MULTILINE_INPUT = 20_000  # raw textarea size before parsing


def add_rule_errors(form: forms.Form, error: InvalidInput) -> None:
    """Show an entity rule's errors on the form's fields (the rest above the form)."""
    for field, messages in error.fields.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def apply_rule(form: forms.Form, rule) -> None:
    """Run `rule` on the values the form could read; keep its cleaned values or its errors.

    The rule runs as an update (`partial=True`): a field the form could not read is already an
    error, and the form's `required` flags mirror the rule's.
    """
    try:
        form.cleaned_data.update(rule(form.cleaned_data, partial=True))
    except InvalidInput as exc:
        add_rule_errors(form, exc)


def _check(form: forms.Form, check, *args) -> None:
    """Run a service's check of the shop's rows (a free SKU) and show its error on the form."""
    try:
        check(*args)
    except InvalidInput as exc:
        add_rule_errors(form, exc)


def parse_attributes(text: str) -> dict[str, str]:
    """Parse "key: value" lines into a dict of facts, keeping their order.

    Blank lines are skipped; a value may itself contain ":" (only the first one splits).
    Every unreadable line is reported, not only the first.
    """
    attributes: dict[str, str] = {}
    seen: dict[str, int] = {}  # lower-cased key -> line number
    errors: list[str] = []
    for number, line in enumerate(clean_text(text, multiline=True).split("\n"), start=1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key, value = clean_text(key), clean_text(value)
        if not colon:
            errors.append(f'Line {number}: expected "key: value", got "{line.strip()[:40]}".')
        elif not key:
            errors.append(f"Line {number}: the name before the colon is missing.")
        elif not value:
            errors.append(f'Line {number}: "{key[:40]}" has no value after the colon.')
        elif key.lower() in seen:
            errors.append(f'Line {number}: "{key}" is already given on line {seen[key.lower()]}.')
        else:
            seen[key.lower()] = number
            attributes[key] = value
    if errors:
        raise ValidationError(errors)
    return attributes


def format_attributes(attributes: dict | None) -> str:
    return "\n".join(f"{key}: {value}" for key, value in (attributes or {}).items())


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags (the product rule lower-cases them and drops repeats)."""
    return [tag for tag in (part.strip() for part in clean_text(text).split(",")) if tag]


def format_tags(tags: list | None) -> str:
    return ", ".join(str(tag) for tag in tags or [])


def parse_bullets(text: str) -> list[str]:
    """One bullet point per line; blank lines and leading "-", "*" or "•" markers are dropped."""
    lines = clean_text(text, multiline=True).split("\n")
    return [bullet for bullet in (line.strip().lstrip("-*•").strip() for line in lines) if bullet]


def format_bullets(bullets: list | None) -> str:
    return "\n".join(str(bullet) for bullet in bullets or [])


class CleanCharField(forms.CharField):
    """A CharField that strips control/invisible characters before checking the length.

    `max_length` comes from the entity rule's limit: it sets the input's maxlength, and the
    message is the rule's own.
    """

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


_PRODUCT_LIMITS = rules.PRODUCT_TEXT_LIMITS


class ProductForm(forms.Form):
    """Every editable product field; `cleaned_data` has passed `rules.clean_product` and is
    ready for `services.save_product` (which checks the SKU against the shop's products)."""

    sku = CleanCharField(label="SKU", max_length=_PRODUCT_LIMITS["sku"])
    title = CleanCharField(max_length=_PRODUCT_LIMITS["title"])
    brand = CleanCharField(max_length=_PRODUCT_LIMITS["brand"], required=False)
    category = CleanCharField(
        max_length=_PRODUCT_LIMITS["category"],
        required=False,
        help_text='A path such as "Kitchen > Drinkware > Bottles".',
    )
    price = forms.DecimalField(
        max_digits=rules.PRICE_MAX_DIGITS, decimal_places=rules.PRICE_DECIMALS, required=False
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
    image_url = CleanCharField(
        label="Image URL", max_length=_PRODUCT_LIMITS["image_url"], required=False
    )
    description = CleanCharField(multiline=True, max_length=MAX_DESCRIPTION, required=False)
    bullet_points = _ParsedTextField(
        parse_bullets,
        format_bullets,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line.",
    )
    seo_title = CleanCharField(
        label="SEO title", max_length=_PRODUCT_LIMITS["seo_title"], required=False
    )
    meta_description = CleanCharField(
        max_length=_PRODUCT_LIMITS["meta_description"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, shop: Shop, product: Product | None = None, **kwargs) -> None:
        self.shop, self.product = shop, product
        if product is not None and "initial" not in kwargs:
            kwargs["initial"] = product_initial(product)
        kwargs.setdefault("initial", {}).setdefault("currency", shop.currency)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        apply_rule(self, rules.clean_product)
        if "sku" in self.cleaned_data:
            _check(self, services.check_sku_free, self.shop, self.cleaned_data["sku"], self.product)
        return self.cleaned_data


def product_initial(product: Product) -> dict:
    fields = ProductForm.base_fields
    return {name: getattr(product, name) for name in fields}


class CustomerForm(forms.Form):
    """A customer's external id and optional personal data (never sent to a model)."""

    external_id = CleanCharField(
        label="External id", max_length=rules.CUSTOMER_TEXT_LIMITS["external_id"]
    )
    name = CleanCharField(max_length=rules.CUSTOMER_TEXT_LIMITS["name"], required=False)
    email = CleanCharField(max_length=rules.CUSTOMER_TEXT_LIMITS["email"], required=False)

    def __init__(self, *args, shop: Shop, customer: Customer | None = None, **kwargs) -> None:
        self.shop, self.customer = shop, customer
        if customer is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "external_id": customer.external_id,
                "name": customer.name,
                "email": customer.email,
            }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        apply_rule(self, rules.clean_customer)
        if "external_id" in self.cleaned_data:
            external_id = self.cleaned_data["external_id"]
            _check(self, services.check_external_id_free, self.shop, external_id, self.customer)
        return self.cleaned_data
