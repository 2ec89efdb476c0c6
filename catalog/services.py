"""Every write to shops, members, tokens, products, customers and interactions goes through here.

Pages, the API, CSV imports, the demo seeder and the tests all call these functions, so that the
rules (SKU unique per shop, tags kept in step, interactions only between a shop's own rows) live
in one place. The writes take raw values and pass them through the entity's rule in
`catalog.rules` themselves, so nothing unchecked is stored whatever the caller checked first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog import rules
from catalog.audit import record_audit
from catalog.errors import Conflict, InvalidInput, ShopError
from catalog.models import (
    ApiToken,
    Customer,
    Interaction,
    Membership,
    Product,
    ProductTag,
    Role,
    Shop,
)


class CatalogError(ShopError):
    """A write that breaks a catalog rule; the message is safe to show to the merchant."""


class CatalogConflict(CatalogError, Conflict):
    """The shop's current members forbid the change (the last owner, a member added twice)."""


def _check_unique(shop: Shop, model, key: str, value: str, instance, label: str) -> None:
    """The identifying `key` is not taken by another row of the shop."""
    clash = model.objects.for_shop(shop).filter(**{key: value})
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        what = model._meta.verbose_name
        message = f"Another {what} already has {label} {value!r}."
        raise InvalidInput(message, fields={key: [message]})


def check_sku_free(shop: Shop, sku: str, product: Product | None = None) -> None:
    """Raise InvalidInput (on "sku") if another product of the shop has `sku`."""
    _check_unique(shop, Product, "sku", sku, product, "SKU")


def check_external_id_free(shop: Shop, external_id: str, customer: Customer | None = None) -> None:
    """Raise InvalidInput (on "external_id") if another customer of the shop has it."""
    _check_unique(shop, Customer, "external_id", external_id, customer, "external id")


# --- Shops, members, tokens ---------------------------------------------------------------


@transaction.atomic
def create_shop(name: str, owner, *, slug: str = "", currency: str = "EUR") -> Shop:
    shop = Shop.objects.create(name=name, slug=slug or slugify(name)[:60], currency=currency)
    Membership.objects.create(shop=shop, user=owner, role=Role.OWNER)
    return shop


@transaction.atomic
def add_member(shop: Shop, username: str, role: str, *, actor=None) -> Membership:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        message = f"There is no user called {username!r}."
        raise CatalogError(message, fields={"username": [message]})
    membership, created = Membership.objects.get_or_create(
        shop=shop, user=user, defaults={"role": role}
    )
    if not created:
        raise CatalogConflict(f"{username} is already a member of {shop}.")
    record_audit(shop, actor, "member.add", target=membership, details=_member_details(membership))
    return membership


def _member_details(membership: Membership) -> dict:
    return {"username": membership.user.get_username(), "role": membership.role}


@transaction.atomic
def change_role(membership: Membership, role: str, *, actor=None) -> Membership:
    if membership.role == Role.OWNER and role != Role.OWNER:
        owners = Membership.objects.filter(shop=membership.shop, role=Role.OWNER).count()
        if owners <= 1:
            raise CatalogConflict("A shop needs at least one owner.")
    details = {**_member_details(membership), "previous_role": membership.role, "role": role}
    membership.role = role
    membership.save(update_fields=["role"])
    record_audit(membership.shop, actor, "member.role", target=membership, details=details)
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, actor=None) -> None:
    if membership.role == Role.OWNER:
        owners = Membership.objects.filter(shop=membership.shop, role=Role.OWNER).count()
        if owners <= 1:
            raise CatalogConflict("A shop needs at least one owner.")
    record_audit(
        membership.shop,
        actor,
        "member.remove",
        target=membership,
        details=_member_details(membership),
    )
    membership.delete()


