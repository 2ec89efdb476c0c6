from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api_fields import MAX_ID
from catalog.serializers import JobSerializer, run_rule
from generation.models import CopyField, Draft, DraftStatus, DraftVersion
from generation.prompts import LANGUAGES, LENGTHS, TONES
from generation.services import MAX_DRAFT_TEXT, clean_draft_edit


class GenerationRequestCreateSerializer(serializers.Serializer):
    """A request: which products (ids, or a filter; none = all) and the knobs."""

    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=CopyField.choices), min_length=1
    )
    product_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100_000,
    )
    category = serializers.CharField(required=False, allow_blank=True, max_length=300)
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tag = serializers.CharField(required=False, allow_blank=True, max_length=60)
    in_stock_only = serializers.BooleanField(required=False, default=False)
    tone = serializers.ChoiceField(choices=TONES, default="neutral")
    length = serializers.ChoiceField(choices=LENGTHS, default="medium")
    language = serializers.ChoiceField(choices=list(LANGUAGES), default="en")
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list, max_length=10
    )
    audience = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    overwrite = serializers.BooleanField(required=False, default=False)


class GenerationRequestSerializer(JobSerializer):
    """The request's job (poll it here or at /api/v1/jobs/{id}/) and its draft counts."""

    drafts = serializers.SerializerMethodField()
    job_url = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = (*JobSerializer.Meta.fields, "drafts", "job_url")

    def get_drafts(self, job) -> int:
        count = getattr(job, "draft_count", None)  # annotated on lists
        return count if count is not None else DraftVersion.objects.filter(job=job).count()

    def get_job_url(self, job) -> str:
        return f"/api/v1/jobs/{job.pk}/"


class CandidateScoreSerializer(serializers.Serializer):
    candidate = serializers.IntegerField(help_text="0-based index among the candidates.")
    temperature = serializers.FloatField(help_text="0 = greedy.")
    flags = serializers.IntegerField(help_text="Flags of the candidate as generated.")
    penalty = serializers.FloatField(help_text="Weighted flags (unsupported claims weigh most).")
    coverage = serializers.FloatField(help_text="Share of the product's facts it uses (0-1).")


class SelectionSerializer(serializers.Serializer):
    """How a generated version was chosen among its candidates (null on edits)."""

    candidates = serializers.IntegerField()
    chosen = serializers.IntegerField(allow_null=True, help_text="null when the fallback won.")
    fallback = serializers.BooleanField(help_text="A plain draft built from the facts only.")
    dropped = serializers.IntegerField(help_text="Flagged sentences dropped by the repair.")
    coverage = serializers.FloatField()
    why = serializers.CharField()
    examples = serializers.ListField(child=serializers.CharField())
    scores = CandidateScoreSerializer(many=True)


class DraftVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.get_username", read_only=True, default=None, allow_null=True
    )
    selection = serializers.SerializerMethodField()
    model_version = serializers.IntegerField(
        source="model_version.number",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="The number of the shop's tuned copy model that wrote this text; null for the "
        "base model or a person's edit.",
    )

    class Meta:
        model = DraftVersion
        fields = (
            "number",
            "text",
            "source",
            "checks",
            "selection",
            "job",
            "model_version",
            "created_by",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(SelectionSerializer(allow_null=True))
    def get_selection(self, version) -> dict | None:
        return (version.checks or {}).get("selection")


class DraftSerializer(serializers.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    text = serializers.CharField(source="current_version.text", read_only=True, default="")
    version = serializers.IntegerField(
        source="current_version.number", read_only=True, default=None, allow_null=True
    )
    checks = serializers.JSONField(source="current_version.checks", read_only=True, default=dict)
    reviewer = serializers.CharField(
        source="reviewer.get_username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Draft
        fields = (
            "id",
            "product",
            "product_sku",
            "field",
            "status",
            "text",
            "version",
            "checks",
            "rejection_reason",
            "reviewer",
            "reviewed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class DraftDetailSerializer(DraftSerializer):
    versions = DraftVersionSerializer(many=True, read_only=True)
    published = serializers.SerializerMethodField()

    class Meta(DraftSerializer.Meta):
        fields = (*DraftSerializer.Meta.fields, "published", "versions")
        read_only_fields = fields

    def get_published(self, draft) -> str:
        from generation.services import published_text

        return published_text(draft.product, draft.field)


@extend_schema_field({"type": "string", "maxLength": MAX_DRAFT_TEXT})
class DraftTextField(serializers.CharField):
    """The edit's text; `clean_draft_edit` checks its length after cleaning."""


class DraftEditSerializer(serializers.Serializer):
    text = DraftTextField(trim_whitespace=False)

    def validate(self, attrs: dict) -> dict:
        return run_rule(clean_draft_edit, attrs)


class DraftApproveSerializer(serializers.Serializer):
    replace = serializers.BooleanField(
        default=False,
        help_text="Must be true when the product already has different published copy.",
    )


class DraftRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


DRAFT_STATUS_CHOICES = DraftStatus.choices
