"""The candidate models, tuning budget and recency half-life are the merchant's to set, on the
settings page and through the API, with clear refusals."""

from __future__ import annotations

from django.urls import reverse

from recommendations.models import RecommenderSettings

BASE = "/api/v1/recommendations"

FORM = {
    "view_weight": 1,
    "cart_weight": 3,
    "purchase_weight": 5,
    "rating_weight": 2,
    "content_weight": 0.3,
    "top_n": 20,
    "factors": 64,
    "iterations": 15,
    "regularization": 0.05,
    "alpha": 2,
    "candidates": ["ease", "popularity"],
    "tuning_budget_s": 0,
    "recency_half_life_days": 45,
}


def test_settings_page_sets_candidates_budget_and_recency(shop, editor_client):
    page = editor_client.get(reverse("recommendations:settings")).content.decode()
    assert 'name="candidates"' in page and 'value="item_knn"' in page
    assert editor_client.post(reverse("recommendations:settings"), FORM).status_code == 302
    saved = RecommenderSettings.objects.get(shop=shop)
    assert saved.candidates == ["ease", "popularity"]
    assert (saved.tuning_budget_s, saved.recency_half_life_days) == (0, 45)
    bad = editor_client.post(reverse("recommendations:settings"), {**FORM, "candidates": []})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    saved.refresh_from_db()
    assert saved.candidates == ["ease", "popularity"]


def test_api_sets_candidates_and_refuses_unknown_models(shop, editor_api, outsider_api):
    body = editor_api.patch(
        f"{BASE}/settings/",
        {"candidates": ["als", "bpr"], "recency_half_life_days": None, "tuning_budget_s": 5},
        format="json",
    ).json()
    assert body["candidates"] == ["als", "bpr"] and body["tuning_budget_s"] == 5
    assert body["recency_half_life_days"] is None
    bad = editor_api.patch(f"{BASE}/settings/", {"candidates": ["magic"]}, format="json")
    assert bad.status_code == 400 and "candidates" in str(bad.json())
    assert editor_api.patch(f"{BASE}/settings/", {"candidates": []}, format="json").status_code == (
        400
    )
    # An outsider changes only their own shop's settings.
    outsider_api.patch(f"{BASE}/settings/", {"candidates": ["popularity"]}, format="json")
    assert RecommenderSettings.objects.get(shop=shop).candidates == ["als", "bpr"]
