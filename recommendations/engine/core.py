"""The hybrid recommender on plain arrays: ALS (implicit) + content similarity + fallbacks.

Indices here are positions (0..n_users-1, 0..n_items-1); the services map them to database ids.
Nothing in this module touches Django, so the benchmark and the CSV evaluation use it directly.

A recommendation is a `Rec(item, score, reason, via)`:
- "because_you": the ALS score of the item is mostly due to history item `via` (the model's own
  explanation: contribution c_j * y_i' W_u y_j, as in implicit's `explain`);
- "similar_to": the content (embedding) part dominates; `via` is the closest history item;
- "popular_in_category": fallback, popular in the category of the customer's history (via = None);
- "popular": fallback for customers with no usable history.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

log = logging.getLogger(__name__)

NEG = np.float32(-np.inf)


# Confidence added per interaction kind (implicit feedback): the one copy of the defaults, read by
# the engine, the shop's settings model and the settings form.
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {"view": 1.0, "cart": 3.0, "purchase": 5.0, "rating": 2.0}


def default_weights() -> dict[str, float]:
    return dict(DEFAULT_EVENT_WEIGHTS)


# Candidate models a run trains and compares (recommendations.engine.candidates names them).
DEFAULT_CANDIDATES: tuple[str, ...] = ("als", "bpr", "item_knn", "ease", "popularity")


def default_candidates() -> list[str]:
    return list(DEFAULT_CANDIDATES)


@dataclass
class EngineConfig:
    weights: dict[str, float] = field(default_factory=default_weights)
    content_weight: float = 0.3
    top_n: int = 20
    factors: int = 64
    iterations: int = 15
    regularization: float = 0.05
    alpha: float = 2.0
    random_state: int = 42

    @classmethod
    def from_dict(cls, values: dict) -> EngineConfig:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def as_dict(self) -> dict:
        return asdict(self)


class Rec(NamedTuple):
    item: int
    score: float
    reason: str
    via: int | None


def event_weights(kinds: np.ndarray | list[str], weights: dict[str, float]) -> np.ndarray:
    return np.array([float(weights.get(str(kind), 0.0)) for kind in kinds], dtype=np.float32)


def confidence_matrix(
    users: np.ndarray, items: np.ndarray, weights: np.ndarray, n_users: int, n_items: int
) -> sp.csr_matrix:
    """Users x items confidence: log(1 + summed event weights), so that repeats saturate."""
    matrix = sp.csr_matrix(
        (np.asarray(weights, dtype=np.float32), (users, items)), shape=(n_users, n_items)
    )
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.data = np.log1p(matrix.data).astype(np.float32)
    return matrix


def use_gpu() -> bool:
    try:
        import implicit.gpu

        return bool(implicit.gpu.HAS_CUDA)
    except Exception:  # pragma: no cover - implicit built without CUDA
        return False


def train_als(matrix: sp.csr_matrix, config: EngineConfig) -> tuple[np.ndarray, np.ndarray]:
    """Fit implicit's ALS on a users x items confidence matrix; returns CPU float32 factors."""
    import warnings

    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    gpu = use_gpu()
    with warnings.catch_warnings():
        # implicit warns about the BLAS threadpool; the fit below runs with it limited to 1.
        warnings.simplefilter("ignore", RuntimeWarning)
        model = AlternatingLeastSquares(
            factors=config.factors,
            regularization=config.regularization,
            alpha=config.alpha,
            iterations=config.iterations,
            random_state=config.random_state,
            use_gpu=gpu,
        )
    # implicit runs its own threads; a BLAS threadpool underneath only slows it down.
    with threadpool_limits(1, "blas"):
        model.fit(matrix, show_progress=False)
    if gpu:
        model = model.to_cpu()
    return (
        np.ascontiguousarray(model.user_factors, dtype=np.float32),
        np.ascontiguousarray(model.item_factors, dtype=np.float32),
    )


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-9)).astype(np.float32)


