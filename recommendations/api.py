"""REST API of the recommender, scoped to the token's shop (another shop's rows are 404s)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework import serializers as drf_serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api_errors import ErrorResponseSerializer, ShopAutoSchema
from catalog.models import Customer, Product
from catalog.tenancy import get_for_shop
from recommendations import services, serving
from recommendations.models import ListKind, RecommendationRun
from recommendations.serializers import (
    RecommendationListSerializer,
    RecommenderSettingsSerializer,
    RunSerializer,
    RunStartedSerializer,
    served_data,
)

N_PARAM = OpenApiParameter(
    "n", int, description="How many items (1-100, default 10).", required=False
)


def _n(request: Request) -> int:
    try:
        return max(1, min(100, int(request.query_params.get("n", 10))))
    except ValueError:
        return 10


class CustomerRecommendationsView(APIView):
    schema = ShopAutoSchema()

    @extend_schema(
        operation_id="recommendations_for_customer",
        summary="Recommendations for a customer, with reasons and a recommendation id",
        description="From the latest successful run; a customer new since that run with a few "
        "interactions is folded in on the fly; without history, popular products. Out-of-stock "
        "products are never returned.",
        parameters=[N_PARAM],
        responses=RecommendationListSerializer,
    )
    def get(self, request: Request, external_id: str) -> Response:
        customer = get_for_shop(Customer, request.shop, external_id=external_id)
        served = serving.for_customer(request.shop, customer, n=_n(request))
        return Response(served_data(served))


class _ProductListView(APIView):
    schema = ShopAutoSchema()
    kind = ListKind.SIMILAR

    def get(self, request: Request, sku: str) -> Response:
        product = get_for_shop(Product, request.shop, sku=sku)
        served = serving.for_product(request.shop, product, self.kind, n=_n(request))
        return Response(served_data(served))


class SimilarProductsView(_ProductListView):
    kind = ListKind.SIMILAR

    @extend_schema(
        operation_id="recommendations_similar_products",
        summary="Products similar to a product (content + collaborative blend)",
        parameters=[N_PARAM],
        responses=RecommendationListSerializer,
    )
    def get(self, request: Request, sku: str) -> Response:
        return super().get(request, sku)


class BoughtTogetherView(_ProductListView):
    kind = ListKind.BOUGHT_TOGETHER

    @extend_schema(
        operation_id="recommendations_bought_together",
        summary="Products often bought by the same customers as a product",
        parameters=[N_PARAM],
        responses=RecommendationListSerializer,
    )
    def get(self, request: Request, sku: str) -> Response:
        return super().get(request, sku)


class RunStartSerializer(drf_serializers.Serializer):
    fresh_selection = drf_serializers.BooleanField(
        required=False,
        default=False,
        help_text="Evaluate every candidate again even when the last model selection could be "
        "reused (data changed by at most 10% within 7 days, same settings); metrics.selection "
        "says which run's leaderboard was reused.",
    )


class RunListView(generics.ListAPIView):
    schema = ShopAutoSchema()
    serializer_class = RunSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RecommendationRun.objects.none()
        return (
            RecommendationRun.objects.for_shop(self.request.shop)
            .defer("popular")
            .select_related("job")
            .order_by("-created_at")
        )

    @extend_schema(operation_id="recommendation_runs_list", summary="Recommendation runs")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="recommendation_runs_start",
        summary="Start a recommendation run (a job on the gpu queue)",
        request=RunStartSerializer,
        responses={202: RunStartedSerializer, 409: ErrorResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        options = RunStartSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        fresh = options.validated_data["fresh_selection"]
        run = services.start_run(
            request.shop, user=request.user, trigger="api", fresh_selection=fresh
        )
        return Response(
            {"run_id": run.pk, "job_id": run.job_id, "status": run.job.status},
            status=status.HTTP_202_ACCEPTED,
        )


class RunDetailView(APIView):
    schema = ShopAutoSchema()

    @extend_schema(
        operation_id="recommendation_runs_retrieve",
        summary="One run with its settings and metrics (model vs popularity)",
        responses=RunSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        run = get_for_shop(RecommendationRun, request.shop, pk=pk)
        return Response(RunSerializer(run).data)


class SettingsView(APIView):
    schema = ShopAutoSchema()

    @extend_schema(
        operation_id="recommendation_settings_retrieve",
        summary="The shop's recommender settings (used by the next run)",
        responses=RecommenderSettingsSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(services.settings_snapshot(request.shop))

    @extend_schema(
        operation_id="recommendation_settings_update",
        summary="Change some recommender settings (editor role)",
        request=RecommenderSettingsSerializer(partial=True),
        responses=RecommenderSettingsSerializer,
    )
    def patch(self, request: Request) -> Response:
        serializer = RecommenderSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "weights" in fields:
            fields["weights"] = {
                **services.settings_snapshot(request.shop)["weights"],
                **fields["weights"],
            }
        services.update_settings(request.shop, fields)
        return Response(services.settings_snapshot(request.shop))
