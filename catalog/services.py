"""Every write to shops, members, tokens, products, customers and interactions goes through here.

Pages, the API, CSV imports, the demo seeder and the tests all call these functions, so that the
rules (SKU unique per shop, tags kept in step, interactions only between a shop's own rows) live
in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

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


class CatalogError(ValueError):
    """A write that breaks a catalog rule; the message is safe to show to the merchant."""


def _check_write(
    shop: Shop,
    model,
    fields: dict,
    instance,
    allowed: tuple,
    key: str,
    key_label: str,
    article: str,
) -> None:
    """Only known fields; the identifying `key` present and not taken by another row of the
    shop ("Another product already has SKU 'X'.")."""
    what = model._meta.verbose_name
    unknown = set(fields) - set(allowed)
    if unknown:
        raise CatalogError(f"Unknown {what} fields: {', '.join(sorted(unknown))}")
    value = fields.get(key, getattr(instance, key) if instance else "")
    if not value:
        raise CatalogError(f"A {what} needs {article} {key_label}.")
    clash = model.objects.for_shop(shop).filter(**{key: value})
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise CatalogError(f"Another {what} already has {key_label} {value!r}.")


# --- Shops, members, tokens ---------------------------------------------------------------


@transaction.atomic
def create_shop(name: str, owner, *, slug: str = "", currency: str = "EUR") -> Shop:
    shop = Shop.objects.create(name=name, slug=slug or slugify(name)[:60], currency=currency)
    Membership.objects.create(shop=shop, user=owner, role=Role.OWNER)
    return shop


def add_member(shop: Shop, username: str, role: str) -> Membership:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CatalogError(f"There is no user called {username!r}.")
    membership, created = Membership.objects.get_or_create(
        shop=shop, user=user, defaults={"role": role}
    )
    if not created:
        raise CatalogError(f"{username} is already a member of {shop}.")
    return membership


def change_role(membership: Membership, role: str) -> Membership:
    if membership.role == Role.OWNER and role != Role.OWNER:
        owners = Membership.objects.filter(shop=membership.shop, role=Role.OWNER).count()
        if owners <= 1:
            raise CatalogError("A shop needs at least one owner.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def remove_member(membership: Membership) -> None:
    if membership.role == Role.OWNER:
        owners = Membership.objects.filter(shop=membership.shop, role=Role.OWNER).count()
        if owners <= 1:
            raise CatalogError("A shop needs at least one owner.")
    membership.delete()


def create_api_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and its key; the key is shown once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        membership=membership, name=name, prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    return token, key


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


# --- Products -----------------------------------------------------------------------------


def _clean_tags(tags: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        tag = str(tag).strip().lower()[:60]
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


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
    """Create a product, or update `product` with the given fields (already validated)."""
    _check_write(shop, Product, fields, product, PRODUCT_FIELDS, "sku", "SKU", "a")
    if product is None:
        product = Product(shop=shop, currency=shop.currency)
    for name, value in fields.items():
        setattr(product, name, value)
    product.tags = _clean_tags(product.tags)
    product.save()
    _sync_tags([product])
    return product


@transaction.atomic
def upsert_products(shop: Shop, rows: list[dict]) -> tuple[int, int]:
    """Create or update products by SKU in bulk; rows hold validated PRODUCT_FIELDS.

    Only the fields present in a row change. Returns (created, updated).
    """
    by_sku = {row["sku"]: row for row in rows}  # a later row for the same SKU wins
    existing = {p.sku: p for p in Product.objects.for_shop(shop).filter(sku__in=list(by_sku))}
    to_create, to_update, changed_fields = [], [], set()
    for sku, row in by_sku.items():
        product = existing.get(sku)
        if product is None:
            product = Product(shop=shop, currency=shop.currency)
            to_create.append(product)
        else:
            to_update.append(product)
            changed_fields.update(name for name in row if name != "sku")
        for name, value in row.items():
            setattr(product, name, value)
        product.tags = _clean_tags(product.tags)
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
    _check_write(
        shop, Customer, fields, customer, CUSTOMER_FIELDS, "external_id", "external id", "an"
    )
    customer = customer or Customer(shop=shop)
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.save()
    return customer


@transaction.atomic
def upsert_customers(shop: Shop, rows: list[dict]) -> tuple[int, int]:
    """Create or update customers by external id; returns (created, updated)."""
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
    recommendation_ref. Unknown customers are created; an unknown SKU is an error for that row.
    All rows are checked first: if any row fails, nothing is stored.
    Returns (stored, errors) with errors as [{"index": i, "error": "..."}].
    """
    products = dict(
        Product.objects.for_shop(shop)
        .filter(sku__in={row["sku"] for row in rows})
        .values_list("sku", "pk")
    )
    errors = [
        {"index": index, "error": f"Unknown product SKU {row['sku']!r}."}
        for index, row in enumerate(rows)
        if row["sku"] not in products
    ]
    if errors:
        return 0, errors
    customers = customers_by_external_id(shop, (row["customer"] for row in rows))
    now = timezone.now()
    Interaction.objects.bulk_create(
        [
            Interaction(
                shop=shop,
                customer=customers[row["customer"]],
                product_id=products[row["sku"]],
                kind=row["kind"],
                quantity=row.get("quantity") or 1,
                value=Decimal(row["value"]) if row.get("value") not in (None, "") else None,
                occurred_at=row.get("occurred_at") or now,
                recommendation_ref=row.get("recommendation_ref", ""),
            )
            for row in rows
        ],
        batch_size=2000,
    )
    return len(rows), []
