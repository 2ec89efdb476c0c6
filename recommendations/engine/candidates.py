"""Candidate models a run trains, compares on its hold-out and serves the best of.

Every candidate is fitted on a users x items confidence matrix (the one `core.confidence_matrix`
builds) and returns a `Scorer`: `scores(user_vecs, hist)` gives a dense block of scores for the
users whose history rows are `hist` (factor models read `user_vecs`, their own user factors;
neighbour models read `hist` only), and `explain(items, conf, chosen)` names for each chosen item
the history item that contributed most to its score (the `via` of a "because_you" reason).
`core.Ranker(..., scorer=...)` ranks, masks, blends content and explains with it.

Candidates:
- als: implicit's ALS on the confidence matrix, or on its BM25 reweighting (`weighting`);
- bpr: implicit's BPR on the binary matrix;
- item_knn: implicit's item-item neighbours, cosine or BM25 (K1, B), K neighbours per item;
- ease: EASE (Steck 2019), closed form on the binary matrix; skipped above `EASE_MAX_ITEMS`
  items (a dense items x items inverse);
- popularity: distinct users per item.

Nothing here touches Django.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

CANDIDATE_NAMES: tuple[str, ...] = ("als", "bpr", "item_knn", "ease", "popularity")
# EASE inverts a dense items x items matrix (float32): 0.4 GB at 10k items, and the inverse is
# cubic: 5k items took 31 s on the shared 2-core development machine, so 10k take ~4 min and 20k
# half an hour (on every fit: tuning, hold-out, serving). Bigger catalogs skip it (leaderboard).
EASE_MAX_ITEMS = 10_000

# Defaults measured on real purchase logs (bench/recommendations_candidates.py), not on the
# synthetic shop: see the README section "Candidate models".
DEFAULT_PARAMS: dict[str, dict] = {
    "als": {"factors": 64, "regularization": 0.05, "alpha": 2.0, "weighting": "confidence"},
    "bpr": {"factors": 64, "learning_rate": 0.01, "regularization": 0.01, "iterations": 100},
    "item_knn": {"similarity": "bm25", "K": 100, "K1": 1.2, "B": 0.75},
    "ease": {"lambda": 200.0},
    "popularity": {},
}

# Tie-break so that users whose history scores nothing still get a ranking (popular first).
_POPULARITY_EPS = np.float32(1e-6)


class SkipCandidate(Exception):
    """A candidate that cannot be fitted on this data (too many items for EASE, too few rows)."""


@dataclass
class Scorer:
    """A fitted candidate. Subclasses fill `scores` and `explain`."""

    name: str
    params: dict
    n_items: int
    popularity: np.ndarray
    user_factors: np.ndarray | None = None  # factor models: one row per user of the fit
    fit_s: float = 0.0

    def _tie_break(self) -> np.ndarray:
        """1e-6 x popularity share: orders items a model scores alike (evaluation only)."""
        top = float(self.popularity.max()) if len(self.popularity) else 0.0
        if top <= 0:
            return np.zeros(self.n_items, np.float32)
        return (self.popularity / np.float32(top) * _POPULARITY_EPS).astype(np.float32)

    def scores(self, user_vecs: np.ndarray, hist: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError

    def explain(self, items: np.ndarray, conf: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """For each chosen item, the history item (from `items`) that drove its score."""
        raise NotImplementedError

    def rows_for(self, n_users: int) -> np.ndarray:
        """User vectors to pass to `scores` for the users of the fitted matrix."""
        if self.user_factors is not None:
            return self.user_factors
        return np.zeros((n_users, 1), np.float32)


@dataclass
class FactorScorer(Scorer):
    item_factors: np.ndarray | None = None
    alpha: float = 1.0
    regularization: float = 0.0

    def scores(self, user_vecs: np.ndarray, hist: sp.csr_matrix) -> np.ndarray:
        return (user_vecs @ self.item_factors.T).astype(np.float32)

    def explain(self, items, conf, chosen) -> np.ndarray:
        V = self.item_factors
        if self.name == "als":
            # implicit's explanation: contribution of history item j to item i's score is
            # c_j * y_i' W_u y_j with W_u the inverse of the user's least-squares system (the
            # same equations as core.Ranker._user_system).
            c = np.asarray(conf, np.float32) * np.float32(self.alpha)
            Y = V[items]
            A = V.T @ V + self.regularization * np.eye(V.shape[1], dtype=np.float32)
            A = A + (Y.T * (c - 1.0)) @ Y
            contrib = (V[chosen] @ np.linalg.solve(A, Y.T)) * c[None, :]
        else:
            unit = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-9)
            contrib = unit[chosen] @ unit[items].T
        return np.asarray(items)[np.argmax(contrib, axis=1)]


@dataclass
class SimilarityScorer(Scorer):
    """Item-item models: score = history row x similarity (sparse for kNN, dense for EASE)."""

    similarity: sp.csr_matrix | np.ndarray | None = None

    def scores(self, user_vecs: np.ndarray, hist: sp.csr_matrix) -> np.ndarray:
        product = hist @ self.similarity
        if sp.issparse(product):
            product = product.toarray()
        return np.asarray(product, dtype=np.float32)

    def explain(self, items, conf, chosen) -> np.ndarray:
        rows = self.similarity[np.asarray(items)]
        block = rows[:, np.asarray(chosen)]
        if sp.issparse(block):
            block = block.toarray()
        contrib = np.asarray(block, np.float32) * np.asarray(conf, np.float32)[:, None]
        return np.asarray(items)[np.argmax(contrib, axis=0)]


@dataclass
class FallbackScorer(Scorer):
    """Serving a popularity winner: no model score, so every slot takes the Ranker's fallback
    (popular in the customer's category, then popular) with its own reason."""

    def scores(self, user_vecs: np.ndarray, hist: sp.csr_matrix) -> np.ndarray:
        return np.zeros((hist.shape[0], self.n_items), np.float32)

    def explain(self, items, conf, chosen) -> np.ndarray:
        return np.full(len(chosen), int(np.asarray(items)[0]), dtype=np.int64)


@dataclass
class TieBroken(Scorer):
    """Evaluation only: `inner`'s scores plus a tiny popularity term, so that a user whose
    history scores nothing is ranked by popularity, as the serving fallback would."""

    inner: Scorer | None = None

    def scores(self, user_vecs: np.ndarray, hist: sp.csr_matrix) -> np.ndarray:
        scores = self.inner.scores(user_vecs, hist)
        scale = np.abs(scores).max(axis=1, keepdims=True) if scores.size else 0.0
        return scores + np.maximum(scale, 1.0) * self._tie_break()

    def explain(self, items, conf, chosen) -> np.ndarray:
        return self.inner.explain(items, conf, chosen)


@dataclass
class PopularityScorer(Scorer):
    def scores(self, user_vecs: np.ndarray, hist: sp.csr_matrix) -> np.ndarray:
        top = float(self.popularity.max()) if len(self.popularity) else 0.0
        row = self.popularity / np.float32(top) if top > 0 else self.popularity
        return np.broadcast_to(row.astype(np.float32), (hist.shape[0], self.n_items)).copy()

    def explain(self, items, conf, chosen) -> np.ndarray:
        # Not reached: the Ranker gives popular items their own reason; kept for the protocol.
        return np.full(len(chosen), int(np.asarray(items)[0]), dtype=np.int64)


# --- fitting ----------------------------------------------------------------------------------


def binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    out = matrix.copy().tocsr()
    out.data = np.ones_like(out.data, dtype=np.float32)
    return out


def bm25(matrix: sp.csr_matrix, K1: float = 100.0, B: float = 0.8) -> sp.csr_matrix:
    """implicit's bm25_weight applied as in its examples (rows = items), returned users x items."""
    from implicit.nearest_neighbours import bm25_weight

    return bm25_weight(matrix.T.tocsr(), K1=K1, B=B).T.tocsr().astype(np.float32)


def _popularity(matrix: sp.csr_matrix) -> np.ndarray:
    return np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.float32)


