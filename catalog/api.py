"""REST API for products, customers, interactions and jobs, scoped to the token's shop.

Reads need the viewer role, writes the editor role (`IsShopMember`). Every queryset starts from
`request.shop`, so another shop's row is a 404 exactly like a missing one. Writes go through
`catalog.services`.
"""

from __future__ import annotations

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import jobs as job_services
from catalog import privacy, services
from catalog.api_errors import BulkValidationError, ErrorResponseSerializer, ShopAutoSchema
from catalog.api_filters import UtcIsoDateTimeFilter
from catalog.api_parsers import BoundedJSONParser
from catalog.csv_io.imports import ImportRejected, create_import_job
from catalog.errors import InvalidInput
from catalog.models import (
    AuditEvent,
    Customer,
    Interaction,
    InteractionKind,
    Job,
    JobStatus,
    Product,
    Role,
    StockStatus,
)
from catalog.pagination import CappedCountPagination
from catalog.serializers import (
    MAX_CUSTOMERS_PER_BULK,
    MAX_INTERACTIONS_PER_BULK,
    MAX_PRODUCTS_PER_BULK,
    AuditEventSerializer,
    BulkCustomersSerializer,
    BulkInteractionsResultSerializer,
    BulkInteractionsSerializer,
    BulkProductsSerializer,
    BulkUpsertResultSerializer,
    CustomerErasedSerializer,
    CustomerExportSerializer,
    CustomerSerializer,
    CustomerUpsertSerializer,
    InteractionSerializer,
    JobSerializer,
    ProductSerializer,
    ProductUpsertSerializer,
    validate_interaction_items,
)


class ShopPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ShopScopedViewSet(viewsets.GenericViewSet):
    """Querysets and serializer context bound to `request.shop` (set by IsShopMember)."""

    schema = ShopAutoSchema()
    parser_classes = (BoundedJSONParser,)
    pagination_class = ShopPagination
    model: type = Product

    def base_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no shop
            return self.model.objects.none()
        return self.model.objects.filter(shop=self.request.shop)

    def get_queryset(self):
        return self.base_queryset()

    def get_object(self):
        # OPTIONS on an action keyed by something else (by-sku) asks for the object to
        # describe PUT; without the id in the URL there is none to describe.
        if (self.lookup_url_kwarg or self.lookup_field) not in self.kwargs:
            raise Http404
        return super().get_object()

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["shop"] = getattr(self.request, "shop", None)
        return context


def bulk_items(request: Request, limit: int, noun: str) -> list:
    data = request.data
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise serializers.ValidationError({"items": [f"A list of {noun} is required."]})
    if len(items) > limit:
        raise serializers.ValidationError(
            {"items": [f"At most {limit:,} {noun} per request; this one has {len(items):,}."]}
        )
    return items


def validate_items(
    serializer_class, items: list, context: dict, key: str
) -> tuple[list[dict], list[dict]]:
    """Validate each item with a partial serializer (only `key` is required).

    Returns (rows, errors) with errors as [{"index": i, "fields": {...}}].
    """
    child = serializer_class(context=context, partial=True)
    rows, errors = [], []
    for index, item in enumerate(items):
        try:
            row = child.run_validation(item)
        except serializers.ValidationError as exc:
            errors.append({"index": index, "fields": serializers.as_serializer_error(exc)})
            continue
        if not row.get(key):
            errors.append({"index": index, "fields": {key: ["This field is required."]}})
        rows.append(row)
    return rows, errors


def read_or_upsert_by_key(
    viewset, request: Request, key_field: str, key: str, read_serializer, upsert_serializer
) -> Response:
    """GET: the row of the shop whose `key_field` is `key` (404 if none). PUT: create it, or
    change only the fields sent (201 created, 200 updated)."""
    instance = viewset.get_queryset().filter(**{key_field: key}).first()
    context = viewset.get_serializer_context()
    if request.method == "GET":
        if instance is None:
            raise Http404(f"No such {viewset.model._meta.verbose_name}.")
        return Response(read_serializer(instance, context=context).data)
    serializer = upsert_serializer(
        instance, data=request.data, partial=instance is not None, context=context
    )
    serializer.is_valid(raise_exception=True)
    saved = serializer.save(**{key_field: key})
    code = status.HTTP_201_CREATED if instance is None else status.HTTP_200_OK
    return Response(read_serializer(saved, context=context).data, status=code)


# --- Products -----------------------------------------------------------------------------


