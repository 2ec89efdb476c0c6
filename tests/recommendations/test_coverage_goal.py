"""The coverage goal and the evaluation of what is served (re-ranked lists)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from django.template.loader import render_to_string

from recommendations.engine import core, coverage_goal, evaluation
from recommendations.engine.rerank import RerankConfig, knob_errors, popularity_prior
from recommendations.engine.synthetic import planted_groups
from recommendations.templatetags.recommendations_leaderboard import run_leaderboard
from tests.recommendations.conftest import run_now

BASE = "/api/v1/recommendations"
CONFIG = core.EngineConfig(factors=16, iterations=10, content_weight=0.0)


@pytest.fixture(scope="module")
def planted_data():
    return planted_groups(300, 150, 6000, n_groups=5, seed=11)


def _scores(n_users=100, n_items=50, groups=5, taste=0.3):
    """Everyone scores popular (low index) items higher; each user also likes their group's."""
    group_of_item = np.arange(n_items) * groups // n_items
    group_of_user = np.arange(n_users) % groups
    scores = np.tile(1.0 - np.arange(n_items, dtype=np.float32) / n_items, (n_users, 1))
    scores += taste * (group_of_item[None, :] == group_of_user[:, None])
    prior = popularity_prior(np.round(1000 * 0.85 ** np.arange(n_items)).astype(np.float32))
    return scores.astype(np.float32), group_of_item, group_of_user, prior


# --- the search -------------------------------------------------------------------------------


def test_ladder_goes_from_mild_to_strong_above_the_shops_own_setting():
    steps = coverage_goal.ladder(RerankConfig(popularity_penalty=0.2))
    assert steps[0] == RerankConfig(popularity_penalty=0.3)
    assert all(step.popularity_penalty >= 0.2 for step in steps)
    first_diverse = next(i for i, step in enumerate(steps) if step.diversity > 0)
    penalties = [step.popularity_penalty for step in steps[:first_diverse]]
    assert penalties == sorted(penalties) and penalties[-1] == 1.0
    assert RerankConfig(popularity_penalty=0.2) not in steps


def test_search_takes_the_mildest_setting_that_reaches_the_target():
    scores, group_of_item, group_of_user, prior = _scores()
    relevant = [set(np.flatnonzero(group_of_item == g).tolist()) for g in group_of_user]
    result = coverage_goal.search(scores, relevant, 5, RerankConfig(), 0.25, prior=prior)
    assert result["reached"] is True
    tried = result["tried"]
    assert tried[0]["coverage"] < 0.25  # plain lists: everyone gets the same popular items
    assert tried[-1]["coverage"] >= 0.25
    assert all(row["coverage"] < 0.25 for row in tried[1:-1])
    assert result["popularity_penalty"] == tried[-1]["popularity_penalty"] > 0
    assert result["validation"]["coverage"] >= 0.25
    assert result["validation"]["coverage_ceiling"] == 1.0


def test_search_never_pays_more_ndcg_than_the_tolerance():
    scores, _, _, prior = _scores(taste=0.05)
    # The truth is the popular items: pushing them down costs NDCG.
    relevant = [set(range(5)) for _ in range(scores.shape[0])]
    result = coverage_goal.search(
        scores, relevant, 5, RerankConfig(), 0.9, prior=prior, tolerance=0.05
    )
    assert result["reached"] is False
    floor = result["validation"]["ndcg@10_before"] * 0.95
    assert result["validation"]["ndcg@10"] >= floor - 1e-4
    assert any(row["ndcg@10"] < floor for row in result["tried"])  # stronger ones were tried


def test_goal_above_the_ceiling_asks_for_the_ceiling():
    scores, group_of_item, group_of_user, prior = _scores(n_users=4, n_items=50)
    relevant = [set(np.flatnonzero(group_of_item == g).tolist()) for g in group_of_user]
    result = coverage_goal.search(scores, relevant, 5, RerankConfig(), 0.9, prior=prior)
    assert result["validation"]["coverage_ceiling"] == pytest.approx(4 * 5 / 50)


# --- the evaluation ---------------------------------------------------------------------------


def _evaluate(data, config, **kwargs):
    weights = core.event_weights(data.kinds, config.weights)
    return evaluation.evaluate(
        data.users,
        data.items,
        weights,
        data.timestamps,
        data.n_users,
        data.n_items,
        config,
        candidates=["item_knn", "popularity"],
        **kwargs,
    )


def test_leaderboard_reports_the_lists_as_served(planted_data):
    plain = _evaluate(planted_data, CONFIG)
    config = core.EngineConfig(**{**CONFIG.as_dict(), "popularity_penalty": 0.8})
    served = _evaluate(planted_data, config)
    assert served["served"]["rerank"]["popularity_penalty"] == 0.8
    before = {row["name"]: row for row in plain["leaderboard"]}
    for row in served["leaderboard"]:
        assert row["reranked"] is True
        # Relevance order is what the plain run measured; the top level is the re-ranked lists.
        assert row["relevance_order"]["ndcg@10"] == before[row["name"]]["ndcg@10"]
        assert row["relevance_order"]["coverage"] == before[row["name"]]["coverage"]
    winner = next(row for row in served["leaderboard"] if row["served"])
    assert winner["long_tail_share"] > winner["relevance_order"]["long_tail_share"]
    assert served["model"]["coverage"] == winner["coverage"]
    assert "coverage_goal" not in served["served"]  # target 0: off
    assert "relevance_order" not in plain["leaderboard"][0]


def test_coverage_goal_is_chosen_without_reading_the_hold_out(planted_data):
    config = core.EngineConfig(**{**CONFIG.as_dict(), "coverage_target": 0.9})
    cutoff = float(np.quantile(planted_data.timestamps, 0.8))
    first = _evaluate(planted_data, config, cutoff=cutoff, max_users=60)
    goal = first["served"]["coverage_goal"]
    assert goal["target"] == 0.9 and "skipped" not in goal
    assert goal["validation"]["coverage_customers"] == 60  # as many as the hold-out evaluates
    rerank = first["served"]["rerank"]
    assert (rerank["popularity_penalty"], rerank["diversity"]) == (
        goal["popularity_penalty"],
        goal["diversity"],
    )
    # Other items after the cut: the hold-out's figures change, the goal's choice does not.
    after = planted_data.timestamps >= cutoff
    items = planted_data.items.copy()
    rng = np.random.default_rng(5)
    items[after] = rng.integers(0, planted_data.n_items, int(after.sum()))
    other = SimpleNamespace(**{**vars(planted_data), "items": items})
    second = _evaluate(other, config, cutoff=cutoff, max_users=60)
    timeless = {name: value for name, value in goal.items() if name != "seconds"}
    again = second["served"]["coverage_goal"]
    assert {name: value for name, value in again.items() if name != "seconds"} == timeless
    assert second["model"]["ndcg@10"] != first["model"]["ndcg@10"]


def test_served_config_takes_the_chosen_knobs():
    metrics = {
        "served": {"rerank": {"diversity": 0.2, "category_cap": 3, "popularity_penalty": 0.6}}
    }
    config = evaluation.served_config(core.EngineConfig(), metrics)
    assert (config.diversity, config.category_cap, config.popularity_penalty) == (0.2, 3, 0.6)
    assert evaluation.served_config(CONFIG, {}) is CONFIG


# --- settings, page and API -------------------------------------------------------------------


def test_coverage_target_rule():
    assert knob_errors(coverage_target=0.35) == {}
    assert knob_errors(coverage_target=0) == {}
    assert set(knob_errors(coverage_target=1.5)) == {"coverage_target"}
    assert set(knob_errors(coverage_target="high")) == {"coverage_target"}


def test_api_sets_the_coverage_target_and_refuses_bad_ones(shop, editor_api, viewer_api):
    assert viewer_api.get(f"{BASE}/settings/").json()["coverage_target"] == 0.35
    ok = editor_api.patch(f"{BASE}/settings/", {"coverage_target": 0.5}, format="json")
    assert ok.status_code == 200
    assert viewer_api.get(f"{BASE}/settings/").json()["coverage_target"] == 0.5
    bad = editor_api.patch(f"{BASE}/settings/", {"coverage_target": 1.5}, format="json")
    assert bad.status_code == 400 and "coverage_target" in bad.content.decode()