def _quiet_blas():
    from threadpoolctl import threadpool_limits

    # implicit runs its own threads; a BLAS threadpool underneath only slows it down.
    return threadpool_limits(1, "blas")


def _fit_factors(model_class, settings: dict, train: sp.csr_matrix) -> dict:
    """Fit one of implicit's factor models (on the GPU when there is one): its user and item
    factors as contiguous float32 arrays, for FactorScorer."""
    from recommendations.engine.core import use_gpu

    gpu = use_gpu()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model = model_class(**settings, use_gpu=gpu)
    with _quiet_blas():
        model.fit(train, show_progress=False)
    if gpu:
        model = model.to_cpu()
    return {
        "user_factors": np.ascontiguousarray(model.user_factors, dtype=np.float32),
        "item_factors": np.ascontiguousarray(model.item_factors, dtype=np.float32),
    }


def fit_als(matrix: sp.csr_matrix, params: dict, *, random_state: int = 42) -> FactorScorer:
    from implicit.als import AlternatingLeastSquares

    weighted = bm25(matrix) if params.get("weighting") == "bm25" else matrix
    settings = {
        "factors": int(params.get("factors", 64)),
        "regularization": float(params.get("regularization", 0.05)),
        "alpha": float(params.get("alpha", 1.0)),
        "iterations": int(params.get("iterations", 15)),
        "random_state": random_state,
    }
    return FactorScorer(
        name="als",
        params=dict(params),
        n_items=matrix.shape[1],
        popularity=_popularity(matrix),
        **_fit_factors(AlternatingLeastSquares, settings, weighted),
        alpha=settings["alpha"],
        regularization=settings["regularization"],
    )


