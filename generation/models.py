"""Brand voice, prompt templates, drafts and their versions.

A generation request is a catalog `Job` of kind "generate_copy" (its params hold the request).
Each (product, field) has at most one *open* draft (draft / pending review / rejected); every
generation, edit or regeneration adds a version to it. Approving publishes the current version to
the product; the draft that was published before for that field becomes "superseded".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog.models import Job, ModelVersion, Product, Shop


class CopyField(models.TextChoices):
    DESCRIPTION = "description", "Description"
    BULLET_POINTS = "bullet_points", "Bullet points"
    SEO_TITLE = "seo_title", "SEO title"
    META_DESCRIPTION = "meta_description", "Meta description"


# Hard limits in characters (bullet points: per bullet). SEO/meta limits follow search engines.
FIELD_MAX_CHARS = {
    CopyField.DESCRIPTION: 2000,
    CopyField.BULLET_POINTS: 160,
    CopyField.SEO_TITLE: 60,
    CopyField.META_DESCRIPTION: 160,
}
MAX_BULLETS = 6


class BrandVoice(models.Model):
    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="brand_voice")
    voice = models.TextField(blank=True, help_text="A few sentences on how the shop sounds.")
    example_copy = models.TextField(blank=True, help_text="Copy the shop likes, as an example.")
    banned_phrases = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Brand voice of {self.shop}"


class PromptTemplate(models.Model):
    """A shop's own prompt for one field; fields without one use the defaults in prompts.py."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="prompt_templates")
    field = models.CharField(max_length=20, choices=CopyField.choices)
    template = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "field"], name="one_template_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.shop} / {self.field}"


class DraftStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_REVIEW = "pending_review", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


OPEN_STATUSES = (DraftStatus.DRAFT, DraftStatus.PENDING_REVIEW, DraftStatus.REJECTED)


class DraftQuerySet(models.QuerySet):
    def for_shop(self, shop) -> DraftQuerySet:
        return self.filter(shop=shop)

    def open(self) -> DraftQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def pending_review(self) -> DraftQuerySet:
        return self.filter(status=DraftStatus.PENDING_REVIEW)


class Draft(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="drafts")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="drafts")
    field = models.CharField(max_length=20, choices=CopyField.choices)
    status = models.CharField(max_length=20, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    current_version = models.ForeignKey(
        "DraftVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "field"],
                condition=Q(status__in=["draft", "pending_review", "rejected"]),
                name="one_open_draft_per_field",
            )
        ]
        indexes = [
            models.Index(fields=["shop", "status", "-updated_at"]),
            models.Index(fields=["status", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of {self.product_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class VersionSource(models.TextChoices):
    MODEL = "model", "Generated"
    EDIT = "edit", "Edited"
    REGENERATE = "regenerate", "Regenerated"


class DraftVersion(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    source = models.CharField(max_length=12, choices=VersionSource.choices)
    # {"flags": [{"check", "start", "end", "text", "message"}], "counts": {...}}
    checks = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The shop's tuned copy model that wrote this text (None: the base model, or a person).
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="unique_version_number")
        ]
        indexes = [models.Index(fields=["job"])]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"v{self.number} of draft {self.draft_id}"

    @property
    def flags(self) -> list[dict]:
        return list(self.checks.get("flags", []))
