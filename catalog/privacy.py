"""Privacy rights for one customer: export everything held about them, erase them on request.

The catalog holds the customer and their interactions. The upper apps hold more (stored
recommendations, questions asked) and register an exporter and an eraser for it from their
AppConfig.ready() with `register_personal_data`, so the catalog names no upper app and a new app
with personal data joins by registering.

Erasure deletes: the customer row, their interactions, and whatever each registered eraser
removes. Aggregates built from them (recommendation models, popularity lists, metrics) are not
edited in place; the next run recomputes them without the customer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from catalog.audit import record_audit
from catalog.models import Customer, Interaction


@dataclass(frozen=True)
class PersonalData:
    """One section of a customer's data: `export` returns JSON-ready values, `erase` deletes
    them (or strips the link to the customer) and returns how many rows it changed."""

    section: str
    export: Callable[[Customer], list | dict]
    erase: Callable[[Customer], int]


PERSONAL_DATA: dict[str, PersonalData] = {}


def register_personal_data(
    section: str, exporter: Callable[[Customer], list | dict], eraser: Callable[[Customer], int]
) -> None:
    if section in ("customer", "interactions"):
        raise ValueError(f"{section!r} is the catalog's own section.")
    PERSONAL_DATA[section] = PersonalData(section=section, export=exporter, erase=eraser)


def _customer_fields(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "external_id": customer.external_id,
        "name": customer.name,
        "email": customer.email,
        "created_at": customer.created_at.isoformat(),
    }


def _interactions(customer: Customer) -> list[dict]:
    rows = (
        Interaction.objects.filter(customer=customer)
        .order_by("occurred_at", "pk")
        .values_list(
            "occurred_at",
            "kind",
            "product__sku",
            "product__title",
            "quantity",
            "value",
            "recommendation_ref",
        )
    )
    return [
        {
            "occurred_at": occurred_at.isoformat(),
            "kind": kind,
            "product_sku": sku,
            "product_title": title,
            "quantity": quantity,
            "value": None if value is None else str(value),
            "recommendation_ref": ref,
        }
        for occurred_at, kind, sku, title, quantity, value, ref in rows.iterator(chunk_size=2000)
    ]


def export_customer(customer: Customer, *, actor) -> dict:
    """Everything the shop holds about `customer`, as JSON-ready values; recorded in the log."""
    data: dict = {
        "exported_at": timezone.now().isoformat(),
        "shop": customer.shop.slug,
        "customer": _customer_fields(customer),
        "interactions": _interactions(customer),
    }
    for section in PERSONAL_DATA.values():
        data[section.section] = section.export(customer)
    sizes = {name: len(value) for name, value in data.items() if isinstance(value, list | dict)}
    sizes.pop("customer")
    record_audit(
        customer.shop, actor, "customer.export", target=customer, details={"sections": sizes}
    )
    return data


def pseudonym(external_id: str) -> str:
    """What the log keeps of an erased customer's id: whoever has the id can check that it was
    erased, and the log itself no longer names the customer."""
    return hashlib.sha256(external_id.encode()).hexdigest()


@transaction.atomic
def erase_customer(customer: Customer, *, actor) -> dict[str, int]:
    """Erase the customer and everything held about them; returns rows removed per section."""
    erased = {name: section.erase(customer) for name, section in PERSONAL_DATA.items()}
    erased["interactions"], _ = Interaction.objects.filter(customer=customer).delete()
    shop, customer_id = customer.shop, customer.pk
    customer.delete()
    erased["customer"] = 1
    record_audit(
        shop,
        actor,
        "customer.erase",
        target_type="customer",
        target_id=customer_id,
        details={"erased": erased, "external_id_sha256": pseudonym(customer.external_id)},
    )
    return erased