class Ranker:
    """Ranks items for one user or many from trained item factors and item embeddings.

    `available[i]` False (out of stock, discontinued, deleted) means never recommended;
    `repurchasable[i]` True lets an item the user already has come back.
    """

    def __init__(
        self,
        item_factors: np.ndarray,
        embeddings: np.ndarray | None,
        config: EngineConfig,
        *,
        available: np.ndarray | None = None,
        repurchasable: np.ndarray | None = None,
        popularity: np.ndarray | None = None,
        categories: list[str] | None = None,
    ):
        self.config = config
        self.V = np.asarray(item_factors, dtype=np.float32)
        n_items = self.V.shape[0]
        self.E = None if embeddings is None else np.asarray(embeddings, dtype=np.float32)
        self.w = float(config.content_weight) if self.E is not None else 0.0
        self.available = np.ones(n_items, bool) if available is None else available.astype(bool)
        self.repurchasable = (
            np.zeros(n_items, bool) if repurchasable is None else repurchasable.astype(bool)
        )
        self.popularity = (
            np.zeros(n_items, np.float32) if popularity is None else popularity.astype(np.float32)
        )
        self.categories = categories or [""] * n_items
        self._YtY = self.V.T @ self.V
        self._popular_order = np.argsort(-self.popularity, kind="stable")

    # --- the ALS user system (same equations as implicit's least squares) -------------------

    def _user_system(self, items: np.ndarray, conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = conf.astype(np.float32) * np.float32(self.config.alpha)
        Y = self.V[items]
        A = self._YtY + self.config.regularization * np.eye(self.V.shape[1], dtype=np.float32)
        A = A + (Y.T * (c - 1.0)) @ Y
        b = Y.T @ c
        return A, b

    def fold_in(self, items: np.ndarray, conf: np.ndarray) -> np.ndarray:
        """A user vector for someone not in the training data, from their few interactions."""
        if len(items) == 0:
            return np.zeros(self.V.shape[1], np.float32)
        A, b = self._user_system(items, conf)
        return np.linalg.solve(A, b).astype(np.float32)

    # --- scoring --------------------------------------------------------------------------

    def _scores(
        self, user_vecs: np.ndarray, hist: sp.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Blended scores and their two parts for a block of users (rows of `hist`)."""
        cf = user_vecs @ self.V.T
        top = cf.max(axis=1, keepdims=True)
        cf_part = np.where(top > 1e-9, cf / np.maximum(top, 1e-9), 0.0).astype(np.float32)
        cf_part *= np.float32(1.0 - self.w)
        if self.w > 0:
            profile = normalize_rows(np.asarray(hist @ self.E))
            content_part = (profile @ self.E.T) * np.float32(self.w)
        else:
            content_part = np.zeros_like(cf_part)
        return cf_part + content_part, cf_part, content_part

    def _mask(self, scores: np.ndarray, hist: sp.csr_matrix, exclude_seen: str) -> None:
        scores[:, ~self.available] = NEG
        if exclude_seen == "none":
            return
        for row in range(hist.shape[0]):
            seen = hist.indices[hist.indptr[row] : hist.indptr[row + 1]]
            if exclude_seen == "non_repurchasable":
                seen = seen[~self.repurchasable[seen]]
            scores[row, seen] = NEG

    def top_items(
        self,
        user_vecs: np.ndarray,
        hist: sp.csr_matrix,
        n: int,
        *,
        exclude_seen: str = "non_repurchasable",
        block: int = 512,
    ) -> np.ndarray:
        """Top-n item indices per user (rows), best first; -1 pads where nothing qualifies."""
        n_users = user_vecs.shape[0]
        out = np.full((n_users, n), -1, dtype=np.int64)
        for start in range(0, n_users, block):
            stop = min(start + block, n_users)
            scores, _, _ = self._scores(user_vecs[start:stop], hist[start:stop])
            self._mask(scores, hist[start:stop], exclude_seen)
            out[start:stop] = top_n_rows(scores, n)
        return out

    def recommend(
        self,
        items: np.ndarray,
        conf: np.ndarray,
        n: int,
        user_vec: np.ndarray | None = None,
        *,
        scores_block: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        best: np.ndarray | None = None,
    ) -> list[Rec]:
        """Top-n for one user with a reason for every item; fold-in when `user_vec` is None."""
        items = np.asarray(items, dtype=np.int64)
        conf = np.asarray(conf, dtype=np.float32)
        if len(items) == 0:
            return self.fallback([], n, exclude=set())
        if user_vec is None:
            user_vec = self.fold_in(items, conf)
        if scores_block is None:
            hist = sp.csr_matrix(
                (conf, (np.zeros(len(items), dtype=np.int64), items)), shape=(1, self.V.shape[0])
            )
            total, cf_part, content_part = self._scores(user_vec[None, :], hist)
            self._mask(total, hist, "non_repurchasable")
            total, cf_part, content_part = total[0], cf_part[0], content_part[0]
        else:
            total, cf_part, content_part = scores_block
        if best is None:
            best = top_n_rows(total[None, :], n)[0]
        chosen = [int(i) for i in best if i >= 0]
        chosen = [i for i in chosen if total[i] > 0]
        recs = self._explain(items, conf, user_vec, chosen, total, cf_part, content_part)
        if len(recs) < n:
            taken = {rec.item for rec in recs}
            blocked = set(int(i) for i in items if not self.repurchasable[i])
            recs += self.fallback(list(items), n - len(recs), exclude=taken | blocked)
        return recs

    def _explain(self, items, conf, user_vec, chosen, total, cf_part, content_part) -> list[Rec]:
        if not chosen:
            return []
        chosen_arr = np.asarray(chosen)
        A, _ = self._user_system(items, conf)
        Z = np.linalg.solve(A, self.V[items].T)  # (factors, history)
        cf_contrib = (self.V[chosen_arr] @ Z) * (conf * np.float32(self.config.alpha))[None, :]
        if self.w > 0:
            content_sim = self.E[chosen_arr] @ self.E[items].T
        recs = []
        for row, item in enumerate(chosen):
            if cf_part[item] >= content_part[item] or self.w == 0:
                via = int(items[int(np.argmax(cf_contrib[row]))])
                reason = "because_you"
            else:
                via = int(items[int(np.argmax(content_sim[row]))])
                reason = "similar_to"
            recs.append(Rec(item, float(total[item]), reason, via))
        return recs

    def fallback(self, history: list[int], n: int, *, exclude: set[int]) -> list[Rec]:
        """Popular in the customer's main category first, then popular overall."""
        recs: list[Rec] = []
        if n <= 0:
            return recs
        taken = set(exclude)
        top_category = ""
        if history:
            counts: dict[str, int] = {}
            for item in history:
                category = self.categories[item]
                if category:
                    counts[category] = counts.get(category, 0) + 1
            if counts:
                top_category = max(counts, key=lambda c: (counts[c], c))
        max_pop = float(self.popularity.max()) if len(self.popularity) else 0.0
        if top_category:
            for item in self._popular_order:
                item = int(item)
                if len(recs) >= n:
                    break
                if (
                    self.categories[item] == top_category
                    and self.available[item]
                    and item not in taken
                ):
                    recs.append(
                        Rec(
                            item,
                            _pop_score(self.popularity[item], max_pop),
                            "popular_in_category",
                            None,
                        )
                    )
                    taken.add(item)
        for item in self._popular_order:
            item = int(item)
            if len(recs) >= n:
                break
            if self.available[item] and item not in taken:
                recs.append(Rec(item, _pop_score(self.popularity[item], max_pop), "popular", None))
                taken.add(item)
        return recs


def _pop_score(count: float, max_count: float) -> float:
    return round(0.1 * float(count) / max_count, 6) if max_count > 0 else 0.0


def top_n_rows(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n best finite scores per row, best first; -1 where fewer qualify."""
    n_items = scores.shape[1]
    k = min(n, n_items)
    if k == 0:
        return np.full((scores.shape[0], n), -1, dtype=np.int64)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    best_scores = np.take_along_axis(part_scores, order, axis=1)
    best = np.where(np.isfinite(best_scores), best, -1)
    if k < n:
        best = np.hstack([best, np.full((scores.shape[0], n - k), -1, dtype=np.int64)])
    return best


def popularity_counts(matrix: sp.csr_matrix) -> np.ndarray:
    """Distinct users per item."""
    return np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.float32)


def recommend_all(
    ranker: Ranker,
    user_factors: np.ndarray,
    hist: sp.csr_matrix,
    n: int,
    *,
    block: int = 512,
    progress=None,
) -> list[list[Rec]]:
    """Top-n with reasons for every user row of `hist` (batched scoring, per-user reasons)."""
    n_users = hist.shape[0]
    out: list[list[Rec]] = []
    for start in range(0, n_users, block):
        stop = min(start + block, n_users)
        total, cf_part, content_part = ranker._scores(user_factors[start:stop], hist[start:stop])
        ranker._mask(total, hist[start:stop], "non_repurchasable")
        for offset in range(stop - start):
            row = start + offset
            lo, hi = hist.indptr[row], hist.indptr[row + 1]
            out.append(
                ranker.recommend(
                    hist.indices[lo:hi],
                    hist.data[lo:hi],
                    n,
                    user_factors[row],
                    scores_block=(total[offset], cf_part[offset], content_part[offset]),
                )
            )
        if progress is not None:
            progress(stop)
    return out