@transaction.atomic
def create_api_token(membership: Membership, name: str, *, actor=None) -> tuple[ApiToken, str]:
    """Returns the token row and its key; the key is shown once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        membership=membership, name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    record_audit(
        membership.shop, actor, "token.create", target=token, details=_token_details(token)
    )
    return token, key


def _token_details(token: ApiToken) -> dict:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "member": token.membership.user.get_username(),
    }


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor=None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        shop = token.membership.shop
        record_audit(shop, actor, "token.revoke", target=token, details=_token_details(token))


# --- Products -----------------------------------------------------------------------------


def _sync_tags(products: list[Product]) -> None:
    ProductTag.objects.filter(product__in=products).delete()
    ProductTag.objects.bulk_create(
        [
            ProductTag(shop_id=product.shop_id, product=product, tag=tag)
            for product in products
            for tag in product.tags
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def save_product(shop: Shop, fields: dict, product: Product | None = None) -> Product:
    """Create a product, or update `product` with the given fields (raw values: the product
    rule cleans them, and InvalidInput names each bad field)."""
    fields = rules.clean_product(fields, partial=product is not None)
    if "sku" in fields:
        check_sku_free(shop, fields["sku"], product)
    if product is None:
        product = Product(shop=shop, currency=shop.currency)
    for name, value in fields.items():
        setattr(product, name, value)
    product.save()
    _sync_tags([product])
    return product


def _clean_rows(rows: list[dict], clean, key: str) -> list[dict]:
    """Each row through its entity rule as an update (the key required); the error says which
    row, so that a bulk caller that skipped validation still learns where."""
    cleaned = []
    for index, row in enumerate(rows):
        try:
            fields = clean(row, partial=True)
            if key not in fields:
                raise InvalidInput(rules.REQUIRED, fields={key: [rules.REQUIRED]})
        except InvalidInput as exc:
            raise InvalidInput(f"Row {index + 1}: {exc.message}", fields=exc.fields) from None
        cleaned.append(fields)
    return cleaned


@transaction.atomic
def upsert_products(shop: Shop, rows: list[dict]) -> tuple[int, int]:
    """Create or update products by SKU in bulk; rows hold PRODUCT_FIELDS (raw values, cleaned
    here by the product rule; a new product needs a title).

    Only the fields present in a row change. Returns (created, updated).
    """
    rows = _clean_rows(rows, rules.clean_product, "sku")
    by_sku = {row["sku"]: row for row in rows}  # a later row for the same SKU wins
    existing = {p.sku: p for p in Product.objects.for_shop(shop).filter(sku__in=list(by_sku))}
    to_create, to_update, changed_fields = [], [], set()
    for sku, row in by_sku.items():
        product = existing.get(sku)
        if product is None:
            row = rules.clean_product(row)  # everything a new product needs
            product = Product(shop=shop, currency=shop.currency)
            to_create.append(product)
        else:
            to_update.append(product)
            changed_fields.update(name for name in row if name != "sku")
        for name, value in row.items():
            setattr(product, name, value)
    Product.objects.bulk_create(to_create, batch_size=1000)
    if to_update and changed_fields:
        now = timezone.now()
        for product in to_update:
            product.updated_at = now
        Product.objects.bulk_update(
            to_update, sorted(changed_fields | {"updated_at"}), batch_size=1000
        )
    touched = to_create + [p for p in to_update if "tags" in by_sku[p.sku]]
    if touched:
        if to_create and not all(p.pk for p in to_create):
            # Databases without RETURNING on bulk insert: fetch the new ids.
            ids = dict(
                Product.objects.for_shop(shop)
                .filter(sku__in=[p.sku for p in to_create])
                .values_list("sku", "pk")
            )
            for product in to_create:
                product.pk = ids[product.sku]
        _sync_tags(touched)
    return len(to_create), len(to_update)


def delete_product(product: Product) -> None:
    product.delete()


# --- Customers ----------------------------------------------------------------------------


@transaction.atomic
def save_customer(shop: Shop, fields: dict, customer: Customer | None = None) -> Customer:
    """Create a customer, or update `customer`; raw values, cleaned by the customer rule."""
    fields = rules.clean_customer(fields, partial=customer is not None)
    if "external_id" in fields:
        check_external_id_free(shop, fields["external_id"], customer)
    customer = customer or Customer(shop=shop)
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.save()
    return customer


@transaction.atomic
def upsert_customers(shop: Shop, rows: list[dict]) -> tuple[int, int]:
    """Create or update customers by external id (raw values, cleaned by the customer rule);
    returns (created, updated)."""
    rows = _clean_rows(rows, rules.clean_customer, "external_id")
    by_id = {row["external_id"]: row for row in rows}
    existing = {
        c.external_id: c
        for c in Customer.objects.for_shop(shop).filter(external_id__in=list(by_id))
    }
    to_create, to_update, changed_fields = [], [], set()
    for external_id, row in by_id.items():
        customer = existing.get(external_id)
        if customer is None:
            customer = Customer(shop=shop)
            to_create.append(customer)
        else:
            to_update.append(customer)
            changed_fields.update(name for name in row if name != "external_id")
        for name, value in row.items():
            setattr(customer, name, value)
    Customer.objects.bulk_create(to_create, batch_size=1000)
    if to_update and changed_fields:
        Customer.objects.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    return len(to_create), len(to_update)


def delete_customer(customer: Customer) -> None:
    customer.delete()


# --- Interactions -------------------------------------------------------------------------


def customers_by_external_id(shop: Shop, external_ids: Iterable[str]) -> dict[str, Customer]:
    """Existing customers of `shop`, creating the missing ones (a backend knows only ids)."""
    wanted = set(external_ids)
    found = {
        c.external_id: c for c in Customer.objects.for_shop(shop).filter(external_id__in=wanted)
    }
    missing = [Customer(shop=shop, external_id=eid) for eid in wanted - set(found)]
    if missing:
        Customer.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
        found.update(
            (c.external_id, c)
            for c in Customer.objects.for_shop(shop).filter(
                external_id__in=[m.external_id for m in missing]
            )
        )
    return found


@transaction.atomic
def record_interactions(shop: Shop, rows: list[dict]) -> tuple[int, list[dict]]:
    """Store interactions given by customer external id and product SKU.

    Each row: customer (external id), sku, kind, and optional quantity, value, occurred_at,
    recommendation_ref, as raw values that the interaction rule cleans. Unknown customers are
    created; an unknown SKU is an error for that row. All rows are checked first: if any row
    fails, nothing is stored. Returns (stored, errors) with errors as
    [{"index": i, "fields": {field: [messages]}}].
    """
    cleaned, errors = [], []
    for index, row in enumerate(rows):
        try:
            cleaned.append(rules.clean_interaction(row))
        except InvalidInput as exc:
            errors.append({"index": index, "fields": exc.fields})
    if errors:
        return 0, errors
    products = dict(
        Product.objects.for_shop(shop)
        .filter(sku__in={row["sku"] for row in cleaned})
        .values_list("sku", "pk")
    )
    errors = [
        {"index": index, "fields": {"sku": [f"Unknown product SKU {row['sku']!r}."]}}
        for index, row in enumerate(cleaned)
        if row["sku"] not in products
    ]
    if errors:
        return 0, errors
    customers = customers_by_external_id(shop, (row["customer"] for row in cleaned))
    now = timezone.now()
    Interaction.objects.bulk_create(
        [
            Interaction(
                shop=shop,
                customer=customers[row["customer"]],
                product_id=products[row["sku"]],
                kind=row["kind"],
                quantity=row["quantity"],
                value=row["value"],
                occurred_at=row["occurred_at"] or now,
                recommendation_ref=row["recommendation_ref"],
            )
            for row in cleaned
        ],
        batch_size=2000,
    )
    return len(cleaned), []
