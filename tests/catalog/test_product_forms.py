from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.forms import ProductForm, parse_attributes, parse_bullets, parse_tags
from catalog.rules import MAX_BULLETS, MAX_TAGS, clean_text
from tests.catalog.test_product_pages import form_data


@pytest.fixture
def bottle(shop):
    return services.save_product(shop, {"sku": "BTL-1", "title": "Steel bottle"})


# --- Parsing helpers (shared with the CSV importer) ------------------------------------------


def test_parse_attributes_reads_key_value_lines_and_keeps_colons_in_values():
    text = "material: steel\n\n  size : 10 x 20 cm \nopening: 10:30 twist"
    assert parse_attributes(text) == {
        "material": "steel",
        "size": "10 x 20 cm",
        "opening": "10:30 twist",
    }


def test_parse_attributes_reports_every_bad_line_with_its_number():
    text = "material steel\n: blue\ncolour:\nmaterial: wood\nMATERIAL: oak"
    with pytest.raises(ValidationError) as caught:
        parse_attributes(text)
    messages = caught.value.messages
    assert messages == [
        'Line 1: expected "key: value", got "material steel".',
        "Line 2: the name before the colon is missing.",
        'Line 3: "colour" has no value after the colon.',
        'Line 5: "MATERIAL" is already given on line 4.',
    ]


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("attributes", "k" * 61 + ": v", "the name is too long"),
        ("attributes", "k: " + "v" * 501, "the value is too long"),
        ("attributes", "\n".join(f"key{i}: v" for i in range(51)), "At most 50 attributes"),
        ("tags", "x" * 61, "too long: at most 60 characters"),
        ("tags", ",".join(f"t{i}" for i in range(MAX_TAGS + 1)), f"At most {MAX_TAGS} tags"),
        (
            "bullet_points",
            "\n".join(f"b{i}" for i in range(MAX_BULLETS + 1)),
            f"At most {MAX_BULLETS} bullet points",
        ),
        ("bullet_points", "ok\n" + "b" * 301, "Bullet 2: At most 300 characters (it has 301)."),
    ],
)
def test_product_form_shows_the_product_rules_limits_on_the_field(shop, field, text, message):
    form = ProductForm(form_data(**{field: text}), shop=shop)
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors[field]


def test_parse_tags_only_splits_and_the_rule_lowercases_and_dedupes(shop):
    assert parse_tags(" Outdoor, gift,,OUTDOOR , ") == ["Outdoor", "gift", "OUTDOOR"]
    form = ProductForm(form_data(tags=" Outdoor, gift,,OUTDOOR , "), shop=shop)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tags"] == ["outdoor", "gift"]


def test_parse_bullets_one_per_line_without_markers():
    assert parse_bullets("- one\n\n• two\r\n* three ") == ["one", "two", "three"]


def test_clean_text_strips_control_and_invisible_characters():
    hostile = "Bott\x00le\u202e\u200b \x1b[31mred\x07\n\tcap"
    assert clean_text(hostile) == "Bottle [31mred cap"
    assert clean_text("a\r\nb\x0c\n", multiline=True) == "a\nb"


# --- ProductForm ---------------------------------------------------------------------------


def test_product_form_cleans_every_field(shop):
    form = ProductForm(form_data(), shop=shop)
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["category"] == "Kitchen > Drinkware > Bottles"
    assert data["currency"] == "EUR"
    assert data["tags"] == ["outdoor", "gift"]
    assert data["bullet_points"] == ["Leak-proof lid", "Fits cup holders"]
    assert data["attributes"] == {
        "material": "stainless steel",
        "capacity": "750 ml",
        "colour": "blue",
    }
    assert data["price"] == Decimal("24.90")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "-1", "The price cannot be negative."),
        ("price", "abc", "Enter a number."),
        ("currency", "EURO", "Currency must be a 3-letter code"),
        ("currency", "E1R", "Currency must be a 3-letter code"),
        ("title", "x" * 301, "At most 300 characters (it has 301)."),
        ("sku", "", "This field is required."),
        ("image_url", "javascript:alert(1)", "must start with http:// or https://"),
        ("image_url", "https://", "Enter a valid URL."),
        ("image_url", "ftp://example.com/a.jpg", "must start with http:// or https://"),
        ("attributes", "no colon here", 'Line 1: expected "key: value"'),
        ("description", "d" * 10_001, "At most 10000 characters"),
        ("stock_status", "sold", "Select a valid choice."),
    ],
)
def test_product_form_says_what_is_wrong(shop, field, value, message):
    form = ProductForm(form_data(**{field: value}), shop=shop)
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors[field]


def test_product_form_refuses_a_sku_already_used_in_the_shop(shop, bottle):
    form = ProductForm(form_data(sku="BTL-1"), shop=shop)
    assert not form.is_valid()
    assert form.errors["sku"] == ["Another product already has SKU 'BTL-1'."]
    # The product itself may keep its SKU, and another shop's SKU does not clash.
    assert ProductForm(form_data(sku="BTL-1"), shop=shop, product=bottle).is_valid()


def test_product_form_strips_control_characters_from_titles(shop):
    form = ProductForm(form_data(title="Bottle\x00\u202e\n\n 750"), shop=shop)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Bottle 750"
