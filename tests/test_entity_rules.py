"""One rule per entity: the same values get the same verdict through every entry point.

Each case is fed, in that entry point's shape, through the page form, the API, a CSV row and
the service itself; a refusal must name the same field everywhere, and an accepted value must
come out cleaned the same way. Hostile characters (controls, bidi overrides) are cleaned, never
refused. Interactions have no form (they come from shop backends and files only).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse

from answers.models import FaqEntry
from answers.services import create_faq
from catalog import services
from catalog.csv_io import columns
from catalog.errors import InvalidInput
from catalog.forms import CustomerForm
from catalog.models import Customer, Interaction, Product
from generation.models import VersionSource
from generation.services import add_version, edit_draft

OMIT = object()  # a case that leaves the field out altogether


@dataclass
class Verdict:
    refused: set[str] = field(default_factory=set)  # fields named by the refusal
    cleaned: dict = field(default_factory=dict)  # the stored or parsed values when accepted


@dataclass(frozen=True)
class Case:
    name: str
    overrides: dict
    refused: str | None = None  # the field the refusal must name; None: accepted
    cleaned: dict = field(default_factory=dict)  # values it must be stored as when accepted


def with_overrides(base: dict, overrides: dict) -> dict:
    values = {**base, **overrides}
    return {name: value for name, value in values.items() if value is not OMIT}


def csv_verdict(parse, row: dict, column_of: dict[str, str] | None = None) -> Verdict:
    """A CSV row's verdict: the row error's message starts with the column it names."""
    try:
        return Verdict(cleaned=parse(row))
    except columns.RowError as exc:
        column = str(exc).split(":", 1)[0]
        rule_field_of = {csv: rule for rule, csv in (column_of or {}).items()}
        return Verdict(refused={rule_field_of.get(column, column)})


def api_verdict(response, *, bulk: bool = False) -> Verdict:
    if response.status_code in (200, 201):
        return Verdict(cleaned=response.json())
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    fields = error["items"][0]["fields"] if bulk else error["fields"]
    return Verdict(refused=set(fields))


def service_verdict(call: Callable) -> Verdict:
    try:
        return Verdict(cleaned=call())
    except InvalidInput as exc:
        return Verdict(refused=set(exc.fields))


def assert_verdict(case: Case, verdict: Verdict, stored: Callable[[], dict]) -> None:
    if case.refused:
        assert verdict.refused == {case.refused}
        return
    assert not verdict.refused, verdict.refused
    values = stored()
    for name, value in case.cleaned.items():
        assert values[name] == value, (name, values[name])


# --- Products ---------------------------------------------------------------------------------

GOOD_PRODUCT = {
    "sku": "MUG-1",
    "title": "Enamel mug",
    "price": "9.50",
    "currency": "EUR",
    "stock_status": "in_stock",
    "tags": ["camping", "gift"],
    "attributes": {"material": "enamel", "capacity": "350 ml"},
    "bullet_points": ["Light", "Tough"],
    "image_url": "https://img.example.com/mug.jpg",
    "description": "A mug for the trail.",
}
PRODUCT_CASES = [
    Case("good", {}, cleaned={"sku": "MUG-1", "tags": ["camping", "gift"]}),
    Case("too many tags", {"tags": [f"t{i}" for i in range(31)]}, "tags"),
    Case("thirty tags", {"tags": [f"t{i}" for i in range(30)]}),
    Case("too long bullet", {"bullet_points": ["b" * 301]}, "bullet_points"),
    Case("eleven bullets", {"bullet_points": [f"b{i}" for i in range(11)]}, "bullet_points"),
    Case("too many attributes", {"attributes": {f"k{i}": "v" for i in range(51)}}, "attributes"),
    Case("500 attributes", {"attributes": {f"k{i}": "v" for i in range(500)}}, "attributes"),
    Case("too long attribute value", {"attributes": {"material": "v" * 501}}, "attributes"),
    Case("oversize description", {"description": "d" * 10_001}, "description"),
    Case("negative price", {"price": "-1"}, "price"),
    Case("ftp image url", {"image_url": "ftp://img.example.com/mug.jpg"}, "image_url"),
    Case("space inside sku", {"sku": "  MUG   1 "}, cleaned={"sku": "MUG 1"}),
    Case("sku with punctuation", {"sku": "AB.12_x#3"}, cleaned={"sku": "AB.12_x#3"}),
    Case("three-decimal price", {"price": "19.999"}, cleaned={"price": Decimal("19.999")}),
    Case("four-decimal price", {"price": "0.0125"}, cleaned={"price": Decimal("0.0125")}),
    Case("five-decimal price", {"price": "0.01255"}, "price"),
    Case("one-decimal price", {"price": "9.5"}, cleaned={"price": Decimal("9.50")}),
    Case("empty title", {"title": "\u202e\x00"}, "title"),
    Case("bad currency", {"currency": "EURO"}, "currency"),
    Case(
        "hostile characters are cleaned",
        {"sku": "MUG\u202e-1\x00", "title": "Enamel\u200f\u2066 mug\x07"},
        cleaned={"sku": "MUG-1", "title": "Enamel mug"},
    ),
]


def product_form_data(values: dict) -> dict:
    data = dict(values)
    data["tags"] = ", ".join(values.get("tags", []))
    data["bullet_points"] = "\n".join(values.get("bullet_points", []))
    data["attributes"] = "\n".join(f"{k}: {v}" for k, v in values.get("attributes", {}).items())
    return data


def product_csv_row(values: dict) -> dict[str, str]:
    row = {name: str(value) for name, value in values.items()}
    row["tags"] = "|".join(values.get("tags", []))
    row["bullet_points"] = "|".join(values.get("bullet_points", []))
    row["attributes"] = json.dumps(values.get("attributes", {}))
    return row


def stored_product(shop) -> dict:
    product = Product.objects.get(shop=shop)
    return {name: getattr(product, name) for name in GOOD_PRODUCT}


@pytest.mark.parametrize("case", PRODUCT_CASES, ids=lambda case: case.name)
def test_product_form_page(owner_client, shop, case):
    values = with_overrides(GOOD_PRODUCT, case.overrides)
    response = owner_client.post(reverse("catalog:product_create"), product_form_data(values))
    if response.status_code == 302:
        verdict = Verdict()
    else:
        verdict = Verdict(refused=set(response.context["form"].errors))
    assert_verdict(case, verdict, lambda: stored_product(shop))


@pytest.mark.parametrize("case", PRODUCT_CASES, ids=lambda case: case.name)
def test_product_api(owner_api, shop, case):
    values = with_overrides(GOOD_PRODUCT, case.overrides)
    verdict = api_verdict(owner_api.post("/api/v1/products/", values, format="json"))
    assert_verdict(case, verdict, lambda: stored_product(shop))


@pytest.mark.parametrize("case", PRODUCT_CASES, ids=lambda case: case.name)
def test_product_csv_row(shop, case):
    verdict = csv_verdict(
        columns.parse_product, product_csv_row(with_overrides(GOOD_PRODUCT, case.overrides))
    )
    assert_verdict(case, verdict, lambda: verdict.cleaned)


@pytest.mark.parametrize("case", PRODUCT_CASES, ids=lambda case: case.name)
def test_product_service(shop, case):
    values = with_overrides(GOOD_PRODUCT, case.overrides)
    verdict = service_verdict(lambda: services.save_product(shop, values))
    assert_verdict(case, verdict, lambda: stored_product(shop))


def test_taken_sku_is_refused_on_sku_by_form_api_and_service(owner_client, owner_api, shop):
    services.save_product(shop, {"sku": "MUG-1", "title": "First mug"})
    page = owner_client.post(reverse("catalog:product_create"), product_form_data(GOOD_PRODUCT))
    assert set(page.context["form"].errors) == {"sku"}
    assert api_verdict(
        owner_api.post("/api/v1/products/", GOOD_PRODUCT, format="json")
    ).refused == {"sku"}
    assert service_verdict(lambda: services.save_product(shop, GOOD_PRODUCT)).refused == {"sku"}


# --- Customers --------------------------------------------------------------------------------

GOOD_CUSTOMER = {"external_id": "C-1", "name": "Ada Lovelace", "email": "ada@example.com"}
CUSTOMER_CASES = [
    Case("good", {}, cleaned={"external_id": "C-1", "email": "ada@example.com"}),
    Case("bad email", {"email": "not-an-email"}, "email"),
    Case("too long external id", {"external_id": "x" * 65}, "external_id"),
    Case("empty external id", {"external_id": "\u2066 "}, "external_id"),
    Case(
        "hostile characters are cleaned",
        {"external_id": "C\u202e-1\x00", "name": "Ada\u2067 Lovelace\x1b"},
        cleaned={"external_id": "C-1", "name": "Ada Lovelace"},
    ),
]


def stored_customer(shop) -> dict:
    customer = Customer.objects.get(shop=shop)
    return {name: getattr(customer, name) for name in GOOD_CUSTOMER}


@pytest.mark.parametrize("case", CUSTOMER_CASES, ids=lambda case: case.name)
def test_customer_form(shop, case):
    form = CustomerForm(with_overrides(GOOD_CUSTOMER, case.overrides), shop=shop)
    verdict = Verdict(refused=set(form.errors)) if not form.is_valid() else Verdict()
    assert_verdict(case, verdict, lambda: form.cleaned_data)


@pytest.mark.parametrize("case", CUSTOMER_CASES, ids=lambda case: case.name)
def test_customer_api(owner_api, shop, case):
    values = with_overrides(GOOD_CUSTOMER, case.overrides)
    verdict = api_verdict(owner_api.post("/api/v1/customers/", values, format="json"))
    assert_verdict(case, verdict, lambda: stored_customer(shop))


@pytest.mark.parametrize("case", CUSTOMER_CASES, ids=lambda case: case.name)
def test_customer_csv_row(shop, case):
    row = with_overrides(GOOD_CUSTOMER, case.overrides)
    verdict = csv_verdict(columns.parse_customer, row)
    assert_verdict(case, verdict, lambda: verdict.cleaned)


@pytest.mark.parametrize("case", CUSTOMER_CASES, ids=lambda case: case.name)
def test_customer_service(shop, case):
    values = with_overrides(GOOD_CUSTOMER, case.overrides)
    verdict = service_verdict(lambda: services.save_customer(shop, values))
    assert_verdict(case, verdict, lambda: stored_customer(shop))


# --- Interactions -----------------------------------------------------------------------------

GOOD_INTERACTION = {"customer": "C-1", "sku": "MUG-1", "kind": "rating", "value": "5"}
INTERACTION_CASES = [
    Case("good rating", {}, cleaned={"customer": "C-1", "kind": "rating"}),
    Case("rating without value", {"value": OMIT}, "value"),
    Case("rating of 6", {"value": "6"}, "value"),
    Case("rating of 0", {"value": "0"}, "value"),
    Case("unknown kind", {"kind": "like"}, "kind"),
    Case("view without value", {"kind": "view", "value": OMIT}),
    Case("negative purchase value", {"kind": "purchase", "value": "-3"}, "value"),
    Case("zero quantity", {"kind": "purchase", "quantity": "0"}, "quantity"),
    Case("bad date", {"occurred_at": "yesterday"}, "occurred_at"),
    Case(
        "hostile characters are cleaned",
        {"customer": "C\u202e-1\x00", "sku": "MUG\u200e-1"},
        cleaned={"customer": "C-1", "sku": "MUG-1"},
    ),
]


@pytest.fixture
def mug(shop) -> Product:
    return services.save_product(shop, {"sku": "MUG-1", "title": "Enamel mug"})


def stored_interaction(shop) -> dict:
    interaction = Interaction.objects.select_related("customer", "product").get(shop=shop)
    return {
        "customer": interaction.customer.external_id,
        "sku": interaction.product.sku,
        "kind": interaction.kind,
    }


@pytest.mark.parametrize("case", INTERACTION_CASES, ids=lambda case: case.name)
def test_interaction_api(owner_api, shop, mug, case):
    item = with_overrides(GOOD_INTERACTION, case.overrides)
    response = owner_api.post("/api/v1/interactions/bulk/", {"items": [item]}, format="json")
    assert_verdict(case, api_verdict(response, bulk=True), lambda: stored_interaction(shop))


@pytest.mark.parametrize("case", INTERACTION_CASES, ids=lambda case: case.name)
def test_interaction_csv_row(shop, mug, case):
    values = with_overrides(GOOD_INTERACTION, case.overrides)
    row = {("customer_id" if name == "customer" else name): v for name, v in values.items()}
    verdict = csv_verdict(columns.parse_interaction, row, {"customer": "customer_id"})
    assert_verdict(case, verdict, lambda: verdict.cleaned)


@pytest.mark.parametrize("case", INTERACTION_CASES, ids=lambda case: case.name)
def test_interaction_service(shop, mug, case):
    values = with_overrides(GOOD_INTERACTION, case.overrides)
    stored, errors = services.record_interactions(shop, [values])
    verdict = Verdict(refused=set(errors[0]["fields"])) if errors else Verdict()
    assert_verdict(case, verdict, lambda: stored_interaction(shop))


# --- Draft edits ------------------------------------------------------------------------------

DRAFT_CASES = [
    Case("good", {"text": "A light enamel mug."}, cleaned={"text": "A light enamel mug."}),
    Case("empty after cleaning", {"text": "\u202e\x00 "}, "text"),
    Case("too long", {"text": "x" * 5001}, "text"),
    Case(
        "hostile characters are cleaned",
        {"text": "A light\u202e mug.\x07\r\nFor tea."},
        cleaned={"text": "A light mug.\nFor tea."},
    ),
]


@pytest.fixture
def draft(mug):
    return add_version(mug, "description", "An enamel mug.", source=VersionSource.MODEL).draft


def draft_text(draft) -> dict:
    draft.refresh_from_db()
    return {"text": draft.current_version.text}


@pytest.mark.parametrize("case", DRAFT_CASES, ids=lambda case: case.name)
def test_draft_edit_form_page(owner_client, draft, case):
    response = owner_client.post(reverse("generation:draft_edit", args=[draft.pk]), case.overrides)
    if response.status_code == 302:
        verdict = Verdict()
    else:
        verdict = Verdict(refused=set(response.context["form"].errors))
    assert_verdict(case, verdict, lambda: draft_text(draft))


@pytest.mark.parametrize("case", DRAFT_CASES, ids=lambda case: case.name)
def test_draft_edit_api(owner_api, draft, case):
    response = owner_api.patch(f"/api/v1/drafts/{draft.pk}/", case.overrides, format="json")
    assert_verdict(case, api_verdict(response), lambda: draft_text(draft))


@pytest.mark.parametrize("case", DRAFT_CASES, ids=lambda case: case.name)
def test_draft_edit_service(owner, draft, case):
    verdict = service_verdict(lambda: edit_draft(draft, case.overrides["text"], user=owner))
    assert_verdict(case, verdict, lambda: draft_text(draft))


# --- FAQ entries ------------------------------------------------------------------------------

FAQ_BASE = {"question": "Is it dishwasher safe?", "answer": "Yes, on the top rack."}
FAQ_CASES = [
    Case("good", {}, cleaned=FAQ_BASE),
    Case("no question", {"question": "  "}, "question"),
    Case("no answer", {"answer": "\x00\u202e"}, "answer"),
    Case("question too long", {"question": "q" * 501}, "question"),
    Case("answer too long", {"answer": "a" * 2001}, "answer"),
    Case(
        "hostile characters are cleaned",
        {"question": "Is it\u202e dishwasher\x07 safe?", "answer": "Yes,\r\non the top rack."},
        cleaned={"question": "Is it dishwasher safe?", "answer": "Yes,\non the top rack."},
    ),
]


def stored_faq(shop) -> dict:
    faq = FaqEntry.objects.get(shop=shop)
    return {"question": faq.question, "answer": faq.answer}


@pytest.mark.parametrize("case", FAQ_CASES, ids=lambda case: case.name)
def test_faq_form_page(owner_client, shop, case):
    values = with_overrides(FAQ_BASE, case.overrides)
    response = owner_client.post(reverse("answers:faq_create"), {**values, "sku": ""})
    if response.status_code == 302:
        verdict = Verdict()
    else:
        verdict = Verdict(refused=set(response.context["form"].errors))
    assert_verdict(case, verdict, lambda: stored_faq(shop))


@pytest.mark.parametrize("case", FAQ_CASES, ids=lambda case: case.name)
def test_faq_api(owner_api, shop, case):
    values = with_overrides(FAQ_BASE, case.overrides)
    response = owner_api.post("/api/v1/answers/faq/", values, format="json")
    assert_verdict(case, api_verdict(response), lambda: stored_faq(shop))


@pytest.mark.parametrize("case", FAQ_CASES, ids=lambda case: case.name)
def test_faq_service(owner, shop, case):
    values = with_overrides(FAQ_BASE, case.overrides)
    verdict = service_verdict(
        lambda: create_faq(shop, values["question"], values["answer"], user=owner)
    )
    assert_verdict(case, verdict, lambda: stored_faq(shop))
