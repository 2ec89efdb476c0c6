"""A small trained engine on planted taste groups, for tests of the list paths."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from recommendations.engine import core
from recommendations.engine.synthetic import planted_groups


class Trained(NamedTuple):
    ranker: core.Ranker
    user_factors: np.ndarray
    item_factors: np.ndarray
    embeddings: np.ndarray | None
    matrix: object


def trained_ranker(
    content: bool,
    *,
    size: tuple[int, int, int] = (300, 120, 6000),
    seed: int = 3,
    rng_seed: int = 0,
    unavailable: float = 0.0,
    **knobs,
) -> Trained:
    """ALS (16 factors, 4 iterations) on `size` = customers x products x interactions; random
    24-d content embeddings when `content`; about `unavailable` of the products out of stock."""
    data = planted_groups(*size, n_groups=6, seed=seed)
    config = core.EngineConfig(factors=16, iterations=4, **knobs)
    weights = core.event_weights(data.kinds, config.weights)
    matrix = core.confidence_matrix(data.users, data.items, weights, data.n_users, data.n_items)
    user_factors, item_factors = core.train_als(matrix, config)
    rng = np.random.default_rng(rng_seed)
    embeddings = (
        core.normalize_rows(rng.normal(size=(data.n_items, 24)).astype(np.float32))
        if content
        else None
    )
    available = rng.random(data.n_items) > unavailable if unavailable else None
    ranker = core.Ranker(
        item_factors,
        embeddings,
        config,
        available=available,
        popularity=core.popularity_counts(matrix),
        categories=[f"g{g}" for g in data.item_group],
    )
    return Trained(ranker, user_factors, item_factors, embeddings, matrix)
