from __future__ import annotations

from django import forms

from recommendations.engine.candidates import CANDIDATE_NAMES
from recommendations.engine.core import DEFAULT_EVENT_WEIGHTS
from recommendations.engine.coverage_goal import DEFAULT_TARGET as COVERAGE_TARGET
from recommendations.engine.rerank import MAX_CATEGORY_CAP, MAX_POPULARITY_PENALTY, knob_errors
from recommendations.models import RecommenderSettings


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class RecommenderSettingsForm(forms.Form):
    view_weight = forms.FloatField(
        min_value=0, max_value=100, initial=DEFAULT_EVENT_WEIGHTS["view"]
    )
    cart_weight = forms.FloatField(
        min_value=0, max_value=100, initial=DEFAULT_EVENT_WEIGHTS["cart"]
    )
    purchase_weight = forms.FloatField(
        min_value=0, max_value=100, initial=DEFAULT_EVENT_WEIGHTS["purchase"]
    )
    rating_weight = forms.FloatField(
        min_value=0, max_value=100, initial=DEFAULT_EVENT_WEIGHTS["rating"]
    )
    content_weight = forms.FloatField(
        min_value=0, max_value=1, help_text="Share of content similarity in the blend (0-1)."
    )
    top_n = forms.IntegerField(min_value=1, max_value=200, label="Items stored per list")
    factors = forms.IntegerField(min_value=4, max_value=512)
    iterations = forms.IntegerField(min_value=1, max_value=100)
    regularization = forms.FloatField(min_value=0, max_value=10)
    alpha = forms.FloatField(min_value=0.01, max_value=1000)
    repurchasable_categories = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Comma-separated categories (and their subcategories) that may be bought again.",
    )
    repurchasable_tags = forms.CharField(
        required=False, help_text="Comma-separated tags of consumables."
    )
    # Candidate models compared on every run (recommendations.engine.candidates).
    candidates = forms.MultipleChoiceField(
        choices=[(name, name) for name in CANDIDATE_NAMES],
        widget=forms.CheckboxSelectMultiple,
        label="Candidate models",
        help_text="Each run trains these, compares them on its hold-out and serves the best.",
    )
    tuning_budget_s = forms.IntegerField(
        min_value=0,
        max_value=3600,
        label="Tuning budget (seconds)",
        help_text="Time a run may spend tuning the candidates' settings; 0 = defaults only.",
    )
    recency_half_life_days = forms.FloatField(
        required=False,
        min_value=0.1,
        max_value=3650,
        label="Recency half-life (days)",
        help_text="An interaction counts half as much every this many days; empty = off.",
    )
    # Re-ranking for the shop's goals (recommendations.engine.rerank); 0 / empty = off.
    diversity = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        initial=0.0,
        help_text="0 = pure relevance (off); higher mixes in products unlike the ones above them "
        "(0.3 is a mild setting).",
    )
    category_cap = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CATEGORY_CAP,
        label="Category cap",
        help_text="At most this many products of one category per list; empty = no cap.",
    )
    popularity_penalty = forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_POPULARITY_PENALTY,
        initial=0.0,
        help_text="0 = off; higher gives lesser-known products more room (try 0.1-0.3).",
    )
    coverage_target = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        initial=COVERAGE_TARGET,
        label="Coverage target",
        help_text="Share of the catalog the customers' lists should show together (0.35: about "
        "a third); each run raises the popularity penalty (then diversity) just enough, at "
        "most 5% NDCG cost. 0 or empty = off.",
    )

    @classmethod
    def for_settings(cls, recommender_settings: RecommenderSettings) -> RecommenderSettingsForm:
        weights = recommender_settings.weights or {}
        return cls(
            initial={
                "view_weight": weights.get("view", DEFAULT_EVENT_WEIGHTS["view"]),
                "cart_weight": weights.get("cart", DEFAULT_EVENT_WEIGHTS["cart"]),
                "purchase_weight": weights.get("purchase", DEFAULT_EVENT_WEIGHTS["purchase"]),
                "rating_weight": weights.get("rating", DEFAULT_EVENT_WEIGHTS["rating"]),
                "content_weight": recommender_settings.content_weight,
                "top_n": recommender_settings.top_n,
                "factors": recommender_settings.factors,
                "iterations": recommender_settings.iterations,
                "regularization": recommender_settings.regularization,
                "alpha": recommender_settings.alpha,
                "repurchasable_categories": ", ".join(
                    recommender_settings.repurchasable_categories
                ),
                "repurchasable_tags": ", ".join(recommender_settings.repurchasable_tags),
                "candidates": recommender_settings.candidates,
                "tuning_budget_s": recommender_settings.tuning_budget_s,
                "recency_half_life_days": recommender_settings.recency_half_life_days,
                "diversity": recommender_settings.diversity,
                "category_cap": recommender_settings.category_cap,
                "popularity_penalty": recommender_settings.popularity_penalty,
                "coverage_target": recommender_settings.coverage_target,
            }
        )

    def clean(self) -> dict:
        data = super().clean()
        knobs = ("diversity", "category_cap", "popularity_penalty", "coverage_target")
        if all(name not in self.errors for name in knobs):
            values = [data.get("diversity") or 0.0, data.get("category_cap")]
            values.append(data.get("popularity_penalty") or 0.0)
            values.append(data.get("coverage_target") or 0.0)
            for name, messages in knob_errors(*values).items():
                for message in messages:
                    self.add_error(name, message)
        return data

    def settings_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "weights": {
                "view": data["view_weight"],
                "cart": data["cart_weight"],
                "purchase": data["purchase_weight"],
                "rating": data["rating_weight"],
            },
            "content_weight": data["content_weight"],
            "top_n": data["top_n"],
            "factors": data["factors"],
            "iterations": data["iterations"],
            "regularization": data["regularization"],
            "alpha": data["alpha"],
            "repurchasable_categories": _split(data["repurchasable_categories"]),
            "repurchasable_tags": _split(data["repurchasable_tags"]),
            "candidates": list(data["candidates"]),
            "tuning_budget_s": data["tuning_budget_s"],
            "recency_half_life_days": data["recency_half_life_days"],
            # Empty knobs are off.
            "diversity": data["diversity"] or 0.0,
            "category_cap": data["category_cap"],
            "popularity_penalty": data["popularity_penalty"] or 0.0,
            "coverage_target": data["coverage_target"] or 0.0,
        }
