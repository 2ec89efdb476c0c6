"""REST API of experiments, scoped to the token's shop (another shop's experiment is a 404).

Reads need the viewer role, writes (create, start, stop, promote) the editor role.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api_errors import ErrorResponseSerializer, ShopAutoSchema
from catalog.errors import InvalidInput
from catalog.models import Customer, Product
from catalog.tenancy import get_for_shop
from experiments import services, serving
from experiments.analysis import analyse_experiment
from experiments.models import Experiment, ExperimentKind, Placement
from experiments.serializers import (
    ExperimentCreateSerializer,
    ExperimentSerializer,
    ServedCopySerializer,
    ServedListSerializer,
)
from generation.models import CopyField
from recommendations.models import RecommendationRun
from recommendations.serializers import served_data


def _n(request: Request) -> int:
    try:
        return max(1, min(100, int(request.query_params.get("n", 10))))
    except ValueError:
        return 10


def experiment_data(experiment: Experiment, *, figures: bool) -> dict:
    data = ExperimentSerializer(experiment).data
    if figures:
        result = analyse_experiment(experiment)
        result["timeline"] = {
            "edges": [edge.isoformat() for edge in result["timeline"]["edges"]],
            "series": result["timeline"]["series"],
        }
        data["figures"] = result
    return data


class ExperimentListView(generics.ListAPIView):
    schema = ShopAutoSchema()
    serializer_class = ExperimentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Experiment.objects.none()
        return (
            Experiment.objects.for_shop(self.request.shop)
            .select_related("winner")
            .prefetch_related("arms")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(operation_id="experiments_list", summary="The shop's experiments")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="experiments_create",
        summary="Create an experiment (a draft; start it separately)",
        request=ExperimentCreateSerializer,
        responses={201: ExperimentSerializer, 400: ErrorResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ExperimentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        plan = {
            k: values[k] for k in ("metric", "baseline_rate", "minimum_effect", "alpha", "power")
        }
        skipped: list[str] = []
        if values["kind"] == ExperimentKind.RECOMMENDATIONS:
            arms = []
            for arm in values.get("arms") or []:
                if "run_id" not in arm:
                    arms.append(
                        services.ArmSpec(arm["name"], arm["weight"], settings=arm.get("settings"))
                    )
                    continue
                run = (
                    RecommendationRun.objects.for_shop(request.shop)
                    .select_related("job")
                    .filter(pk=arm["run_id"])
                    .first()
                )
                if run is None:
                    raise InvalidInput(
                        "Unknown run.", fields={"arms": [f"No run #{arm['run_id']} in this shop."]}
                    )
                arms.append(services.ArmSpec(arm["name"], arm["weight"], run))
            experiment = services.create_recommendation_experiment(
                request.shop,
                user=request.user,
                name=values["name"],
                placement=values.get("placement") or Placement.CUSTOMER,
                arms=arms,
                **plan,
            )
        else:
            experiment, skipped = services.create_copy_experiment(
                request.shop,
                user=request.user,
                name=values["name"],
                field=values.get("field") or "",
                skus=values.get("skus") or [],
                split=values.get("split") or (50, 50),
                **plan,
            )
        data = experiment_data(experiment, figures=False)
        data["skipped_skus"] = skipped
        return Response(data, status=status.HTTP_201_CREATED)


class ExperimentDetailView(APIView):
    schema = ShopAutoSchema()

    @extend_schema(
        operation_id="experiments_retrieve",
        summary="One experiment with its live figures, tests, SRM check and verdict",
        responses=ExperimentSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        experiment = get_for_shop(Experiment, request.shop, pk=pk)
        return Response(experiment_data(experiment, figures=True))


class _ExperimentActionView(APIView):
    schema = ShopAutoSchema()

    def act(self, request: Request, experiment: Experiment) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        experiment = get_for_shop(Experiment, request.shop, pk=pk)
        self.act(request, experiment)
        experiment.refresh_from_db()
        return Response(experiment_data(experiment, figures=False))


class ExperimentStartView(_ExperimentActionView):
    @extend_schema(
        operation_id="experiments_start",
        summary="Start a draft experiment (one running per placement)",
        request=None,
        responses={200: ExperimentSerializer, 409: ErrorResponseSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, experiment: Experiment) -> None:
        services.start_experiment(experiment, user=request.user)


class ExperimentStopView(_ExperimentActionView):
    @extend_schema(
        operation_id="experiments_stop",
        summary="Stop a running experiment",
        request=None,
        responses={200: ExperimentSerializer, 409: ErrorResponseSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, experiment: Experiment) -> None:
        services.stop_experiment(experiment, user=request.user)


class ExperimentPromoteView(_ExperimentActionView):
    @extend_schema(
        operation_id="experiments_promote",
        summary="Make the winning arm the default (only once the analysis declares a winner)",
        request=None,
        responses={200: ExperimentSerializer, 409: ErrorResponseSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, experiment: Experiment) -> None:
        services.promote_winner(experiment, user=request.user)


class ExperimentTrainView(_ExperimentActionView):
    @extend_schema(
        operation_id="experiments_train_arm",
        summary="Start the run of the next arm defined by settings (one run at a time)",
        request=None,
        responses={200: ExperimentSerializer, 409: ErrorResponseSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, experiment: Experiment) -> None:
        services.train_next_arm(experiment, user=request.user)


class ServeListView(APIView):
    schema = ShopAutoSchema()

    @extend_schema(
        operation_id="experiments_serve_list",
        summary="A recommendation list from the customer's arm of the experiment on a placement",
        description="The arm is fixed by the customer id (stable across sessions). Without a "
        "running experiment, the shop's served list. `product` (a SKU) is required for the "
        "similar and bought_together placements.",
        parameters=[
            OpenApiParameter("customer", str, required=True),
            OpenApiParameter("product", str, required=False),
            OpenApiParameter("n", int, required=False),
        ],
        responses={200: ServedListSerializer, 404: ErrorResponseSerializer},
    )
    def get(self, request: Request, placement: str) -> Response:
        if placement not in Placement.values:
            raise InvalidInput(
                "Unknown placement.",
                fields={"placement": [f"Choose one of: {', '.join(Placement.values)}."]},
            )
        external_id = request.query_params.get("customer", "")
        if not external_id:
            raise InvalidInput("Name the customer.", fields={"customer": ["Required."]})
        customer = get_for_shop(Customer, request.shop, external_id=external_id)
        product = None
        if placement != Placement.CUSTOMER:
            sku = request.query_params.get("product", "")
            if not sku:
                raise InvalidInput("Name the product.", fields={"product": ["Required."]})
            product = get_for_shop(Product, request.shop, sku=sku)
        result = serving.serve_list(
            request.shop, placement, customer, product=product, n=_n(request)
        )
        data = served_data(result.served)
        data["experiment_id"] = result.experiment.pk if result.experiment else None
        data["arm"] = result.arm.name if result.arm else None
        return Response(data)


class ServeCopyView(APIView):
    schema = ShopAutoSchema()

    @extend_schema(
        operation_id="experiments_serve_copy",
        summary="The copy of a product field a visitor sees (an arm's version while a copy "
        "experiment runs, else the published copy)",
        parameters=[
            OpenApiParameter("product", str, required=True, description="The product's SKU."),
            OpenApiParameter(
                "visitor", str, required=True, description="The visitor's customer id."
            ),
            OpenApiParameter("field", str, required=False, description="Default: description."),
        ],
        responses={200: ServedCopySerializer, 404: ErrorResponseSerializer},
    )
    def get(self, request: Request) -> Response:
        sku = request.query_params.get("product", "")
        visitor = request.query_params.get("visitor", "").strip()[:64]
        field = request.query_params.get("field") or CopyField.DESCRIPTION
        errors = {}
        if not sku:
            errors["product"] = ["Required."]
        if not visitor:
            errors["visitor"] = ["Required."]
        if field not in CopyField.values:
            errors["field"] = [f"Choose one of: {', '.join(CopyField.values)}."]
        if errors:
            raise InvalidInput("Some parameters are missing or wrong.", fields=errors)
        product = get_for_shop(Product, request.shop, sku=sku)
        served = serving.serve_copy(request.shop, product, field, visitor)
        return Response(
            {
                "experiment_id": served.experiment.pk if served.experiment else None,
                "arm": served.arm.name if served.arm else None,
                "field": field,
                "text": served.text,
                "recommendation_id": served.ref,
            }
        )
