"""Serializers of the shopper-answers API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from answers.answering import shopper_message
from answers.models import FaqEntry, ShopperQuestion
from answers.safety import MAX_QUESTION_CHARS
from answers.services import FAQ_ANSWER_MAX_CHARS, clean_faq_entry
from catalog.api_fields import MAX_ID
from catalog.errors import InvalidInput
from catalog.models import Product

MAX_JOB_QUESTIONS = 1000


class ProductRefMixin:
    """Resolves `sku` / `product_id` to a product of the request's shop (400 otherwise)."""

    def resolve_product(self, attrs: dict) -> Product | None:
        shop = self.context["shop"]
        sku = attrs.pop("sku", "") or ""
        product_id = attrs.pop("product_id", None)
        if not sku and product_id is None:
            return None
        products = Product.objects.filter(shop=shop)
        product = (
            products.filter(sku=sku).first() if sku else products.filter(pk=product_id).first()
        )
        if product is None:
            field = "sku" if sku else "product_id"
            raise serializers.ValidationError({field: ["No such product in this shop."]})
        return product


class AskSerializer(ProductRefMixin, serializers.Serializer):
    question = serializers.CharField(max_length=MAX_QUESTION_CHARS, trim_whitespace=True)
    sku = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="The product asked about."
    )
    product_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Or the product's id."
    )
    customer_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The asking customer's external id. Never send names or emails: the "
        "customer's name and email are removed from the question using this id.",
    )
    time_budget_s = serializers.FloatField(
        required=False,
        min_value=0.5,
        max_value=30,
        help_text="Seconds the model may take (default: the shop's setting). When it runs out, "
        "the answer quotes the best fact or says it does not know, flagged timed_out.",
    )

    def validate(self, attrs: dict) -> dict:
        attrs["product"] = self.resolve_product(attrs)
        return attrs


class JobItemSerializer(ProductRefMixin, serializers.Serializer):
    question = serializers.CharField(max_length=MAX_QUESTION_CHARS)
    sku = serializers.CharField(required=False, allow_blank=True, max_length=64)
    product_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    customer_id = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate(self, attrs: dict) -> dict:
        product = self.resolve_product(attrs)
        attrs["product_id"] = product.pk if product else None
        return attrs


class AnswerJobSerializer(serializers.Serializer):
    items = JobItemSerializer(many=True, allow_empty=False, max_length=MAX_JOB_QUESTIONS)


class EvidenceSerializer(serializers.Serializer):
    chunk_id = serializers.IntegerField(help_text="The fact's id in the index at answer time.")
    source = serializers.CharField(help_text="attribute, product, bullet, description or faq.")
    label = serializers.CharField(help_text='Which fact: "Attribute “capacity”", "FAQ entry #3".')
    text = serializers.CharField(help_text="The fact as it was when the answer was made.")
    product_id = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(help_text="Cosine similarity to the question.")
    cited = serializers.BooleanField(help_text="Whether the answer rests on this fact.")


class ShopperQuestionSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True, allow_null=True)
    shopper_message = serializers.SerializerMethodField(
        help_text="What the shop's site may show the shopper now: the answer once published, "
        "else a holding or don't-know message."
    )
    citations = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)
    timed_out = serializers.SerializerMethodField()
    offer_to_pass_on = serializers.SerializerMethodField(
        help_text="True when the shop does not know and the question waits for the merchant."
    )

    class Meta:
        model = ShopperQuestion
        fields = (
            "id",
            "question",
            "product",
            "sku",
            "status",
            "answer",
            "answer_kind",
            "shopper_message",
            "confidence",
            "retrieval_score",
            "grounded",
            "timed_out",
            "offer_to_pass_on",
            "citations",
            "evidence",
            "flags",
            "latency_ms",
            "job",
            "created_at",
            "reviewed_at",
        )
        read_only_fields = fields

    def get_shopper_message(self, question: ShopperQuestion) -> str:
        return shopper_message(question)

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_citations(self, question: ShopperQuestion) -> list[dict]:
        return question.citations

    def get_timed_out(self, question: ShopperQuestion) -> bool:
        return bool(question.flags.get("timed_out"))

    def get_offer_to_pass_on(self, question: ShopperQuestion) -> bool:
        return question.status == "needs_merchant"


class ApproveSerializer(serializers.Serializer):
    answer = serializers.CharField(
        required=False, max_length=2000, help_text="A corrected answer to publish instead."
    )


class FaqFromQuestionSerializer(serializers.Serializer):
    shop_wide = serializers.BooleanField(
        default=False, help_text="For the whole shop rather than the question's product."
    )


class FaqEntrySerializer(ProductRefMixin, serializers.ModelSerializer):
    sku = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        write_only=True,
        help_text="The product this entry is about; leave out for a shop-wide entry.",
    )
    product_id = serializers.IntegerField(
        required=False, allow_null=True, write_only=True, min_value=1, max_value=MAX_ID
    )
    product_sku = serializers.CharField(source="product.sku", read_only=True, allow_null=True)

    class Meta:
        model = FaqEntry
        fields = (
            "id",
            "question",
            "answer",
            "product",
            "product_sku",
            "sku",
            "product_id",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "product", "product_sku", "created_at", "updated_at")
        extra_kwargs = {"answer": {"max_length": FAQ_ANSWER_MAX_CHARS}}

    def validate(self, attrs: dict) -> dict:
        # Shapes only: the rule is services.clean_faq_entry (a partial update keeps the rest).
        instance = self.instance
        try:
            attrs.update(
                clean_faq_entry(
                    question=attrs.get("question", instance.question if instance else ""),
                    answer=attrs.get("answer", instance.answer if instance else ""),
                )
            )
        except InvalidInput as error:
            raise serializers.ValidationError(error.fields) from error
        # A partial update that names no product keeps the entry's product.
        if not self.partial or "sku" in attrs or "product_id" in attrs:
            attrs["product"] = self.resolve_product(attrs)
        return attrs
