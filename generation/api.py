"""REST API of product copy: generation requests and drafts, under the same rules as the pages.

Requests are jobs of kind "generate_copy": create one here, then poll it here or at
/api/v1/jobs/{id}/. Drafts: list, read (with versions), edit (a new version), submit for review,
approve (publishes; `replace` required over existing copy), reject (owners), regenerate.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.api import ShopScopedViewSet
from catalog.api_errors import ErrorResponseSerializer
from catalog.api_filters import IdFilter
from catalog.models import Job, Role
from generation import services
from generation.models import CopyField, Draft, DraftStatus, DraftVersion
from generation.serializers import (
    DraftApproveSerializer,
    DraftDetailSerializer,
    DraftEditSerializer,
    DraftRejectSerializer,
    DraftSerializer,
    GenerationRequestCreateSerializer,
    GenerationRequestSerializer,
)


@extend_schema_view(
    list=extend_schema(operation_id="generation_requests_list", tags=["copy"]),
    retrieve=extend_schema(operation_id="generation_requests_retrieve", tags=["copy"]),
)
class GenerationRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopScopedViewSet):
    model = Job
    serializer_class = GenerationRequestSerializer

    def get_queryset(self):
        versions = (
            DraftVersion.objects.filter(job=OuterRef("pk"))
            .order_by()
            .values("job")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.base_queryset()
            .filter(kind=services.JOB_KIND)
            .annotate(draft_count=Coalesce(Subquery(versions), 0))
            .order_by("-created_at")
        )

    @extend_schema(
        operation_id="generation_requests_create",
        tags=["copy"],
        request=GenerationRequestCreateSerializer,
        responses={202: GenerationRequestSerializer},
    )
    def create(self, request):
        serializer = GenerationRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "product_ids" in data:
            selection = services.Selection(product_ids=data.pop("product_ids"))
        else:
            selection = services.Selection(
                category=data.get("category", ""),
                search=data.get("search", ""),
                tag=data.get("tag", ""),
                in_stock_only=data.get("in_stock_only", False),
            )
        for key in ("category", "search", "tag", "in_stock_only"):
            data.pop(key, None)
        job = services.create_generation_job(request.shop, selection, user=request.user, **data)
        return Response(
            GenerationRequestSerializer(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )


class DraftFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=DraftStatus.choices)
    field = filters.ChoiceFilter(choices=CopyField.choices)
    job = IdFilter(method="filter_job", help_text="Drafts written by this request.")

    class Meta:
        model = Draft
        fields = ("status", "field", "product", "job")

    def filter_job(self, queryset, name, value):
        return queryset.filter(versions__job_id=value).distinct()


@extend_schema_view(
    list=extend_schema(operation_id="drafts_list", tags=["copy"]),
    retrieve=extend_schema(operation_id="drafts_retrieve", tags=["copy"]),
)
class DraftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ShopScopedViewSet):
    model = Draft
    filterset_class = DraftFilter
    ordering_fields = ("updated_at", "created_at")

    def get_queryset(self):
        queryset = (
            self.base_queryset()
            .select_related("product", "current_version", "reviewer")
            .order_by("-updated_at", "-pk")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "versions",
                    queryset=DraftVersion.objects.select_related(
                        "created_by", "model_version"
                    ).order_by("number"),
                )
            )
        return queryset

    def get_serializer_class(self):
        return DraftDetailSerializer if self.action == "retrieve" else DraftSerializer

    def get_permissions(self):
        if self.action == "reject":
            self.required_role = Role.OWNER
        return super().get_permissions()

    def _detail(self, draft: Draft, code: int = status.HTTP_200_OK) -> Response:
        draft = self.get_queryset().prefetch_related("versions").get(pk=draft.pk)
        return Response(
            DraftDetailSerializer(draft, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        operation_id="drafts_edit",
        tags=["copy"],
        request=DraftEditSerializer,
        responses={200: DraftDetailSerializer, 409: ErrorResponseSerializer},
    )
    def partial_update(self, request, pk=None):
        draft = self.get_object()
        serializer = DraftEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.edit_draft(draft, serializer.validated_data["text"], user=request.user)
        return self._detail(draft)

    @extend_schema(
        operation_id="drafts_submit",
        tags=["copy"],
        request=None,
        responses={200: DraftDetailSerializer, 409: ErrorResponseSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        draft = self.get_object()
        services.submit_for_review(draft, user=request.user)
        return self._detail(draft)

    @extend_schema(
        operation_id="drafts_approve",
        tags=["copy"],
        request=DraftApproveSerializer,
        responses={200: DraftDetailSerializer, 409: ErrorResponseSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        draft = self.get_object()
        serializer = DraftApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.approve_draft(
            draft, user=request.user, replace_published=serializer.validated_data["replace"]
        )
        return self._detail(draft)

    @extend_schema(
        operation_id="drafts_reject",
        tags=["copy"],
        request=DraftRejectSerializer,
        responses={200: DraftDetailSerializer, 409: ErrorResponseSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        draft = self.get_object()
        serializer = DraftRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reject_draft(draft, user=request.user, reason=serializer.validated_data["reason"])
        return self._detail(draft)

    @extend_schema(
        operation_id="drafts_regenerate",
        tags=["copy"],
        request=None,
        responses={202: GenerationRequestSerializer, 409: ErrorResponseSerializer},
    )
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        draft = self.get_object()
        job = services.regenerate_draft(draft, user=request.user)
        return Response(
            GenerationRequestSerializer(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )
