"""Re-ranking: MMR diversity, category cap, popularity penalty; the knobs in the form and API."""

import numpy as np
import pytest
from django.urls import reverse

from recommendations.engine import core
from recommendations.engine.rerank import (
    RerankConfig,
    category_codes,
    knob_errors,
    popularity_prior,
    rerank_scores,
)
from recommendations.models import CustomerRecommendation, RecommenderSettings
from tests.recommendations.conftest import run_now

# One candidate, no tuning: these tests are about what happens after training.
FAST = {"candidates": ["als"], "tuning_budget_s": 0}

BASE = "/api/v1/recommendations"


def _clustered(n_clusters: int = 4, per_cluster: int = 10):
    """Items in tight clusters (near-identical vectors); relevance favours cluster 0 throughout."""
    rng = np.random.default_rng(0)
    centres = core.normalize_rows(rng.normal(size=(n_clusters, 16)).astype(np.float32))
    cluster = np.repeat(np.arange(n_clusters), per_cluster)
    vectors = core.normalize_rows(
        centres[cluster] + 0.01 * rng.normal(size=(len(cluster), 16)).astype(np.float32)
    )
    scores = np.where(cluster == 0, 1.0, 0.5).astype(np.float32) - 0.001 * np.arange(len(cluster))
    return vectors, cluster, scores[None, :].astype(np.float32)


def test_no_knobs_keep_the_relevance_order():
    vectors, cluster, scores = _clustered()
    plain = core.top_n_rows(scores, 5)
    assert not RerankConfig().active
    assert (rerank_scores(scores, 5, RerankConfig(), vectors=vectors) == plain).all()


def test_diversity_spreads_a_list_over_unlike_items():
    vectors, cluster, scores = _clustered()
    plain = core.top_n_rows(scores, 4)[0]
    assert len(set(cluster[plain])) == 1  # relevance alone: one cluster
    mixed = rerank_scores(scores, 4, RerankConfig(diversity=0.6), vectors=vectors)[0]
    assert mixed[0] == plain[0]  # the most relevant item still leads
    assert len(set(cluster[mixed])) == 4
    assert len(set(mixed.tolist())) == 4


def test_category_cap_limits_items_of_one_category_and_still_fills_the_list():
    vectors, cluster, scores = _clustered()
    codes = category_codes([f"c{c}" for c in cluster])
    capped = rerank_scores(scores, 6, RerankConfig(category_cap=2), codes=codes)[0]
    assert np.bincount(cluster[capped]).max() == 2 and (capped >= 0).all()
    # Soft cap: one category only, the list is still full.
    one = category_codes(["same"] * len(cluster))
    full = rerank_scores(scores, 6, RerankConfig(category_cap=2), codes=one)[0]
    assert (full >= 0).all() and len(set(full.tolist())) == 6


def test_popularity_penalty_brings_in_less_popular_items():
    popularity = np.array([1000, 900, 800, 5, 4, 3], dtype=np.float32)
    scores = np.array([[1.0, 0.95, 0.9, 0.8, 0.78, 0.76]], dtype=np.float32)
    prior = popularity_prior(popularity)
    assert prior[0] == pytest.approx(1.0) and prior.min() > 0
    plain = rerank_scores(scores, 3, RerankConfig(), prior=prior)[0]
    assert set(plain.tolist()) == {0, 1, 2}
    debiased = rerank_scores(scores, 3, RerankConfig(popularity_penalty=0.5), prior=prior)[0]
    assert set(debiased.tolist()) == {3, 4, 5}


def test_masked_items_are_never_picked_by_any_knob():
    vectors, cluster, scores = _clustered()
    scores = scores.copy()
    scores[0, 10:] = -np.inf  # only cluster 0 allowed
    config = RerankConfig(diversity=0.9, category_cap=1, popularity_penalty=0.3)
    codes = category_codes([f"c{c}" for c in cluster])
    prior = popularity_prior(np.arange(len(cluster), dtype=np.float32))
    out = rerank_scores(scores, 5, config, prior=prior, vectors=vectors, codes=codes)[0]
    assert ((out >= 0) & (out < 10)).all()


def test_knob_rule_names_each_bad_field():
    assert knob_errors(0.3, 2, 0.1) == {}
    errors = knob_errors(1.5, 0, -0.1)
    assert set(errors) == {"diversity", "category_cap", "popularity_penalty"}
    assert "0 (off" in errors["diversity"][0]
    assert knob_errors(float("nan"), None, 0.0).keys() == {"diversity"}


def test_run_stores_re_ranked_lists_with_reasons(shop, planted):
    # Four categories: a cap of 2 can fill a list of 6 without the soft cap stepping in.
    plain = run_now(shop, top_n=6, **FAST)
    capped = run_now(shop, category_cap=2, diversity=0.3, **FAST)
    category_of = {p.pk: p.category for p in planted["products"]}
    for run, limit in ((plain, None), (capped, 2)):
        rows = CustomerRecommendation.objects.filter(run=run)
        worst = 0
        for row in rows:
            assert all(item["t"] for item in row.items)
            model_items = [i for i in row.items if i["r"] in ("because_you", "similar_to")]
            counts = {}
            for item in model_items:
                counts[category_of[item["p"]]] = counts.get(category_of[item["p"]], 0) + 1
            worst = max([worst, *counts.values()])
        if limit is None:
            assert worst > 2  # taste groups: plain lists pile up one category
        else:
            assert worst <= limit
    assert capped.settings["category_cap"] == 2 and capped.settings["diversity"] == 0.3


def test_settings_page_saves_the_knobs(shop, editor_client):
    data = {
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
        "candidates": ["als", "item_knn"],
        "tuning_budget_s": 30,
        "diversity": 0.4,
        "category_cap": 3,
        "popularity_penalty": 0.2,
    }
    page = editor_client.get(reverse("recommendations:settings")).content.decode()
    assert "Re-ranking" in page and 'name="category_cap"' in page
    response = editor_client.post(reverse("recommendations:settings"), data)
    assert response.status_code == 302
    saved = RecommenderSettings.objects.get(shop=shop)
    assert (saved.diversity, saved.category_cap, saved.popularity_penalty) == (0.4, 3, 0.2)
    bad = editor_client.post(reverse("recommendations:settings"), {**data, "diversity": 2})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    saved.refresh_from_db()
    assert saved.diversity == 0.4


def test_api_changes_the_knobs_and_explains_bad_values(shop, editor_api, viewer_api):
    response = editor_api.patch(
        f"{BASE}/settings/", {"diversity": 0.6, "category_cap": 2}, format="json"
    )
    assert response.status_code == 200
    body = viewer_api.get(f"{BASE}/settings/").json()
    assert (body["diversity"], body["category_cap"], body["popularity_penalty"]) == (0.6, 2, 0.0)
    assert (
        editor_api.patch(f"{BASE}/settings/", {"category_cap": None}, format="json").json()[
            "category_cap"
        ]
        is None
    )
    bad = editor_api.patch(f"{BASE}/settings/", {"popularity_penalty": 3}, format="json")
    assert bad.status_code == 400 and "popularity_penalty" in bad.content.decode()
    assert viewer_api.patch(f"{BASE}/settings/", {"diversity": 0.1}, format="json").status_code == (
        403
    )


def test_service_rejects_bad_knobs_whatever_the_entry_point(shop):
    from recommendations import services

    with pytest.raises(services.RecommendationError) as caught:
        services.update_settings(shop, {"category_cap": 0})
    assert caught.value.fields.keys() == {"category_cap"}
    assert RecommenderSettings.objects.get(shop=shop).category_cap is None


def test_outsider_cannot_read_or_change_another_shops_knobs(
    shop, other_shop, editor_api, outsider_api, outsider_client
):
    editor_api.patch(f"{BASE}/settings/", {"diversity": 0.7}, format="json")
    outsider_api.patch(f"{BASE}/settings/", {"diversity": 0.1}, format="json")
    assert RecommenderSettings.objects.get(shop=shop).diversity == 0.7
    assert outsider_api.get(f"{BASE}/settings/").json()["diversity"] == 0.1  # their own shop's
    page = outsider_client.get(reverse("recommendations:settings")).content.decode()
    assert 'value="0.7"' not in page
