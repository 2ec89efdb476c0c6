"""The array-level recommender: quality on planted taste groups, fold-in, reasons, item lists."""

import numpy as np
import pytest

from recommendations.engine import core
from recommendations.engine.evaluation import evaluate
from recommendations.engine.item_lists import bought_together, similar_items
from recommendations.engine.synthetic import planted_groups

CONFIG = core.EngineConfig(factors=16, iterations=10, content_weight=0.0)


@pytest.fixture(scope="module")
def data():
    return planted_groups(400, 200, 8000, n_groups=5, seed=3)


@pytest.fixture(scope="module")
def trained(data):
    weights = core.event_weights(data.kinds, CONFIG.weights)
    matrix = core.confidence_matrix(data.users, data.items, weights, data.n_users, data.n_items)
    user_factors, item_factors = core.train_als(matrix, CONFIG)
    return matrix, user_factors, item_factors


def test_model_clearly_beats_popularity_on_planted_taste_groups(data):
    weights = core.event_weights(data.kinds, CONFIG.weights)
    result = evaluate(
        data.users, data.items, weights, data.timestamps, data.n_users, data.n_items, CONFIG
    )
    model, popularity = result["model"], result["popularity"]
    assert result["split"]["evaluated_customers"] > 100
    assert model["ndcg@10"] > 2 * popularity["ndcg@10"]
    assert model["recall@10"] > 2 * popularity["recall@10"]
    assert model["coverage"] > popularity["coverage"]


def test_recommendations_stay_in_the_customers_taste_group(data, trained):
    matrix, user_factors, item_factors = trained
    ranker = core.Ranker(item_factors, None, CONFIG, popularity=core.popularity_counts(matrix))
    recs = core.recommend_all(ranker, user_factors[:50], matrix[:50], 10)
    same_group = [
        data.item_group[rec.item] == data.user_group[user]
        for user, user_recs in enumerate(recs)
        for rec in user_recs
    ]
    # chance would be 1 in 5 groups
    assert np.mean(same_group) > 0.5


def test_every_item_has_a_reason_and_the_driver_is_in_the_history(trained):
    matrix, user_factors, item_factors = trained
    ranker = core.Ranker(item_factors, None, CONFIG, popularity=core.popularity_counts(matrix))
    for user, user_recs in enumerate(core.recommend_all(ranker, user_factors, matrix, 10)[:40]):
        history = set(matrix[user].indices.tolist())
        assert len(user_recs) == 10
        for rec in user_recs:
            assert rec.reason in ("because_you", "similar_to", "popular_in_category", "popular")
            if rec.reason == "because_you":
                assert rec.via in history


def test_fold_in_of_a_new_user_matches_their_taste(data, trained):
    matrix, _, item_factors = trained
    ranker = core.Ranker(item_factors, None, CONFIG, popularity=core.popularity_counts(matrix))
    group = 2
    touched = np.array([i for i in range(data.n_items) if data.item_group[i] == group][:3])
    recs = ranker.recommend(touched, np.ones(len(touched), np.float32), 10)
    assert sum(data.item_group[rec.item] == group for rec in recs) >= 8
    assert not {rec.item for rec in recs} & set(touched.tolist())
    assert all(rec.via in touched.tolist() for rec in recs if rec.reason == "because_you")


def test_unavailable_items_are_never_ranked(trained):
    matrix, user_factors, item_factors = trained
    available = np.ones(item_factors.shape[0], bool)
    available[::2] = False
    ranker = core.Ranker(
        item_factors, None, CONFIG, available=available, popularity=core.popularity_counts(matrix)
    )
    for user_recs in core.recommend_all(ranker, user_factors[:30], matrix[:30], 20):
        assert all(rec.item % 2 == 1 for rec in user_recs)


def test_seen_items_are_filtered_unless_repurchasable(trained):
    matrix, user_factors, item_factors = trained
    history = set(matrix[0].indices.tolist())
    plain = core.Ranker(item_factors, None, CONFIG)
    recs = core.recommend_all(plain, user_factors[:1], matrix[:1], 50)[0]
    assert not {rec.item for rec in recs} & history
    repurchasable = np.ones(item_factors.shape[0], bool)
    again = core.Ranker(item_factors, None, CONFIG, repurchasable=repurchasable)
    recs = core.recommend_all(again, user_factors[:1], matrix[:1], 50)[0]
    assert {rec.item for rec in recs} & history


