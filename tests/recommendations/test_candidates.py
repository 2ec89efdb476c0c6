"""Candidate models, tuning, the leaderboard of a run, and the served model's stored lists."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from django.urls import reverse

from catalog.models import Interaction
from recommendations import services
from recommendations.engine import candidates as cand
from recommendations.engine import core, evaluation, tuning
from recommendations.engine.synthetic import planted_groups
from recommendations.models import CustomerRecommendation, RecommendationRun
from tests.recommendations.conftest import run_now

BASE = "/api/v1/recommendations"
CONFIG = core.EngineConfig(factors=16, iterations=10, content_weight=0.0)


@pytest.fixture(scope="module")
def planted_data():
    return planted_groups(300, 150, 6000, n_groups=5, seed=11)


@pytest.fixture(scope="module")
def matrix(planted_data):
    weights = core.event_weights(planted_data.kinds, CONFIG.weights)
    return core.confidence_matrix(
        planted_data.users, planted_data.items, weights, planted_data.n_users, planted_data.n_items
    )


# --- the models -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, params",
    [
        ("als", {"factors": 16, "weighting": "bm25"}),
        ("bpr", {"factors": 16, "iterations": 30, "learning_rate": 0.05}),
        ("item_knn", {"similarity": "cosine", "K": 30}),
        ("item_knn", {"similarity": "bm25", "K": 30}),
        ("ease", {"lambda": 100.0}),
    ],
)
def test_every_candidate_recommends_mostly_from_the_customers_taste_group(
    planted_data, matrix, name, params
):
    scorer = cand.fit(name, matrix, params)
    users = np.arange(60)
    scores = scorer.scores(scorer.rows_for(matrix.shape[0])[users], matrix[users])
    assert scores.shape == (60, matrix.shape[1])
    top = np.argsort(-scores, axis=1)[:, :10]
    same = planted_data.item_group[top] == planted_data.user_group[users][:, None]
    assert same.mean() > 0.6  # chance is 1 in 5 groups


def test_neighbour_via_is_the_history_item_with_the_largest_contribution():
    # Item 3 is close to item 0 (0.9) and a little to item 1 (0.2); the customer has 0 and 1.
    similarity = sp.csr_matrix(
        np.array([[0, 0, 0, 0.9], [0, 0, 0.5, 0.2], [0, 0.5, 0, 0], [0.9, 0.2, 0, 0]], np.float32)
    )
    scorer = cand.SimilarityScorer(
        name="item_knn",
        params={},
        n_items=4,
        popularity=np.ones(4, np.float32),
        similarity=similarity,
    )
    items, conf = np.array([0, 1]), np.array([1.0, 1.0], np.float32)
    assert list(scorer.explain(items, conf, np.array([3, 2]))) == [0, 1]
    # A strong enough confidence on item 1 makes it the driver of item 3.
    assert list(scorer.explain(items, np.array([1.0, 6.0], np.float32), np.array([3]))) == [1]


def test_ease_is_skipped_above_its_item_cap(matrix, monkeypatch):
    monkeypatch.setattr(cand, "EASE_MAX_ITEMS", 100)
    with pytest.raises(cand.SkipCandidate, match="over the EASE cap"):
        cand.fit("ease", matrix, {})


def test_recency_weight_halves_every_half_life():
    day = 86400.0
    stamps = np.array([0.0, 10 * day, 20 * day])
    assert np.allclose(cand.recency_weights(stamps, 10.0), [0.25, 0.5, 1.0])
    assert np.allclose(cand.recency_weights(stamps, None), 1.0)


# --- tuning -----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_tuning_tries_defaults_first_and_stops_at_the_budget():
    clock = FakeClock()
    tried: list[tuple[str, float]] = []

    def score(name: str, params: dict) -> dict:
        clock.now += 10.0  # every try costs 10 s
        tried.append((name, params["lambda"]))
        return {"ndcg@10": {50.0: 0.3, 200.0: 0.1}.get(params["lambda"], 0.2), "coverage": 0.1}

    result = tuning.tune(["ease"], {"ease": {"lambda": 200.0}}, score, 35.0, clock=clock)
    assert tried[0] == ("ease", 200.0)  # the defaults first
    assert len(tried) == 3  # 10 + 10 + 10 s; a fourth would end past 35 s
    assert result["ease"].params == {"lambda": 50.0} and result["ease"].score == 0.3
    assert tuning.tune(["ease"], {"ease": {"lambda": 9.0}}, score, 0)["ease"].tried == []


def test_winner_is_best_ndcg_and_a_near_tie_goes_to_coverage():
    rows = [
        {"name": "a", "ndcg@10": 0.300, "coverage": 0.1},
        {"name": "b", "ndcg@10": 0.297, "coverage": 0.4},  # within 2%: tied, wider coverage
        {"name": "c", "ndcg@10": 0.250, "coverage": 0.9},
    ]
    assert evaluation.pick_winner(rows)["name"] == "b"
    assert evaluation.pick_winner(rows[:1] + rows[2:])["name"] == "a"


# --- the leaderboard --------------------------------------------------------------------------


def test_leaderboard_scores_every_candidate_and_serves_the_best(planted_data):
    weights = core.event_weights(planted_data.kinds, CONFIG.weights)
    result = evaluation.evaluate(
        planted_data.users,
        planted_data.items,
        weights,
        planted_data.timestamps,
        planted_data.n_users,
        planted_data.n_items,
        CONFIG,
        candidates=["als", "item_knn", "ease", "popularity"],
        baseline=True,
    )
    board = {row["name"]: row for row in result["leaderboard"]}
    assert set(board) == {"als", "item_knn", "ease", "popularity", evaluation.PLAIN_ALS}
    served = [row for row in result["leaderboard"] if row["served"]]
    assert len(served) == 1 and served[0]["name"] == result["served"]["name"]
    assert not board[evaluation.PLAIN_ALS]["served"]
    best = max(row["ndcg@10"] for row in result["leaderboard"] if not row.get("reference"))
    assert served[0]["ndcg@10"] >= (1 - evaluation.TIE_TOLERANCE) * best
    assert result["model"]["ndcg@10"] == served[0]["ndcg@10"]
    for name in ("als", "item_knn", "ease"):
        assert board[name]["ndcg@10"] > 1.5 * board["popularity"]["ndcg@10"]
        assert board[name]["capped_recall@10"] >= board[name]["recall@10"]
        assert board[name]["fit_s"] >= 0


# --- a run ------------------------------------------------------------------------------------


def test_run_serves_the_winner_and_its_lists_name_history_items(shop, planted):
    run = run_now(shop, candidates=["item_knn"], tuning_budget_s=0)
    assert run.job.status == "succeeded", run.job.error
    assert run.metrics["served"]["name"] == "item_knn"
    assert [row["name"] for row in run.metrics["leaderboard"]] == ["item_knn"]
    stored = CustomerRecommendation.objects.filter(run=run).select_related("customer")
    because = 0
    for row in stored:
        history = set(
            Interaction.objects.filter(customer=row.customer).values_list("product_id", flat=True)
        )
        for item in row.items:
            assert item["r"] and item["t"]
            if item["r"] == "because_you":
                because += 1
                assert item["via"] in history
    assert because > 0


def test_unknown_candidate_is_refused(shop):
    with pytest.raises(services.RecommendationError, match="Unknown candidate"):
        services.update_settings(shop, {"candidates": ["als", "deep_magic"]})
    with pytest.raises(services.RecommendationError, match="half-life"):
        services.update_settings(shop, {"recency_half_life_days": -3})


def test_page_and_api_show_the_leaderboard(shop, planted, owner_client, viewer_api):
    run = run_now(shop, candidates=["item_knn", "popularity"], tuning_budget_s=0)
    body = owner_client.get(reverse("recommendations:run_detail", args=[run.pk])).content.decode()
    assert "Candidate models" in body and "item_knn" in body and "served" in body
    detail = viewer_api.get(f"{BASE}/runs/{run.pk}/").json()
    names = [row["name"] for row in detail["leaderboard"]]
    assert names == ["item_knn", "popularity"]
    assert detail["served_model"]["name"] in names
    assert sum(row["served"] for row in detail["leaderboard"]) == 1


def test_outsider_cannot_see_another_shops_leaderboard(shop, outsider_client, outsider_api):
    run = services.start_run(shop)
    RecommendationRun.objects.filter(pk=run.pk).update(
        metrics={
            "leaderboard": [{"name": "ease", "params": {}, "ndcg@10": 0.5, "served": True}],
            "served": {"name": "ease", "params": {}},
        }
    )
    page = outsider_client.get(reverse("recommendations:run_detail", args=[run.pk]))
    assert page.status_code == 404 and "ease" not in page.content.decode()
    response = outsider_api.get(f"{BASE}/runs/{run.pk}/")
    assert response.status_code == 404
    listed = outsider_api.get(f"{BASE}/runs/").json()["results"]
    assert all(row["id"] != run.pk for row in listed)
