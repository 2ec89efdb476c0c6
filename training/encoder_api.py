"""REST API of encoder adaptation, scoped to the token's shop (another shop's version is 404).

- GET  training/encoder/versions/               the shop's encoder versions with their figures
- GET  training/encoder/versions/{id}/          one version (curve, before/after, throughput)
- POST training/encoder/versions/train/         start a training (editor); 201 with the version
- POST training/encoder/versions/{id}/activate/ make it the shop's encoder (owner; only when
                                                it beat the encoder in use)
- POST training/encoder/versions/{id}/cancel/   stop a training (editor)
- POST training/encoder/versions/rollback/      back to the previous version or the base (owner)

Activation, cancel and rollback are training/api.py's ModelVersionViewSet, limited to encoders.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api_errors import ErrorResponseSerializer
from catalog.model_versions import encoder_space_name
from catalog.models import ModelKind, ModelVersion
from training import encoder_services
from training.api import ModelVersionViewSet


class EncoderVersionSerializer(serializers.ModelSerializer):
    vector_space = serializers.SerializerMethodField(
        help_text='The name stored beside vectors this version makes ("shop-<id>-encoder-v<n>").'
    )
    job_id = serializers.IntegerField(read_only=True, allow_null=True)
    job_status = serializers.CharField(source="job.status", read_only=True, default=None)
    percent = serializers.IntegerField(source="job.percent", read_only=True, default=None)

    class Meta:
        model = ModelVersion
        fields = (
            "id",
            "number",
            "status",
            "is_active",
            "base_model",
            "vector_space",
            "training_settings",
            "data",
            "evaluation",
            "curve",
            "job_id",
            "job_status",
            "percent",
            "created_at",
            "activated_at",
        )
        read_only_fields = fields

    def get_vector_space(self, version: ModelVersion) -> str:
        return encoder_space_name(version.shop_id, version.number)


class EncoderTrainingSerializer(serializers.Serializer):
    """Optional settings; the service bounds each one (see encoder_services.LIMITS)."""

    epochs = serializers.IntegerField(required=False)
    batch_size = serializers.IntegerField(required=False)
    learning_rate = serializers.FloatField(required=False)
    max_length = serializers.IntegerField(required=False)
    max_steps = serializers.IntegerField(required=False)
    auto_activate = serializers.BooleanField(required=False, default=True)


class RollbackResultSerializer(serializers.Serializer):
    active = EncoderVersionSerializer(allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="List the shop's encoder versions"),
    retrieve=extend_schema(summary="One encoder version with its curve and figures"),
    activate=extend_schema(
        summary="Make this version the shop's encoder (queues re-embedding)",
        request=None,
        responses={200: EncoderVersionSerializer, 409: ErrorResponseSerializer},
        operation_id="training_encoder_activate",
    ),
    cancel=extend_schema(
        summary="Cancel an encoder training",
        request=None,
        responses={200: EncoderVersionSerializer, 409: ErrorResponseSerializer},
        operation_id="training_encoder_cancel",
    ),
    rollback=extend_schema(
        summary="Roll back to the previous encoder version, or the base encoder",
        request=None,
        responses={200: RollbackResultSerializer, 409: ErrorResponseSerializer},
        operation_id="training_encoder_rollback",
    ),
)
class EncoderVersionViewSet(ModelVersionViewSet):
    """The generic version endpoints (activate, cancel, rollback) for encoder versions only,
    with the vector space each one writes, plus starting a training."""

    serializer_class = EncoderVersionSerializer
    kind = ModelKind.ENCODER

    @extend_schema(
        summary="Start adapting the encoder to the shop's catalog",
        request=EncoderTrainingSerializer,
        responses={201: EncoderVersionSerializer, 409: ErrorResponseSerializer},
        operation_id="training_encoder_train",
    )
    @action(detail=False, methods=["post"])
    def train(self, request: Request) -> Response:
        serializer = EncoderTrainingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = encoder_services.start_encoder_training(
            request.shop, request.user, dict(serializer.validated_data)
        )
        return Response(EncoderVersionSerializer(version).data, status=status.HTTP_201_CREATED)
