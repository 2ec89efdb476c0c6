from __future__ import annotations

from django import forms

from recommendations.engine.core import DEFAULT_EVENT_WEIGHTS
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
            }
        )

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
        }