def test_brand_new_user_gets_popular_items_with_a_reason(trained):
    matrix, _, item_factors = trained
    popularity = core.popularity_counts(matrix)
    ranker = core.Ranker(item_factors, None, CONFIG, popularity=popularity)
    recs = ranker.recommend(np.array([], dtype=np.int64), np.array([]), 5)
    assert [rec.item for rec in recs] == list(np.argsort(-popularity, kind="stable")[:5])
    assert {rec.reason for rec in recs} == {"popular"}


def test_content_only_items_are_found_through_embeddings():
    # item 3 has no interactions (zero factors) but the same embedding as item 0
    factors = np.array([[1, 0], [0.9, 0.1], [0, 1], [0, 0]], dtype=np.float32)
    embeddings = np.array([[1, 0], [0, 1], [0, 1], [1, 0]], dtype=np.float32)
    lists = similar_items(factors, embeddings, np.ones(4, bool), 2, content_weight=0.5)
    assert lists[0][0].item == 3 and lists[0][0].reason == "similar_to"
    assert lists[3][0].item == 0


def test_bought_together_ranks_by_co_purchase_count():
    import scipy.sparse as sp

    # users 0-2 bought items 0 and 1; user 3 bought 0 and 2; item 3 never with 0
    rows = [0, 0, 1, 1, 2, 2, 3, 3, 3]
    cols = [0, 1, 0, 1, 0, 1, 0, 2, 3]
    purchases = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(4, 4))
    lists = bought_together(purchases, np.ones(4, bool), 5, min_support=1)
    assert [rec.item for rec in lists[0]] == [1, 2, 3]
    assert lists[0][0].score == 3.0 and lists[0][0].reason == "bought_together"
    assert bought_together(purchases, np.ones(4, bool), 5, min_support=2)[0][0].item == 1


def test_top_n_rows_pads_when_too_few_items_qualify():
    scores = np.array([[0.5, -np.inf, 0.9]], dtype=np.float32)
    assert core.top_n_rows(scores, 4).tolist() == [[2, 0, -1, -1]]


def test_a_warm_start_reaches_the_cold_fits_hold_out_quality_in_few_iterations(data):
    """A fit started from the item factors of a cold fit on 98% of the training side, for
    `warm_iterations` iterations, scores as cold fits do on the hold-out (no worse than the
    worst of three seeds, within half a point) and keeps that start's item factors nearly (a
    cold fit lands in another rotation of the factor space)."""
    from recommendations import metrics
    from recommendations.engine.evaluation import temporal_split

    config = core.EngineConfig(factors=16, iterations=10, content_weight=0.0)
    assert core.warm_iterations(config.iterations) == 2
    weights = core.event_weights(data.kinds, config.weights)
    split = temporal_split(
        data.users, data.items, weights, data.timestamps, data.n_users, data.n_items
    )
    earlier = split.train & (np.random.default_rng(1).random(len(split.train)) > 0.02)
    before = core.confidence_matrix(
        data.users[earlier], data.items[earlier], weights[earlier], data.n_users, data.n_items
    )

    def seeded(seed):
        return core.EngineConfig(**{**config.as_dict(), "random_state": seed})

    _, start = core.train_als(before, seeded(5))

    def ndcg(user_factors, item_factors):
        ranker = core.Ranker(item_factors, None, config)
        hist = split.matrix[split.eval_users]
        top = ranker.top_items(user_factors[split.eval_users], hist, 10, exclude_seen="all")
        lists = [[int(i) for i in row if i >= 0] for row in top]
        pairs = zip(lists, split.relevant, strict=True)
        return np.mean([metrics.ndcg_at_k(r, rel, 10) for r, rel in pairs])

    def closeness(item_factors):
        used = np.abs(start).sum(axis=1) > 0
        a, b = core.normalize_rows(item_factors[used]), core.normalize_rows(start[used])
        return float(np.mean(np.sum(a * b, axis=1)))

    cold_fits = [core.train_als(split.matrix, seeded(seed)) for seed in (7, 11, 42)]
    warm_fit = core.train_als(split.matrix, config, warm_items=start)
    assert ndcg(*warm_fit) >= min(ndcg(*fit) for fit in cold_fits) - 0.005
    assert closeness(warm_fit[1]) > 0.9 > 0.5 > max(closeness(fit[1]) for fit in cold_fits)
