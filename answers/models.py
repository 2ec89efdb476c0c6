"""Shopper answers: FAQ entries, the fact index, questions with their answers and evidence.

Personal data: a question is stored only after the asking customer's name, emails and phone
numbers have been replaced (see `privacy.redact`); the customer is a link, never copied text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from catalog.models import Customer, Job, Product, Shop

__all__ = [
    "AnswerKind",
    "AnswerSettings",
    "ChunkSource",
    "FactChunk",
    "FaqEntry",
    "QuestionStatus",
    "ShopperQuestion",
]


class AnswerSettings(models.Model):
    """Per-shop knobs; a shop without a row uses the defaults below."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="answer_settings")
    auto_publish = models.BooleanField(
        default=True, help_text="Publish answers whose confidence reaches the threshold."
    )
    auto_publish_threshold = models.FloatField(
        default=0.8, help_text="0-1. Answers below it wait in the review queue."
    )
    min_retrieval_score = models.FloatField(
        default=0.35,
        help_text="0-1. Below this similarity the facts are taken not to answer the question.",
    )
    time_budget_s = models.FloatField(
        default=8.0, help_text="Seconds the model may take for one synchronous answer."
    )
    # Off by default: the quoted evidence is the answer (measured on CPU with the default
    # 135M model, rephrasing added ~1.5 s per question and no correct answers).
    rephrase_with_model = models.BooleanField(
        default=False,
        help_text="Let the language model rephrase the quoted evidence into a sentence "
        "(slower; a rephrasing is used only when every claim in it is in the evidence).",
    )
    # When the fact index last caught up with product changes (see services.refresh_index).
    indexed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change to the shop's fact chunks: tells each process's cached search
    # matrix to load the changed rows.
    index_version = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "answer settings"

    def __str__(self) -> str:
        return f"Answer settings of {self.shop}"


class FaqEntry(models.Model):
    """A merchant-written question and answer, for one product or for the whole shop."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="faq_entries")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="faq_entries"
    )
    question = models.CharField(max_length=500)
    answer = models.TextField(max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "-updated_at"])]

    def __str__(self) -> str:
        return self.question[:80]


class ChunkSource(models.TextChoices):
    ATTRIBUTE = "attribute", "Attribute"
    PRODUCT = "product", "Product field"
    BULLET = "bullet", "Bullet point"
    DESCRIPTION = "description", "Description"
    FAQ = "faq", "FAQ entry"


class FactChunk(models.Model):
    """One retrievable fact with its embedding (float32 bytes, unit length).

    `source_key` names the fact's origin inside the shop ("p12:attr:capacity", "faq7") and is
    unique per shop; `text_hash` covers what was embedded, so only changed facts are embedded
    again. `product` is null for shop-wide FAQ entries.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="fact_chunks")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="fact_chunks"
    )
    faq = models.ForeignKey(
        FaqEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="chunks"
    )
    source = models.CharField(max_length=12, choices=ChunkSource.choices)
    source_key = models.CharField(max_length=200)
    # What a citation shows ("capacity: 750 ml"); the embedded text adds the product title.
    label = models.CharField(max_length=200)
    text = models.TextField()
    text_hash = models.CharField(max_length=32)
    embedding = models.BinaryField()
    encoder = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "source_key"], name="unique_fact_chunk_source")
        ]
        indexes = [
            models.Index(fields=["shop", "product"]),
            models.Index(fields=["shop", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.source_key


class QuestionStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING_REVIEW = "pending_review", "Pending review"
    NEEDS_MERCHANT = "needs_merchant", "Needs the merchant"
    REJECTED = "rejected", "Rejected"


class AnswerKind(models.TextChoices):
    GENERATED = "generated", "Generated from facts"
    EXTRACTIVE = "extractive", "Quoted fact"
    DONT_KNOW = "dont_know", "Don't know"
    REFUSED = "refused", "Refused (not a product question)"
    EDITED = "edited", "Written by a person"


class ShopperQuestion(models.Model):
    """A shopper's question (personal data removed) and the shop's answer with its evidence.

    `evidence` is the retrieved facts at answer time, best first:
    [{"chunk_id", "source", "label", "text", "product_id", "score", "cited"}]; the text is a
    snapshot, so the evidence stays readable after the catalog changes.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="shopper_questions")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="shopper_questions"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Position of the question in its job's list: makes a re-delivered job skip answered items.
    job_index = models.PositiveIntegerField(null=True, blank=True)
    question = models.CharField(max_length=1000)
    answer = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.PENDING_REVIEW
    )
    answer_kind = models.CharField(max_length=12, choices=AnswerKind.choices)
    confidence = models.FloatField(default=0.0)
    retrieval_score = models.FloatField(default=0.0)
    grounded = models.BooleanField(default=False)
    # {"injection": bool, "pii_removed": [...kinds], "timed_out": bool, "grounding": [...problems]}
    flags = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    # What the model wrote before checks (shown to reviewers; empty when no model ran).
    model_output = models.TextField(blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["shop", "status", "-created_at"]),
            models.Index(fields=["shop", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "job_index"],
                name="unique_question_per_job_item",
                condition=models.Q(job__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def citations(self) -> list[dict]:
        return [item for item in self.evidence if item.get("cited")]

    @property
    def evidence_rows(self) -> list[dict]:
        """The evidence with each cited fact split around its answering span, for highlighting."""
        rows = []
        for item in self.evidence:
            text = item.get("text", "")
            start, end = item.get("span") or (len(text), len(text))
            rows.append(
                {**item, "before": text[:start], "span_text": text[start:end], "after": text[end:]}
            )
        return rows
