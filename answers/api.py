"""REST API of shopper answers, scoped to the token's shop (another shop's rows are 404).

- POST answers/ask/            one question, answered now within a time budget
- POST answers/jobs/           many questions as a background job (see /jobs/{id}/)
- GET  answers/questions/      questions with answers and evidence; approve / reject / to FAQ
- CRUD answers/faq/            merchant-written FAQ entries (per product or shop-wide)
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from answers import services
from answers.models import FaqEntry, QuestionStatus, ShopperQuestion
from answers.serializers import (
    AnswerJobSerializer,
    ApproveSerializer,
    AskSerializer,
    FaqEntrySerializer,
    FaqFromQuestionSerializer,
    ShopperQuestionSerializer,
)
from catalog.api import ShopScopedViewSet
from catalog.api_filters import IdFilter
from catalog.serializers import JobSerializer


class QuestionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=QuestionStatus.choices)
    sku = filters.CharFilter(field_name="product__sku", help_text="Questions about this SKU.")
    job = IdFilter(field_name="job_id", help_text="Questions answered by this job.")

    class Meta:
        model = ShopperQuestion
        fields = ("status", "sku", "job")


@extend_schema_view(
    list=extend_schema(summary="List shopper questions with answers and evidence"),
    retrieve=extend_schema(summary="One shopper question with its answer and evidence"),
)
class QuestionViewSet(ShopScopedViewSet, viewsets.ReadOnlyModelViewSet):
    model = ShopperQuestion
    serializer_class = ShopperQuestionSerializer
    filterset_class = QuestionFilter
    ordering = ("-created_at", "-id")
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return self.base_queryset().select_related("product").order_by("-created_at", "-id")

    @extend_schema(
        summary="Publish an answer (optionally corrected)",
        request=ApproveSerializer,
        responses=ShopperQuestionSerializer,
        operation_id="answers_questions_approve",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        question = self.get_object()
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = services.approve_answer(
            question, request.user, serializer.validated_data.get("answer")
        )
        return Response(ShopperQuestionSerializer(question).data)

    @extend_schema(
        summary="Reject an answer",
        request=None,
        responses=ShopperQuestionSerializer,
        operation_id="answers_questions_reject",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        question = services.reject_answer(self.get_object(), request.user)
        return Response(ShopperQuestionSerializer(question).data)

    @extend_schema(
        summary="Turn a question and its answer into an FAQ entry",
        request=FaqFromQuestionSerializer,
        responses={201: FaqEntrySerializer},
        operation_id="answers_questions_to_faq",
    )
    @action(detail=True, methods=["post"], url_path="faq")
    def to_faq(self, request: Request, pk: str) -> Response:
        question = self.get_object()
        serializer = FaqFromQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        faq = services.faq_from_question(
            question, request.user, shop_wide=serializer.validated_data["shop_wide"]
        )
        return Response(FaqEntrySerializer(faq).data, status=status.HTTP_201_CREATED)


class AskViewSet(ShopScopedViewSet):
    """Asking: one question now, or many as a job (routed by hand in api_urls)."""

    model = ShopperQuestion
    serializer_class = AskSerializer

    @extend_schema(
        summary="Ask one question and get the answer now",
        description=(
            "Retrieves the shop's facts, lets the model phrase an answer from them only, and "
            "checks every figure, material and yes/no in it against the cited facts. When the "
            'facts do not answer, the answer is "don\'t know" and the question waits for the '
            "merchant (status needs_merchant). Show `shopper_message` to the shopper."
        ),
        request=AskSerializer,
        responses={201: ShopperQuestionSerializer},
        operation_id="answers_ask",
    )
    def ask(self, request: Request) -> Response:
        serializer = AskSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        question = services.answer_question(
            request.shop,
            data["question"],
            product=data["product"],
            customer=services.resolve_customer(request.shop, data.get("customer_id")),
            time_budget_s=data.get("time_budget_s"),
            source="api",
        )
        return Response(ShopperQuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Answer many questions in a background job",
        description="Up to 1,000 questions; follow the job at /api/v1/jobs/{id}/ and read the "
        "answers with /api/v1/answers/questions/?job={id}.",
        request=AnswerJobSerializer,
        responses={202: JobSerializer},
        operation_id="answers_jobs_create",
    )
    def create_job(self, request: Request) -> Response:
        serializer = AnswerJobSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        job = services.create_answer_job(
            request.shop, serializer.validated_data["items"], user=request.user
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(summary="List FAQ entries"),
    retrieve=extend_schema(summary="One FAQ entry"),
    create=extend_schema(summary="Create an FAQ entry (per product with sku, or shop-wide)"),
    update=extend_schema(summary="Replace an FAQ entry"),
    partial_update=extend_schema(summary="Change an FAQ entry"),
    destroy=extend_schema(summary="Delete an FAQ entry"),
)
class FaqEntryViewSet(
    ShopScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    model = FaqEntry
    serializer_class = FaqEntrySerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return self.base_queryset().select_related("product").order_by("-updated_at", "-id")

    def perform_create(self, serializer: FaqEntrySerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_faq(
            self.request.shop,
            data["question"],
            data["answer"],
            product=data.get("product"),
            user=self.request.user,
        )

    def perform_update(self, serializer: FaqEntrySerializer) -> None:
        faq = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.update_faq(
            faq,
            question=data.get("question", faq.question),
            answer=data.get("answer", faq.answer),
            product=data.get("product", faq.product),
        )

    def perform_destroy(self, instance: FaqEntry) -> None:
        services.delete_faq(instance)