def test_run_page_and_api_name_the_goal(shop, planted, owner_client, viewer_api):
    from django.urls import reverse

    run = run_now(
        shop,
        candidates=["item_knn"],
        tuning_budget_s=0,
        coverage_target=0.5,
        popularity_penalty=0.2,
    )
    assert run.job.status == "succeeded", run.job.error
    served = run.metrics["served"]
    assert served["rerank"]["popularity_penalty"] >= 0.2
    assert served["coverage_goal"]["target"] == 0.5
    detail = viewer_api.get(f"{BASE}/runs/{run.pk}/").json()
    assert detail["coverage_goal"]["target"] == 0.5
    assert detail["served_model"]["rerank"] == served["rerank"]
    assert detail["leaderboard"][0]["reranked"] is True
    body = owner_client.get(reverse("recommendations:run_detail", args=[run.pk])).content.decode()
    assert "Coverage goal 0.5" in body and "Before re-ranking" in body


def test_fold_in_uses_the_knobs_the_lists_were_stored_with(shop, planted):
    from recommendations import serving
    from recommendations.models import RecommendationRun

    run = run_now(shop, candidates=["als"], tuning_budget_s=0, coverage_target=0)
    chosen = {"diversity": 0.2, "category_cap": None, "popularity_penalty": 0.7}
    metrics = {**run.metrics, "served": {**run.metrics["served"], "rerank": chosen}}
    RecommendationRun.objects.filter(pk=run.pk).update(metrics=metrics)
    run.refresh_from_db()
    serving._cache.pop(run.pk, None)
    config = serving.run_artifacts(run).ranker.config
    assert (config.diversity, config.popularity_penalty) == (0.2, 0.7)
    assert run.settings["popularity_penalty"] == 0.0


def test_leaderboard_partial_words_the_goals_choice_and_cost():
    metrics = {
        "split": {"coverage_ceiling": 1.0},
        "leaderboard": [
            {
                "name": "ease",
                "params": {},
                "served": True,
                "reranked": True,
                "ndcg@10": 0.17,
                "coverage": 0.4,
                "relevance_order": {"ndcg@10": 0.18, "coverage": 0.2},
            }
        ],
        "served": {
            "name": "ease",
            "rerank": {"popularity_penalty": 0.3, "diversity": 0.0, "category_cap": None},
            "coverage_goal": {
                "target": 0.35,
                "reached": True,
                "tolerance": 0.05,
                "popularity_penalty": 0.3,
                "diversity": 0.0,
                "validation": {
                    "coverage_before": 0.2,
                    "coverage": 0.36,
                    "coverage_customers": 500,
                    "coverage_ceiling": 1.0,
                    "ndcg@10_before": 0.18,
                    "ndcg@10": 0.177,
                    "ndcg_cost": 0.0167,
                },
            },
        },
    }
    html = render_to_string(
        "recommendations/_leaderboard.html", run_leaderboard(SimpleNamespace(metrics=metrics))
    )
    assert "Coverage goal 0.35: reached with popularity penalty 0.3" in html
    assert "cost 1.7%" in html and "0.18 / 0.2" in html and "ceiling 1.0" in html


def test_settings_form_saves_the_target_and_refuses_bad_ones(shop):
    from recommendations.forms import RecommenderSettingsForm
    from recommendations.services import get_settings

    initial = RecommenderSettingsForm.for_settings(get_settings(shop)).initial
    assert initial["coverage_target"] == 0.35
    data = {name: value for name, value in initial.items() if value is not None}
    data.update(repurchasable_categories="", repurchasable_tags="", coverage_target=0.5)
    form = RecommenderSettingsForm(data=data)
    assert form.is_valid(), form.errors
    assert form.settings_fields()["coverage_target"] == 0.5
    data["coverage_target"] = 2
    bad = RecommenderSettingsForm(data=data)
    assert not bad.is_valid() and "coverage_target" in bad.errors


def test_search_stops_when_its_time_budget_is_spent():
    scores, _, group_of_user, prior = _scores()
    relevant = [set(np.flatnonzero(np.arange(50) * 5 // 50 == g)[:3]) for g in group_of_user]
    full = coverage_goal.search(scores, relevant, 10, RerankConfig(), 0.9, prior=prior)
    assert not full["stopped"] and len(full["tried"]) > 1
    cut = coverage_goal.search(scores, relevant, 10, RerankConfig(), 0.9, prior=prior, budget_s=0)
    assert len(cut["tried"]) == 1 and "budget" in cut["stopped"]
    assert cut["popularity_penalty"] == 0.0  # nothing else measured: the shop's own setting
