from __future__ import annotations

from rest_framework import serializers

from catalog.models import JobStatus
from recommendations.engine.candidates import CANDIDATE_NAMES
from recommendations.engine.rerank import MAX_CATEGORY_CAP, MAX_POPULARITY_PENALTY, knob_errors
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
    served_model = serializers.SerializerMethodField(
        help_text="The candidate model whose lists the run stored (best NDCG@10 on the hold-out): "
        "name, params, and `rerank` (diversity, category_cap, popularity_penalty as served)."
    )
    leaderboard = serializers.SerializerMethodField(
        help_text="Every candidate model on the run's temporal hold-out: name, params, ndcg@10, "
        "recall@10 (hits / held-out items), capped_recall@10 (hits / min(10, held-out items)), "
        "coverage, diversity, fit_s, served; `skipped` says why a candidate did not run. With "
        "re-ranking (`reranked` true) the figures are the lists as served, re-ranked with "
        "served_model.rerank, and `relevance_order` holds them before re-ranking (the served "
        "model is picked on those). Coverage is over the evaluated customers' lists: at most "
        "metrics.split.coverage_ceiling (customers x 10 / products)."
    )
    coverage_goal = serializers.SerializerMethodField(
        help_text="The coverage goal of the run (null when off): target, reached, the chosen "
        "popularity_penalty and diversity, and `validation` (NDCG@10 before/after and ndcg_cost "
        "on the validation split, coverage before/after, its customers and coverage_ceiling)."
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
            "served_model",
            "leaderboard",
            "coverage_goal",
            "stats",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_served_model(self, run: RecommendationRun) -> dict | None:
        return (run.metrics or {}).get("served")

    def get_leaderboard(self, run: RecommendationRun) -> list[dict]:
        return list((run.metrics or {}).get("leaderboard") or [])

    def get_coverage_goal(self, run: RecommendationRun) -> dict | None:
        goal = ((run.metrics or {}).get("served") or {}).get("coverage_goal")
        if not goal:
            return None
        return {name: value for name, value in goal.items() if name != "tried"}


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
    candidates = serializers.ListField(
        child=serializers.ChoiceField(choices=CANDIDATE_NAMES),
        min_length=1,
        required=False,
        help_text="Candidate models each run trains and compares; the best is served.",
    )
    tuning_budget_s = serializers.IntegerField(
        min_value=0,
        max_value=3600,
        required=False,
        help_text="Seconds a run may spend tuning candidates' settings (0 = defaults only).",
    )
    recency_half_life_days = serializers.FloatField(
        min_value=0.1,
        max_value=3650,
        allow_null=True,
        required=False,
        help_text="Interactions count half as much every this many days; null = off.",
    )
    diversity = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        help_text="Re-ranking: MMR diversity, 0 = pure relevance (off) to 1 = pure variety.",
    )
    category_cap = serializers.IntegerField(
        min_value=1,
        max_value=MAX_CATEGORY_CAP,
        allow_null=True,
        required=False,
        help_text="Re-ranking: at most this many items of one category per list; null = no cap.",
    )
    popularity_penalty = serializers.FloatField(
        min_value=0,
        max_value=MAX_POPULARITY_PENALTY,
        required=False,
        help_text="Re-ranking: score minus this times the item's log-popularity share; 0 = off.",
    )
    coverage_target = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        help_text="Coverage goal: share of the catalog the customers' lists should show together; "
        "each run raises the popularity penalty (then diversity) just enough, at most 5% NDCG@10 "
        "cost on its validation split; 0 = off.",
    )

    def validate(self, attrs: dict) -> dict:
        names = ("diversity", "category_cap", "popularity_penalty", "coverage_target")
        errors = knob_errors(**{name: attrs[name] for name in names if name in attrs})
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
