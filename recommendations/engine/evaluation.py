"""Offline evaluation on a temporal hold-out, the model beside a popularity baseline.

The last `holdout` share of the interactions (by time) is held out. The model is trained on the
rest with the same settings as a real run; both it and the popularity baseline recommend k items
per evaluated customer (customers with history before the cut and new items after it), excluding
what the customer already had before the cut.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from recommendations import metrics
from recommendations.engine.core import (
    EngineConfig,
    Ranker,
    confidence_matrix,
    normalize_rows,
    popularity_counts,
    train_als,
)

METRIC_NAMES = (
    "ndcg@10",
    "recall@10",
    "map@10",
    "coverage",
    "diversity",
    "novelty",
    "long_tail_share",
)


def evaluate(
    users: np.ndarray,
    items: np.ndarray,
    weights: np.ndarray,
    timestamps: np.ndarray,
    n_users: int,
    n_items: int,
    config: EngineConfig,
    *,
    embeddings: np.ndarray | None = None,
    holdout: float = 0.2,
    k: int = 10,
    max_users: int = 5000,
    seed: int = 0,
) -> dict:
    """Returns {"model": {...}, "popularity": {...}, "split": {...}} (metric name -> value)."""
    if len(users) < 10:
        return {"error": "Too few interactions to evaluate (need at least 10)."}
    cutoff = float(np.quantile(timestamps, 1.0 - holdout))
    train = timestamps < cutoff
    if train.sum() == 0 or (~train).sum() == 0:
        return {"error": "All interactions share one timestamp; no temporal hold-out possible."}
    train_matrix = confidence_matrix(users[train], items[train], weights[train], n_users, n_items)
    test_sets: dict[int, set[int]] = {}
    has_train = np.diff(train_matrix.indptr) > 0
    for user, item in zip(users[~train], items[~train], strict=True):
        user, item = int(user), int(item)
        if not has_train[user]:
            continue
        lo, hi = train_matrix.indptr[user], train_matrix.indptr[user + 1]
        if item in train_matrix.indices[lo:hi]:
            continue
        test_sets.setdefault(user, set()).add(item)
    eval_users = np.array(sorted(test_sets), dtype=np.int64)
    if len(eval_users) > max_users:
        eval_users = np.sort(np.random.default_rng(seed).choice(eval_users, max_users, False))
    split = {
        "cutoff": cutoff,
        "train_interactions": int(train.sum()),
        "test_interactions": int((~train).sum()),
        "evaluated_customers": int(len(eval_users)),
        "k": k,
    }
    if len(eval_users) == 0:
        return {"error": "No customer has interactions on both sides of the cut.", "split": split}

    started = time.perf_counter()
    user_factors, item_factors = train_als(train_matrix, config)
    split["train_seconds"] = round(time.perf_counter() - started, 3)
    popularity = popularity_counts(train_matrix)
    ranker = Ranker(item_factors, embeddings, config, popularity=popularity)
    hist = train_matrix[eval_users]
    model_top = ranker.top_items(user_factors[eval_users], hist, k, exclude_seen="all")

    pop_top = popular_unseen(popularity, hist, k)

    vectors = embeddings if embeddings is not None else normalize_rows(item_factors)
    n_train_users = int(has_train.sum())
    pop_map = {i: float(c) for i, c in enumerate(popularity)}
    tail = metrics.long_tail_items(pop_map, range(n_items))
    relevant = [test_sets[int(u)] for u in eval_users]
    result = {
        "model": _score(model_top, relevant, vectors, pop_map, n_train_users, tail, n_items, k),
        "popularity": _score(pop_top, relevant, vectors, pop_map, n_train_users, tail, n_items, k),
        "split": split,
    }
    result["split"]["diversity_space"] = "embeddings" if embeddings is not None else "als_factors"
    return result


def popular_unseen(popularity: np.ndarray, hist: sp.csr_matrix, k: int) -> np.ndarray:
    """The popularity baseline: the k most popular items each user has not had yet."""
    order = np.argsort(-popularity, kind="stable")
    out = np.full((hist.shape[0], k), -1, dtype=np.int64)
    for row in range(hist.shape[0]):
        seen = set(hist.indices[hist.indptr[row] : hist.indptr[row + 1]].tolist())
        picked = 0
        for item in order:
            if item not in seen:
                out[row, picked] = item
                picked += 1
                if picked == k:
                    break
    return out


def _score(top, relevant, vectors, pop_map, n_users, tail, n_items, k) -> dict:
    lists = [[int(i) for i in row if i >= 0] for row in top]
    return {
        "ndcg@10": _mean(
            metrics.ndcg_at_k(r, rel, k) for r, rel in zip(lists, relevant, strict=True)
        ),
        "recall@10": _mean(
            metrics.recall_at_k(r, rel, k) for r, rel in zip(lists, relevant, strict=True)
        ),
        "map@10": _mean(
            metrics.average_precision_at_k(r, rel, k)
            for r, rel in zip(lists, relevant, strict=True)
        ),
        "coverage": round(metrics.catalog_coverage(lists, n_items), 4),
        "diversity": round(metrics.mean_intra_list_diversity(lists, vectors), 4),
        "novelty": round(metrics.novelty(lists, pop_map, n_users), 4),
        "long_tail_share": round(metrics.long_tail_share(lists, tail), 4),
    }


def _mean(values) -> float:
    values = list(values)
    return round(float(np.mean(values)), 4) if values else 0.0
