"""API shapes for products, customers, interactions and jobs.

Serializers validate; the writes themselves go through `catalog.services`, like the pages.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from catalog import services
from catalog.models import Customer, Interaction, InteractionKind, Job, Product

MAX_PRODUCTS_PER_BULK = 1000
MAX_CUSTOMERS_PER_BULK = 1000
MAX_INTERACTIONS_PER_BULK = 10_000


class AttributesField(serializers.DictField):
    """Product facts: a flat map of short names to text/number/bool values."""

    child = serializers.JSONField()

    def to_internal_value(self, data):
        facts = super().to_internal_value(data)
        for name, value in facts.items():
            if not str(name).strip():
                raise serializers.ValidationError("Attribute names cannot be empty.")
            if not isinstance(value, str | int | float | bool) or value is None:
                raise serializers.ValidationError(
                    {name: ["A fact must be text, a number or true/false."]}
                )
        return facts


class ProductSerializer(serializers.ModelSerializer):
    attributes = AttributesField(required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=50
    )
    bullet_points = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=20
    )

    class Meta:
        model = Product
        fields = ("id", *services.PRODUCT_FIELDS, "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")

    def create(self, validated_data: dict) -> Product:
        return self._save(validated_data, None)

    def update(self, instance: Product, validated_data: dict) -> Product:
        return self._save(validated_data, instance)

    def _save(self, validated_data: dict, product: Product | None) -> Product:
        try:
            return services.save_product(self.context["shop"], validated_data, product)
        except services.CatalogError as exc:
            field = "sku" if "SKU" in str(exc) else "non_field_errors"
            raise serializers.ValidationError({field: [str(exc)]}) from exc


class ProductUpsertSerializer(ProductSerializer):
    """Body of PUT /products/by-sku/{sku}/: the SKU comes from the URL."""

    class Meta(ProductSerializer.Meta):
        fields = ("id", *[f for f in services.PRODUCT_FIELDS if f != "sku"], "sku")
        read_only_fields = ("id", "sku")


class CustomerSerializer(serializers.ModelSerializer):
    created_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Customer
        fields = ("id", *services.CUSTOMER_FIELDS)
        read_only_fields = ("id",)

    def create(self, validated_data: dict) -> Customer:
        return self._save(validated_data, None)

    def update(self, instance: Customer, validated_data: dict) -> Customer:
        return self._save(validated_data, instance)

    def _save(self, validated_data: dict, customer: Customer | None) -> Customer:
        try:
            return services.save_customer(self.context["shop"], validated_data, customer)
        except services.CatalogError as exc:
            raise serializers.ValidationError({"external_id": [str(exc)]}) from exc


class CustomerUpsertSerializer(CustomerSerializer):
    class Meta(CustomerSerializer.Meta):
        read_only_fields = ("id", "external_id")


class InteractionSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.external_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = Interaction
        fields = (
            "id",
            "customer",
            "sku",
            "kind",
            "quantity",
            "value",
            "occurred_at",
            "recommendation_ref",
        )
        read_only_fields = fields


class InteractionInSerializer(serializers.Serializer):
    """One interaction to ingest (documents the shape; `validate_interaction_items` checks it)."""

    customer = serializers.CharField(max_length=64, help_text="The customer's external id.")
    sku = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=InteractionKind.choices)
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)
    value = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    occurred_at = serializers.DateTimeField(required=False)
    recommendation_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)


def validate_interaction_items(items: list) -> tuple[list[dict], list[dict]]:
    """Check interaction items quickly (thousands per request); returns (rows, item errors).

    Same rules as InteractionInSerializer, written by hand because a DRF serializer per item
    costs more than the database insert at this volume.
    """
    kinds = set(InteractionKind.values)
    rows, errors = [], []
    for index, item in enumerate(items):
        fields: dict[str, list[str]] = {}
        if not isinstance(item, dict):
            errors.append({"index": index, "fields": {"non_field_errors": ["Expected an object."]}})
            continue
        row = {}
        for name in ("customer", "sku"):
            value = item.get(name)
            if not isinstance(value, str | int) or not str(value).strip():
                fields[name] = ["This field is required."]
            elif len(str(value)) > 64:
                fields[name] = ["Ensure this field has no more than 64 characters."]
            else:
                row[name] = str(value).strip()
        kind = item.get("kind")
        if kind not in kinds:
            fields["kind"] = [f"Must be one of: {', '.join(sorted(kinds))}."]
        row["kind"] = kind
        quantity = item.get("quantity", 1)
        if quantity is None:
            quantity = 1
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            fields["quantity"] = ["A whole number of 1 or more is required."]
        row["quantity"] = quantity
        value = item.get("value")
        if value not in (None, ""):
            try:
                number = Decimal(str(value))
                if not number.is_finite() or abs(number) >= Decimal("1e10"):
                    raise InvalidOperation
                row["value"] = number.quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                fields["value"] = ["A number is required."]
        occurred_at = item.get("occurred_at")
        if occurred_at not in (None, ""):
            parsed = parse_datetime(occurred_at) if isinstance(occurred_at, str) else None
            if parsed is None:
                fields["occurred_at"] = ["An ISO 8601 date and time is required."]
            else:
                if parsed.tzinfo is None:
                    parsed = timezone.make_aware(parsed)
                row["occurred_at"] = parsed
        ref = item.get("recommendation_ref", "")
        if not isinstance(ref, str) or len(ref) > 64:
            fields["recommendation_ref"] = ["Text of at most 64 characters is required."]
        row["recommendation_ref"] = ref if isinstance(ref, str) else ""
        unknown = set(item) - set(InteractionInSerializer._declared_fields)
        if unknown:
            names = ", ".join(sorted(map(str, unknown)))
            fields["non_field_errors"] = [f"Unknown fields: {names}."]
        if fields:
            errors.append({"index": index, "fields": fields})
        else:
            rows.append(row)
    return rows, errors


class BulkInteractionsSerializer(serializers.Serializer):
    items = InteractionInSerializer(many=True, max_length=MAX_INTERACTIONS_PER_BULK)


class BulkInteractionsResultSerializer(serializers.Serializer):
    stored = serializers.IntegerField()


class BulkProductsSerializer(serializers.Serializer):
    items = ProductSerializer(many=True, max_length=MAX_PRODUCTS_PER_BULK)


class BulkCustomersSerializer(serializers.Serializer):
    items = CustomerSerializer(many=True, max_length=MAX_CUSTOMERS_PER_BULK)


class BulkUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class JobSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    eta_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    can_retry = serializers.BooleanField(read_only=True)
    can_cancel = serializers.BooleanField(read_only=True)

    class Meta:
        model = Job
        fields = (
            "id",
            "kind",
            "kind_label",
            "status",
            "params",
            "result",
            "progress_done",
            "progress_total",
            "percent",
            "eta_seconds",
            "error",
            "attempts",
            "can_retry",
            "can_cancel",
            "created_at",
            "queued_at",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields


__all__ = [
    "BulkCustomersSerializer",
    "BulkInteractionsResultSerializer",
    "BulkInteractionsSerializer",
    "BulkProductsSerializer",
    "BulkUpsertResultSerializer",
    "CustomerSerializer",
    "CustomerUpsertSerializer",
    "InteractionInSerializer",
    "InteractionSerializer",
    "JobSerializer",
    "ProductSerializer",
    "ProductUpsertSerializer",
    "validate_interaction_items",
]
