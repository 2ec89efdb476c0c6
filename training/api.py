"""REST API of model versions (both kinds) and copy-model training, scoped to the token's shop
(another shop's version is a 404).

- GET  training/versions/?kind=generator|encoder   the shop's versions
- GET  training/versions/{id}/                     one version (settings, data, curve, evaluation)
- POST training/versions/{id}/activate/            make it the shop's model of its kind (owner)
- POST training/versions/{id}/cancel/              stop a training of either kind (editor)
- POST training/versions/rollback/ {"kind": ...}   back to the previous version or the base (owner)
- GET  training/copy-model/data/                   counts of the training set and the minimum
- POST training/copy-model/train/                  start a copy-model training (editor); 201
- GET  training/copy-model/export/                 the training set as JSONL (editor)
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api import ShopScopedViewSet
from catalog.api_errors import ErrorResponseSerializer
from catalog.models import ModelKind, ModelVersion, Role
from training import services
from training.generator_data import data_summary, jsonl_lines


class ModelVersionSerializer(serializers.ModelSerializer):
    job_id = serializers.IntegerField(read_only=True, allow_null=True)
    job_status = serializers.CharField(source="job.status", read_only=True, default=None)
    percent = serializers.IntegerField(source="job.percent", read_only=True, default=None)

    class Meta:
        model = ModelVersion
        fields = (
            "id",
            "kind",
            "number",
            "status",
            "is_active",
            "base_model",
            "training_settings",
            "data",
            "curve",
            "evaluation",
            "job_id",
            "job_status",
            "percent",
            "created_at",
            "activated_at",
        )
        read_only_fields = fields


class CopyTrainingSerializer(serializers.Serializer):
    """Optional settings; the service checks each one (training.generator_train.TrainSettings)."""

    settings = serializers.DictField(required=False, default=dict)
    include_published = serializers.BooleanField(required=False, default=False)


class RollbackSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModelKind.choices)


class DataSummarySerializer(serializers.Serializer):
    approved = serializers.IntegerField()
    published = serializers.IntegerField()
    train = serializers.IntegerField()
    heldout = serializers.IntegerField()
    total = serializers.IntegerField()
    minimum = serializers.IntegerField()
    enough = serializers.BooleanField()
    fingerprint = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        summary="List the shop's model versions",
        parameters=[OpenApiParameter("kind", str, enum=ModelKind.values, required=False)],
    ),
    retrieve=extend_schema(summary="One model version with its curve and evaluation"),
)
class ModelVersionViewSet(ShopScopedViewSet, viewsets.ReadOnlyModelViewSet):
    """Versions of both kinds; a subclass that sets `kind` serves one kind only (encoder_api)."""

    model = ModelVersion
    serializer_class = ModelVersionSerializer
    lookup_value_regex = r"\d+"
    # None: the default roles (reads viewer, writes editor); activation asks for the owner.
    required_role: str | None = None
    kind: str | None = None

    def get_queryset(self):
        versions = self.base_queryset().select_related("job").order_by("kind", "-number")
        kind = self.kind or self.request.query_params.get("kind")
        if kind in ModelKind.values:
            versions = versions.filter(kind=kind)
        return versions

    @extend_schema(
        summary="Make this version the shop's model of its kind",
        request=None,
        responses={200: ModelVersionSerializer, 409: ErrorResponseSerializer},
        operation_id="training_version_activate",
    )
    @action(detail=True, methods=["post"], required_role=Role.OWNER)
    def activate(self, request: Request, pk: str) -> Response:
        version = services.activate_version(self.get_object(), user=request.user)
        return Response(self.get_serializer(version).data)

    @extend_schema(
        summary="Cancel a training",
        request=None,
        responses={200: ModelVersionSerializer, 409: ErrorResponseSerializer},
        operation_id="training_version_cancel",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        version = services.cancel_training(self.get_object(), user=request.user)
        return Response(self.get_serializer(version).data)

    @extend_schema(
        summary="Roll back to the previous version of a kind, or the base model",
        request=RollbackSerializer,
        responses={
            200: ModelVersionSerializer(allow_null=True),
            409: ErrorResponseSerializer,
        },
        operation_id="training_version_rollback",
    )
    @action(detail=False, methods=["post"], required_role=Role.OWNER)
    def rollback(self, request: Request) -> Response:
        kind = self.kind
        if kind is None:
            serializer = RollbackSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            kind = serializer.validated_data["kind"]
        previous = services.rollback(request.shop, kind, user=request.user)
        data = self.get_serializer(previous).data if previous is not None else None
        return Response({"active": data})


class CopyModelViewSet(ShopScopedViewSet):
    """Copy-model training: its data, a new training, the JSONL export."""

    model = ModelVersion
    serializer_class = ModelVersionSerializer
    required_role: str | None = None

    @extend_schema(
        summary="Counts of the copy model's training set",
        responses=DataSummarySerializer,
        operation_id="training_copy_model_data",
    )
    @action(detail=False, methods=["get"])
    def data(self, request: Request) -> Response:
        return Response(data_summary(request.shop).as_dict())

    @extend_schema(
        summary="Start tuning the copy model on the shop's approved copy",
        request=CopyTrainingSerializer,
        responses={201: ModelVersionSerializer, 409: ErrorResponseSerializer},
        operation_id="training_copy_model_train",
    )
    @action(detail=False, methods=["post"])
    def train(self, request: Request) -> Response:
        serializer = CopyTrainingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.start_copy_model_training(
            request.shop,
            user=request.user,
            train_settings=serializer.validated_data["settings"],
            include_published=serializer.validated_data["include_published"],
        )
        return Response(ModelVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The copy model's training set as JSONL (one chat per line)",
        parameters=[OpenApiParameter("published", bool, required=False)],
        responses={(200, "application/jsonl"): str},
        operation_id="training_copy_model_export",
    )
    @action(detail=False, methods=["get"], required_role=Role.EDITOR)
    def export(self, request: Request) -> StreamingHttpResponse:
        include_published = request.query_params.get("published") in ("1", "true")
        response = StreamingHttpResponse(
            jsonl_lines(request.shop, include_published=include_published),
            content_type="application/jsonl; charset=utf-8",
        )
        name = f"{request.shop.slug}-copy-training.jsonl"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