def fit_bpr(matrix: sp.csr_matrix, params: dict, *, random_state: int = 42) -> FactorScorer:
    from implicit.bpr import BayesianPersonalizedRanking

    if matrix.nnz < 2:
        raise SkipCandidate("too few interactions for BPR")
    settings = {
        "factors": int(params.get("factors", 64)),
        "learning_rate": float(params.get("learning_rate", 0.01)),
        "regularization": float(params.get("regularization", 0.01)),
        "iterations": int(params.get("iterations", 100)),
        "random_state": random_state,
    }
    return FactorScorer(
        name="bpr",
        params=dict(params),
        n_items=matrix.shape[1],
        popularity=_popularity(matrix),
        **_fit_factors(BayesianPersonalizedRanking, settings, binary(matrix)),
    )


def fit_item_knn(matrix: sp.csr_matrix, params: dict, **_: object) -> SimilarityScorer:
    from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

    K = int(params.get("K", 100))
    if params.get("similarity", "bm25") == "bm25":
        model = BM25Recommender(
            K=K, K1=float(params.get("K1", 1.2)), B=float(params.get("B", 0.75))
        )
    else:
        model = CosineRecommender(K=K)
    with _quiet_blas(), warnings.catch_warnings():
        # implicit's own BM25 weighting hands its fit a COO matrix and then warns about it.
        warnings.simplefilter("ignore")
        model.fit(matrix, show_progress=False)
    similarity = model.similarity.tocsr().astype(np.float32)
    # An item is not its own neighbour: its history weight would otherwise rank it first.
    similarity.setdiag(0)
    similarity.eliminate_zeros()
    return SimilarityScorer(
        name="item_knn",
        params=dict(params),
        n_items=matrix.shape[1],
        popularity=_popularity(matrix),
        similarity=similarity,
    )


def fit_ease(matrix: sp.csr_matrix, params: dict, **_: object) -> SimilarityScorer:
    n_items = matrix.shape[1]
    if n_items > EASE_MAX_ITEMS:
        raise SkipCandidate(f"{n_items:,} items is over the EASE cap of {EASE_MAX_ITEMS:,}")
    X = binary(matrix)
    # float32 and in place: at the cap this is two 1.6 GB matrices, not six.
    gram = (X.T @ X).toarray().astype(np.float32)
    gram[np.diag_indices(n_items)] += np.float32(params.get("lambda", 200.0))
    precision = np.linalg.inv(gram)  # BLAS threads welcome here (no implicit threads around)
    del gram
    diagonal = np.diag(precision).copy()
    precision /= -diagonal[None, :]
    weights = precision
    weights[np.diag_indices(n_items)] = 0.0
    return SimilarityScorer(
        name="ease",
        params=dict(params),
        n_items=n_items,
        popularity=_popularity(matrix),
        similarity=weights.astype(np.float32),
    )


def fit_popularity(matrix: sp.csr_matrix, params: dict, **_: object) -> PopularityScorer:
    return PopularityScorer(
        name="popularity", params={}, n_items=matrix.shape[1], popularity=_popularity(matrix)
    )


FITTERS: dict[str, Callable[..., Scorer]] = {
    "als": fit_als,
    "bpr": fit_bpr,
    "item_knn": fit_item_knn,
    "ease": fit_ease,
    "popularity": fit_popularity,
}


def fit(name: str, matrix: sp.csr_matrix, params: dict | None = None) -> Scorer:
    """Fit candidate `name` with `params` over its defaults; raises SkipCandidate."""
    if name not in FITTERS:
        raise ValueError(f"Unknown candidate model {name!r}; known: {', '.join(FITTERS)}")
    merged = {**DEFAULT_PARAMS[name], **(params or {})}
    clock = time.perf_counter()
    scorer = FITTERS[name](matrix, merged)
    scorer.fit_s = round(time.perf_counter() - clock, 3)
    return scorer


def known(names) -> list[str]:
    """The names in `names` that are candidates, in order, without repeats."""
    out: list[str] = []
    for name in names or ():
        if name in FITTERS and name not in out:
            out.append(name)
    return out


def recency_weights(
    timestamps: np.ndarray, half_life_days: float | None, *, now: float | None = None
) -> np.ndarray:
    """Per-interaction factor 0.5 ** (age / half-life); ones when the half-life is unset."""
    timestamps = np.asarray(timestamps, dtype=np.float64)
    if not half_life_days or half_life_days <= 0 or len(timestamps) == 0:
        return np.ones(len(timestamps), np.float32)
    reference = float(timestamps.max()) if now is None else float(now)
    age_days = np.maximum(reference - timestamps, 0.0) / 86400.0
    return np.power(0.5, age_days / float(half_life_days)).astype(np.float32)


def tie_broken(scorer: Scorer) -> TieBroken:
    return TieBroken(
        name=scorer.name,
        params=scorer.params,
        n_items=scorer.n_items,
        popularity=scorer.popularity,
        user_factors=scorer.user_factors,
        fit_s=scorer.fit_s,
        inner=scorer,
    )


def for_serving(scorer: Scorer) -> Scorer:
    """The scorer the Ranker serves with: popularity becomes the Ranker's own fallback."""
    if isinstance(scorer, PopularityScorer):
        return FallbackScorer(
            name=scorer.name,
            params=scorer.params,
            n_items=scorer.n_items,
            popularity=scorer.popularity,
            fit_s=scorer.fit_s,
        )
    return scorer