class ProductFilter(filters.FilterSet):
    category = filters.CharFilter(
        method="filter_category", help_text='A category and all below it, e.g. "Kitchen".'
    )
    tag = filters.CharFilter(method="filter_tag", help_text="Products with this tag.")
    brand = filters.CharFilter(field_name="brand", lookup_expr="iexact")
    stock_status = filters.ChoiceFilter(choices=StockStatus.choices)
    updated_after = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )

    class Meta:
        model = Product
        fields = ("category", "tag", "brand", "stock_status", "updated_after")

    def filter_category(self, queryset, name: str, value: str):
        return queryset.in_category(value)

    def filter_tag(self, queryset, name: str, value: str):
        return queryset.with_tag(value.lower())


SKU_PARAMETER = OpenApiParameter("sku", OpenApiTypes.STR, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="List the shop's products"),
    retrieve=extend_schema(summary="One product"),
    create=extend_schema(summary="Create a product"),
    update=extend_schema(summary="Replace a product's fields"),
    partial_update=extend_schema(summary="Change some of a product's fields"),
    destroy=extend_schema(summary="Delete a product"),
)
class ProductViewSet(ShopScopedViewSet, viewsets.ModelViewSet):
    """Products of the shop: SKU unique per shop, facts in `attributes`, tags."""

    model = Product
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    # A text search over a large catalog must not pay for a full COUNT(*) on every page.
    pagination_class = CappedCountPagination
    search_fields = ("=sku", "title", "brand")
    ordering_fields = ("sku", "title", "price", "updated_at", "created_at")
    ordering = ("-updated_at", "-id")
    lookup_value_regex = r"\d+"

    def perform_destroy(self, instance: Product) -> None:
        services.delete_product(instance)

    @extend_schema(
        methods=["GET"],
        summary="One product by SKU",
        parameters=[SKU_PARAMETER],
        responses=ProductSerializer,
        operation_id="products_by_sku_retrieve",
    )
    @extend_schema(
        methods=["PUT"],
        summary="Create or update a product by SKU",
        description="Creates the product (title required) or changes only the fields sent.",
        parameters=[SKU_PARAMETER],
        request=ProductUpsertSerializer,
        responses={200: ProductSerializer, 201: ProductSerializer},
        operation_id="products_by_sku_upsert",
    )
    @action(detail=False, methods=["get", "put"], url_path=r"by-sku/(?P<sku>[^/]+)")
    def by_sku(self, request: Request, sku: str) -> Response:
        return read_or_upsert_by_key(
            self, request, "sku", sku, ProductSerializer, ProductUpsertSerializer
        )

    @extend_schema(
        summary="Create or update up to 1,000 products by SKU",
        description=(
            "All or nothing: if any item is invalid nothing is stored and the error lists each "
            "bad item by index. Existing products change only in the fields sent; new ones "
            "need a title. A SKU given twice: the later item wins."
        ),
        request=BulkProductsSerializer,
        responses=BulkUpsertResultSerializer,
        operation_id="products_bulk_upsert",
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        items = bulk_items(request, MAX_PRODUCTS_PER_BULK, "products")
        context = self.get_serializer_context()
        rows, errors = validate_items(ProductSerializer, items, context, key="sku")
        if not errors:
            existing = set(
                self.get_queryset()
                .filter(sku__in=[row["sku"] for row in rows])
                .values_list("sku", flat=True)
            )
            for index, row in enumerate(rows):
                if row["sku"] not in existing and not row.get("title"):
                    errors.append(
                        {"index": index, "fields": {"title": ["A new product needs a title."]}}
                    )
        if errors:
            raise BulkValidationError(errors, total=len(items))
        created, updated = services.upsert_products(request.shop, rows)
        return Response({"created": created, "updated": updated})


# --- Customers ----------------------------------------------------------------------------


class CustomerFilter(filters.FilterSet):
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Customer
        fields = ("created_after",)


EXTERNAL_ID_PARAMETER = OpenApiParameter("external_id", OpenApiTypes.STR, OpenApiParameter.PATH)
CUSTOMER_EXPORT_DESCRIPTION = (
    "The customer's fields, interactions, stored and served recommendations and the questions "
    "they asked, as one JSON document. Recorded in the audit log."
)
CUSTOMER_ERASE_DESCRIPTION = (
    "Deletes the customer, their interactions, the recommendations stored for them and the "
    "questions they asked; returns the rows removed per section. Aggregates (recommendation "
    "models, metrics) are recomputed without them at the next run. Recorded in the audit log."
)


@extend_schema_view(
    list=extend_schema(summary="List the shop's customers"),
    retrieve=extend_schema(summary="One customer"),
    create=extend_schema(summary="Create a customer"),
    update=extend_schema(summary="Replace a customer's fields"),
    partial_update=extend_schema(summary="Change some of a customer's fields"),
    destroy=extend_schema(summary="Delete a customer and their interactions"),
)
class CustomerViewSet(ShopScopedViewSet, viewsets.ModelViewSet):
    """Customers of the shop, named by the shop's own external id (personal data)."""

    model = Customer
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ("=external_id", "name", "email")
    # None: the default roles; the privacy actions raise it to owner (IsShopMember reads it).
    required_role: str | None = None
    ordering_fields = ("external_id", "created_at", "name")
    ordering = ("-created_at", "-id")
    lookup_value_regex = r"\d+"

    def perform_destroy(self, instance: Customer) -> None:
        services.delete_customer(instance)

    @extend_schema(
        methods=["GET"],
        summary="One customer by external id",
        parameters=[EXTERNAL_ID_PARAMETER],
        responses=CustomerSerializer,
        operation_id="customers_by_external_id_retrieve",
    )
    @extend_schema(
        methods=["PUT"],
        summary="Create or update a customer by external id",
        parameters=[EXTERNAL_ID_PARAMETER],
        request=CustomerUpsertSerializer,
        responses={200: CustomerSerializer, 201: CustomerSerializer},
        operation_id="customers_by_external_id_upsert",
    )
    @action(detail=False, methods=["get", "put"], url_path=r"by-external-id/(?P<external_id>[^/]+)")
    def by_external_id(self, request: Request, external_id: str) -> Response:
        return read_or_upsert_by_key(
            self, request, "external_id", external_id, CustomerSerializer, CustomerUpsertSerializer
        )

    @extend_schema(
        summary="Create or update up to 1,000 customers by external id",
        description="All or nothing; errors list each bad item by index.",
        request=BulkCustomersSerializer,
        responses=BulkUpsertResultSerializer,
        operation_id="customers_bulk_upsert",
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        items = bulk_items(request, MAX_CUSTOMERS_PER_BULK, "customers")
        context = self.get_serializer_context()
        rows, errors = validate_items(CustomerSerializer, items, context, key="external_id")
        if errors:
            raise BulkValidationError(errors, total=len(items))
        created, updated = services.upsert_customers(request.shop, rows)
        return Response({"created": created, "updated": updated})

    # Privacy rights (owner only): everything held about one customer, and erasure on request.

    def _customer_by_external_id(self, external_id: str) -> Customer:
        customer = self.get_queryset().filter(external_id=external_id).first()
        if customer is None:
            raise Http404("No such customer.")
        return customer

    @extend_schema(
        summary="Export everything held about one customer (owner only)",
        description=CUSTOMER_EXPORT_DESCRIPTION,
        responses=CustomerExportSerializer,
        operation_id="customers_export",
    )
    @action(detail=True, methods=["get"], url_path="export", required_role=Role.OWNER)
    def export(self, request: Request, pk: str) -> Response:
        return Response(privacy.export_customer(self.get_object(), actor=request.user))

    @extend_schema(
        summary="Erase one customer and everything held about them (owner only)",
        description=CUSTOMER_ERASE_DESCRIPTION,
        request=None,
        responses=CustomerErasedSerializer,
        operation_id="customers_erase",
    )
    @action(detail=True, methods=["post"], url_path="erase", required_role=Role.OWNER)
    def erase(self, request: Request, pk: str) -> Response:
        return Response({"erased": privacy.erase_customer(self.get_object(), actor=request.user)})

    @extend_schema(
        summary="Export everything held about one customer, by external id (owner only)",
        description=CUSTOMER_EXPORT_DESCRIPTION,
        parameters=[EXTERNAL_ID_PARAMETER],
        responses=CustomerExportSerializer,
        operation_id="customers_by_external_id_export",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"by-external-id/(?P<external_id>[^/]+)/export",
        required_role=Role.OWNER,
    )
    def export_by_external_id(self, request: Request, external_id: str) -> Response:
        customer = self._customer_by_external_id(external_id)
        return Response(privacy.export_customer(customer, actor=request.user))

    @extend_schema(
        summary="Erase one customer by external id (owner only)",
        description=CUSTOMER_ERASE_DESCRIPTION,
        parameters=[EXTERNAL_ID_PARAMETER],
        request=None,
        responses=CustomerErasedSerializer,
        operation_id="customers_by_external_id_erase",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=r"by-external-id/(?P<external_id>[^/]+)/erase",
        required_role=Role.OWNER,
    )
    def erase_by_external_id(self, request: Request, external_id: str) -> Response:
        customer = self._customer_by_external_id(external_id)
        return Response({"erased": privacy.erase_customer(customer, actor=request.user)})


# --- Interactions -------------------------------------------------------------------------


class InteractionFilter(filters.FilterSet):
    customer = filters.CharFilter(
        field_name="customer__external_id", help_text="The customer's external id."
    )
    sku = filters.CharFilter(field_name="product__sku")
    kind = filters.ChoiceFilter(choices=InteractionKind.choices)
    since = UtcIsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", help_text="At or after (ISO 8601)."
    )

    class Meta:
        model = Interaction
        fields = ("customer", "sku", "kind", "since")


@extend_schema_view(list=extend_schema(summary="List the shop's interactions, newest first"))
class InteractionViewSet(ShopScopedViewSet, mixins.ListModelMixin):
    """Views, carts, purchases and ratings between the shop's customers and products."""

    model = Interaction
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilter
    pagination_class = CappedCountPagination
    ordering_fields = ("occurred_at",)
    ordering = ("-occurred_at", "-id")

    def get_queryset(self):
        return self.base_queryset().select_related("customer", "product")

    @extend_schema(
        summary="Store up to 10,000 interactions",
        description=(
            "Customers are named by external id (unknown ones are created), products by SKU "
            "(an unknown SKU is an error for that item). All or nothing: if any item is bad, "
            "nothing is stored and the error lists each bad item by index."
        ),
        request=BulkInteractionsSerializer,
        responses={201: BulkInteractionsResultSerializer},
        operation_id="interactions_bulk_create",
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        items = bulk_items(request, MAX_INTERACTIONS_PER_BULK, "interactions")
        rows, errors = validate_interaction_items(items)
        if errors:
            raise BulkValidationError(errors, total=len(items))
        stored, sku_errors = services.record_interactions(request.shop, rows)
        if sku_errors:
            raise BulkValidationError(sku_errors, total=len(items))
        return Response({"stored": stored}, status=status.HTTP_201_CREATED)


# --- Jobs ---------------------------------------------------------------------------------


class JobFilter(filters.FilterSet):
    kind = filters.CharFilter()
    status = filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = Job
        fields = ("kind", "status")


class CsvImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=("products", "customers", "interactions"))
    file = serializers.FileField()
    keep_good_rows = serializers.BooleanField(default=False)


@extend_schema_view(
    list=extend_schema(summary="List the shop's jobs, newest first"),
    retrieve=extend_schema(summary="One job: poll it for status and progress"),
)
class JobViewSet(ShopScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """Background jobs of the shop (imports, generation, recommendation runs)."""

    model = Job
    serializer_class = JobSerializer
    filterset_class = JobFilter
    ordering_fields = ("created_at",)
    ordering = ("-created_at", "-id")
    lookup_value_regex = r"\d+"

    @extend_schema(
        summary="Upload a CSV file to import (a job)",
        description=(
            "Multipart form: `kind` (products, customers or interactions), `file` (UTF-8 "
            "CSV, the columns of the import page) and `keep_good_rows` (default false: if any "
            "row is bad nothing is imported; true: the good rows are imported). Returns the "
            "queued job (202); poll it for progress, `result.row_errors` lists bad rows by "
            "line. Needs the editor role."
        ),
        operation_id="jobs_import_csv",
        request={"multipart/form-data": CsvImportRequestSerializer},
        responses={
            202: JobSerializer,
            400: ErrorResponseSerializer,
            415: ErrorResponseSerializer,
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import-csv",
        parser_classes=(MultiPartParser,),
    )
    def import_csv(self, request: Request) -> Response:
        serializer = CsvImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            job = create_import_job(
                request.shop,
                data["kind"],
                data["file"],
                user=request.user if request.user.is_authenticated else None,
                keep_good_rows=data["keep_good_rows"],
            )
        except ImportRejected as exc:
            raise InvalidInput(str(exc), fields={"file": [str(exc)]}) from exc
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Queue a failed or cancelled job again",
        operation_id="jobs_retry",
        request=None,
        responses={200: JobSerializer, 409: ErrorResponseSerializer},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        job = job_services.retry_job(self.get_object())
        return Response(JobSerializer(job).data)

    @extend_schema(
        summary="Cancel a queued or running job",
        operation_id="jobs_cancel",
        request=None,
        responses={200: JobSerializer, 409: ErrorResponseSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        job = job_services.cancel_job(self.get_object())
        return Response(JobSerializer(job).data)


# --- Audit log ----------------------------------------------------------------------------


class AuditEventFilter(filters.FilterSet):
    class Meta:
        model = AuditEvent
        fields = ("action",)


@extend_schema_view(
    list=extend_schema(summary="The shop's audit log, newest first (owner only)"),
)
class AuditEventViewSet(ShopScopedViewSet, mixins.ListModelMixin):
    """Who did what and when: privacy requests, approvals, token and member changes."""

    model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ("at",)
    ordering = ("-at", "-id")
    required_role = Role.OWNER
