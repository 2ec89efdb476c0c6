from __future__ import annotations

from rest_framework import serializers

from catalog.models import JobStatus
from recommendations.models import RecommendationRun


class ReasonSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="because_you, similar_to, also_liked, bought_together, "
        "popular_in_category or popular."
    )
    text = serializers.CharField()
    because_of_sku = serializers.CharField(
        allow_null=True, help_text="The product that drove this item, when there is one."
    )


class RecommendedItemSerializer(serializers.Serializer):
    sku = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()
    reason = ReasonSerializer()


class RecommendationListSerializer(serializers.Serializer):
    recommendation_id = serializers.CharField(
        allow_blank=True,
        help_text="Cite it as `recommendation_ref` on later interactions (click-through).",
    )
    source = serializers.CharField(
        help_text="model (stored list), fold_in (new customer, computed now), content, "
        "fallback (popularity) or none."
    )
    run_id = serializers.IntegerField(allow_null=True)
    items = RecommendedItemSerializer(many=True)


def served_data(served) -> dict:
    return {
        "recommendation_id": served.ref,
        "source": served.source,
        "run_id": served.run.pk if served.run else None,
        "items": [
            {
                "sku": item.product.sku,
                "title": item.product.title,
                "score": round(item.score, 4),
                "reason": {
                    "kind": item.reason,
                    "text": item.reason_text,
                    "because_of_sku": item.via.sku if item.via else None,
                },
            }
            for item in served.items
        ],
    }


class RunSerializer(serializers.ModelSerializer):
    job_id = serializers.IntegerField(allow_null=True, read_only=True)
    # The run's state is its job's: one state machine, no copy to drift.
    status = serializers.ChoiceField(source="job.status", choices=JobStatus.choices, read_only=True)
    error = serializers.CharField(source="job.error", read_only=True)
    finished_at = serializers.DateTimeField(
        source="job.finished_at", read_only=True, allow_null=True
    )

    class Meta:
        model = RecommendationRun
        fields = [
            "id",
            "status",
            "trigger",
            "job_id",
            "settings",
            "metrics",
            "stats",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class RunStartedSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    job_id = serializers.IntegerField()
    status = serializers.CharField()


class WeightsSerializer(serializers.Serializer):
    view = serializers.FloatField(min_value=0, max_value=100)
    cart = serializers.FloatField(min_value=0, max_value=100)
    purchase = serializers.FloatField(min_value=0, max_value=100)
    rating = serializers.FloatField(min_value=0, max_value=100)


class RecommenderSettingsSerializer(serializers.Serializer):
    weights = WeightsSerializer(help_text="Confidence added per interaction kind.")
    content_weight = serializers.FloatField(
        min_value=0, max_value=1, help_text="Share of content similarity in the blend."
    )
    top_n = serializers.IntegerField(min_value=1, max_value=200)
    factors = serializers.IntegerField(min_value=4, max_value=512)
    iterations = serializers.IntegerField(min_value=1, max_value=100)
    regularization = serializers.FloatField(min_value=0, max_value=10)
    alpha = serializers.FloatField(min_value=0.01, max_value=1000)
    repurchasable_categories = serializers.ListField(
        child=serializers.CharField(max_length=300), max_length=200, required=False
    )
    repurchasable_tags = serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=200, required=False
    )
