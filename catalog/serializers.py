"""API shapes for products, customers, interactions and jobs.

Serializers read JSON into the values the entity rules take (`catalog.rules`) and turn the
rules' errors into field errors; the writes go through `catalog.services`, like the pages.
"""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import rules, services
from catalog.api_fields import MAX_POSITIVE_INT
from catalog.errors import InvalidInput
from catalog.models import AuditEvent, Customer, Interaction, InteractionKind, Job, Product

MAX_PRODUCTS_PER_BULK = 1000
MAX_CUSTOMERS_PER_BULK = 1000
MAX_INTERACTIONS_PER_BULK = 10_000


def run_rule(rule, values: dict, **options) -> dict:
    """The entity rule's cleaned values, or its errors as a DRF field error map."""
    try:
        return rule(values, **options)
    except InvalidInput as exc:
        raise serializers.ValidationError(exc.fields) from exc


class CleanCharField(serializers.CharField):
    """Text cleaned by the rules' `clean_text` before its length is checked, as on the pages."""

    def to_internal_value(self, data) -> str:
        return rules.clean_text(super().to_internal_value(data))


class AttributesField(serializers.DictField):
    """Product facts: a flat map of short names to text/number/bool values."""

    child = serializers.JSONField()

    def to_internal_value(self, data):
        facts = super().to_internal_value(data)
        for name, value in facts.items():
            # JSON shape only (an error per name); names and limits are the product rule's.
            if not isinstance(value, str | int | float | bool) or value is None:
                raise serializers.ValidationError(
                    {name: ["A fact must be text, a number or true/false."]}
                )
        return facts


# Lists whose limits the product rule checks after cleaning (repeated tags count once), so
# the schema states the limits without the field enforcing them first.
@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "maxLength": rules.MAX_TAG},
        "maxItems": rules.MAX_TAGS,
    }
)
class TagsField(serializers.ListField):
    child = serializers.CharField()


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "maxLength": rules.MAX_BULLET},
        "maxItems": rules.MAX_BULLETS,
    }
)
class BulletPointsField(serializers.ListField):
    child = serializers.CharField()


class ProductSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CleanCharField,
    }
    attributes = AttributesField(required=False)
    tags = TagsField(required=False)
    bullet_points = BulletPointsField(required=False)
    # Up to 4 decimals stored; read back with as many as were given (at least two): "24.90",
    # "0.0125". The rule checks the digits, so the field adds no limit of its own.
    price = serializers.DecimalField(
        max_digits=None, decimal_places=None, allow_null=True, required=False
    )

    class Meta:
        model = Product
        fields = ("id", *rules.PRODUCT_FIELDS, "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")

    def validate(self, attrs: dict) -> dict:
        # DRF has already required what a new product needs; the rule checks what was sent.
        return run_rule(rules.clean_product, attrs, partial=True)

    def create(self, validated_data: dict) -> Product:
        return self._save(validated_data, None)

    def update(self, instance: Product, validated_data: dict) -> Product:
        return self._save(validated_data, instance)

    def _save(self, validated_data: dict, product: Product | None) -> Product:
        try:
            return services.save_product(self.context["shop"], validated_data, product)
        except InvalidInput as exc:  # the SKU is taken in this shop
            raise serializers.ValidationError(exc.fields) from exc


class ProductUpsertSerializer(ProductSerializer):
    """Body of PUT /products/by-sku/{sku}/: the SKU comes from the URL."""

    class Meta(ProductSerializer.Meta):
        fields = ("id", *[f for f in rules.PRODUCT_FIELDS if f != "sku"], "sku")
        read_only_fields = ("id", "sku")


class CustomerSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CleanCharField,
    }
    created_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Customer
        fields = ("id", *rules.CUSTOMER_FIELDS)
        read_only_fields = ("id",)

    def validate(self, attrs: dict) -> dict:
        return run_rule(rules.clean_customer, attrs, partial=True)

    def create(self, validated_data: dict) -> Customer:
        return self._save(validated_data, None)

    def update(self, instance: Customer, validated_data: dict) -> Customer:
        return self._save(validated_data, instance)

    def _save(self, validated_data: dict, customer: Customer | None) -> Customer:
        try:
            return services.save_customer(self.context["shop"], validated_data, customer)
        except InvalidInput as exc:  # the external id is taken in this shop
            raise serializers.ValidationError(exc.fields) from exc


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


_INTERACTION_LIMITS = rules.INTERACTION_TEXT_LIMITS


class InteractionInSerializer(serializers.Serializer):
    """One interaction to ingest (documents the shape; `validate_interaction_items` checks it)."""

    customer = serializers.CharField(
        max_length=_INTERACTION_LIMITS["customer"], help_text="The customer's external id."
    )
    sku = serializers.CharField(max_length=_INTERACTION_LIMITS["sku"])
    kind = serializers.ChoiceField(choices=InteractionKind.choices)
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_POSITIVE_INT, required=False, default=1
    )
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="A purchase's amount, or a rating's 1 to 5 (required for ratings).",
    )
    occurred_at = serializers.DateTimeField(required=False)
    recommendation_ref = serializers.CharField(
        max_length=_INTERACTION_LIMITS["recommendation_ref"], required=False, allow_blank=True
    )


def validate_interaction_items(items: list) -> tuple[list[dict], list[dict]]:
    """Each item through the interaction rule; returns (rows, item errors).

    The rule reads the JSON values itself: a DRF serializer per item would cost more than the
    database insert at thousands of items per request.
    """
    rows, errors = [], []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append({"index": index, "fields": {rules.NON_FIELD: ["Expected an object."]}})
            continue
        try:
            rows.append(rules.clean_interaction(item))
        except InvalidInput as exc:
            errors.append({"index": index, "fields": exc.fields})
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
    delayed = serializers.BooleanField(
        read_only=True,
        help_text="Queued, but the job server was unreachable: it starts as soon as it is back.",
    )
    enqueue_error = serializers.CharField(
        read_only=True, help_text="Why the job could not be sent yet; empty once it was."
    )

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
            "worker_losses",
            "delayed",
            "enqueue_error",
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


class CustomerExportSerializer(serializers.Serializer):
    """Documents the export's shape; the sections of upper apps are added by registration."""

    exported_at = serializers.DateTimeField()
    shop = serializers.CharField()
    customer = serializers.DictField()
    interactions = serializers.ListField(child=serializers.DictField())
    recommendations = serializers.DictField(required=False)
    questions = serializers.ListField(child=serializers.DictField(), required=False)


class CustomerErasedSerializer(serializers.Serializer):
    erased = serializers.DictField(
        child=serializers.IntegerField(), help_text="Rows removed per section."
    )


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "at",
            "actor",
            "action",
            "action_label",
            "target_type",
            "target_id",
            "details",
        )
        read_only_fields = fields
