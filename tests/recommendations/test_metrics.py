"""Metric functions against values worked out by hand."""

import math

import numpy as np
import pytest

from recommendations import metrics


def test_ndcg_of_a_perfect_list_is_one_and_of_a_miss_is_zero():
    assert metrics.ndcg_at_k(["a", "b", "x"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert metrics.ndcg_at_k(["x", "y"], {"a"}, 10) == 0.0


def test_ndcg_hand_computed():
    # hits at ranks 2 and 3: DCG = 1/log2(3) + 1/log2(4); ideal (2 relevant) = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert metrics.ndcg_at_k(["x", "a", "b", "y"], {"a", "b"}, 10) == pytest.approx(expected)
    assert expected == pytest.approx(0.6934, abs=1e-4)


def test_ndcg_cuts_at_k():
    assert metrics.ndcg_at_k(["x", "a"], {"a"}, 1) == 0.0


def test_recall_hand_computed():
    assert metrics.recall_at_k(["a", "x", "b"], {"a", "b", "c", "d"}, 10) == 0.5
    assert metrics.recall_at_k(["a", "x", "b"], {"a", "b", "c", "d"}, 2) == 0.25


def test_average_precision_hand_computed():
    # hits at ranks 1 and 3: (1/1 + 2/3) / min(3, 10)
    assert metrics.average_precision_at_k(["a", "x", "b"], {"a", "b", "c"}, 10) == pytest.approx(
        (1 + 2 / 3) / 3
    )
    assert metrics.average_precision_at_k(["x"], set(), 10) == 0.0


def test_catalog_coverage():
    assert metrics.catalog_coverage([[1, 2], [2, 3]], 10) == pytest.approx(0.3)


def test_intra_list_diversity_hand_computed():
    vectors = {"a": [1.0, 0.0], "b": [0.0, 1.0], "c": [1.0, 0.0]}
    # pairs: a-b 0, a-c 1, b-c 0 -> mean cosine 1/3
    assert metrics.intra_list_diversity(["a", "b", "c"], vectors) == pytest.approx(2 / 3)
    assert metrics.intra_list_diversity(["a"], vectors) == 0.0


def test_vectorised_diversity_matches_the_pure_function():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(6, 4))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    lists = [[0, 1, 2], [3, 4, 5]]
    pure = np.mean([metrics.intra_list_diversity(items, vectors.tolist()) for items in lists])
    assert metrics.mean_intra_list_diversity(lists, vectors) == pytest.approx(pure, abs=1e-5)


def test_novelty_hand_computed():
    # 8 users; item a used by 4 (1 bit), item b by 1 (3 bits) -> mean 2 bits
    assert metrics.novelty([["a", "b"]], {"a": 4, "b": 1}, 8) == pytest.approx(2.0)
    # an item nobody used counts as used by one user: log2(8) = 3 bits
    assert metrics.novelty([["z"]], {}, 8) == pytest.approx(3.0)


def test_long_tail_share_hand_computed():
    popularity = {i: 10 - i for i in range(10)}  # item 0 most popular
    tail = metrics.long_tail_items(popularity, range(10))
    assert tail == set(range(2, 10))  # top 20% = items 0 and 1
    assert metrics.long_tail_share([[0, 1, 5, 9]], tail) == 0.5
