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
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from recommendations.engine.rerank import RerankConfig

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
    # Re-ranking for the shop's goals (recommendations.engine.rerank); all off by default.
    diversity: float = 0.0
    category_cap: int | None = None
    popularity_penalty: float = 0.0
    # Coverage goal (engine/coverage_goal.py): the evaluation picks the mildest stronger
    # re-ranking that reaches this catalog coverage on the validation split; 0 = off.
    coverage_target: float = 0.0

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
    # One lookup per distinct kind, then a C-level map over the events (a run has 100,000s).
    weight_of = {kind: float(weights.get(str(kind), 0.0)) for kind in set(kinds)}
    return np.fromiter(map(weight_of.__getitem__, kinds), np.float32, len(kinds))


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


def train_als(
    matrix: sp.csr_matrix, config: EngineConfig, *, warm_items: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Fit implicit's ALS on a users x items confidence matrix; returns CPU float32 factors.

    `warm_items` (items x factors): start from these item factors, for `warm_iterations`
    iterations instead of the settings' (on the CPU; the GPU fit always starts cold)."""
    import warnings

    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    gpu = use_gpu()
    warm = warm_items is not None and not gpu
    with warnings.catch_warnings():
        # implicit warns about the BLAS threadpool; the fit below runs with it limited to 1.
        warnings.simplefilter("ignore", RuntimeWarning)
        model = AlternatingLeastSquares(
            factors=config.factors,
            regularization=config.regularization,
            alpha=config.alpha,
            iterations=warm_iterations(config.iterations) if warm else config.iterations,
            random_state=config.random_state,
            use_gpu=gpu,
        )
    if warm:
        # implicit initialises only the factors left unset; the users' are solved first.
        model.item_factors = np.array(warm_items, dtype=np.float32)
        model.user_factors = np.zeros((matrix.shape[0], config.factors), np.float32)
    # implicit runs its own threads; a BLAS threadpool underneath only slows it down.
    with threadpool_limits(1, "blas"):
        model.fit(matrix, show_progress=False)
    if gpu:
        model = model.to_cpu()
    return (
        np.ascontiguousarray(model.user_factors, dtype=np.float32),
        np.ascontiguousarray(model.item_factors, dtype=np.float32),
    )


def warm_iterations(iterations: int) -> int:
    """Iterations of a fit started from the item factors of a cold fit on nearly the same data:
    a fifth, at least 2. Hold-out NDCG@10 of such a start (from a fit on 98% of the training
    side) after 3 iterations against cold 15-iteration fits of three seeds (warm_start_quality
    in bench/recommendations_speed.py): 0.2246 against 0.2251-0.2253 on the 4,339 x
    3,665 x 408,000 bench shop; inside the seeds' range on 2,000 x 1,500 x 100,000 and
    20,000 x 5,000 x 200,000 synthetic shops (content blend or not); coverage likewise."""
    return max(2, -(-iterations // 5))


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
        scorer=None,
    ):
        self.config = config
        # The served candidate (recommendations.engine.candidates.Scorer) when it is not the ALS
        # of `item_factors`: it scores and names the `via` item; fold-in stays ALS.
        self.scorer = scorer
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
        self._rerank_inputs: tuple | None = None
        self._scorer_gram: tuple | None = None
        self._als_inverse: np.ndarray | None = None

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
        with one_blas_thread():
            return np.linalg.solve(A, b).astype(np.float32)

    # --- scoring --------------------------------------------------------------------------

    def _scores(
        self, user_vecs: np.ndarray, hist: sp.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Blended scores and their two parts for a block of users (rows of `hist`)."""
        scorer = self.scorer
        cf = user_vecs @ self.V.T if scorer is None else scorer.scores(user_vecs, hist)
        # Few passes over the (users, items) block: it is the bulk of a run's memory traffic.
        top = cf.max(axis=1)
        scale = np.where(top > 1e-9, (1.0 - self.w) / np.maximum(top, 1e-9), 0.0)
        cf_part = np.multiply(cf, scale.astype(np.float32)[:, None], dtype=np.float32)
        flat = scale == 0
        if flat.any():  # no positive score: no collaborative part (and no -inf * 0 = NaN)
            cf_part[flat] = 0.0
        if self.w > 0:
            profile = normalize_rows(np.asarray(hist @ self.E)) * np.float32(self.w)
            content_part = profile @ self.E.T
            return cf_part + content_part, cf_part, content_part
        return cf_part.copy(), cf_part, np.zeros_like(cf_part)

    def _mask(self, scores: np.ndarray, hist: sp.csr_matrix, exclude_seen: str) -> None:
        scores[:, ~self.available] = NEG
        if exclude_seen == "none":
            return
        rows = np.repeat(np.arange(hist.shape[0]), np.diff(hist.indptr))
        seen = hist.indices
        if exclude_seen == "non_repurchasable":
            keep = ~self.repurchasable[seen]
            rows, seen = rows[keep], seen[keep]
        scores[rows, seen] = NEG

    def top_items(
        self,
        user_vecs: np.ndarray,
        hist: sp.csr_matrix,
        n: int,
        *,
        exclude_seen: str = "non_repurchasable",
        block: int = 512,
        rerank: bool = False,
    ) -> np.ndarray:
        """Top-n item indices per user (rows), best first; -1 pads where nothing qualifies.

        `rerank`: apply the config's re-ranking knobs (diversity, category cap, popularity
        penalty), as the stored lists do; off by default (plain relevance order)."""
        n_users = user_vecs.shape[0]
        out = np.full((n_users, n), -1, dtype=np.int64)
        for start in range(0, n_users, block):
            stop = min(start + block, n_users)
            scores, _, _ = self._scores(user_vecs[start:stop], hist[start:stop])
            self._mask(scores, hist[start:stop], exclude_seen)
            out[start:stop] = self._choose(scores, n, rerank=rerank)
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
        with one_blas_thread():
            return self._recommend(items, conf, n, user_vec, scores_block, best)

    def _recommend(self, items, conf, n, user_vec, scores_block, best) -> list[Rec]:
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
            best = self._choose(total[None, :], n)[0]
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
        if self.scorer is not None:
            cf_via = self.scorer.explain(items, conf, chosen_arr)
        else:
            A, _ = self._user_system(items, conf)
            Z = np.linalg.solve(A, self.V[items].T)  # (factors, history)
            cf_contrib = (self.V[chosen_arr] @ Z) * (conf * np.float32(self.config.alpha))[None, :]
            cf_via = items[np.argmax(cf_contrib, axis=1)]
        if self.w > 0:
            content_sim = self.E[chosen_arr] @ self.E[items].T
        recs = []
        for row, item in enumerate(chosen):
            if cf_part[item] >= content_part[item] or self.w == 0:
                via = int(cf_via[row])
                reason = "because_you"
            else:
                via = int(items[int(np.argmax(content_sim[row]))])
                reason = "similar_to"
            recs.append(Rec(item, float(total[item]), reason, via))
        return recs

    # --- re-ranking and batched reasons (recommend_all) -------------------------------------

    def prepare(self) -> None:
        """Build the inputs `_choose` and `_als_system` otherwise build on first use, so that
        threads scoring blocks side by side only read the ranker."""
        if self.rerank_config.active:
            self._rerank_vectors()
        self._als_system()

    @property
    def rerank_config(self) -> RerankConfig:
        return RerankConfig.from_config(self.config)

    def _choose(self, total: np.ndarray, n: int, *, rerank: bool = True) -> np.ndarray:
        """(users, items) masked scores -> (users, n) items: the top n, re-ranked per config."""
        config = self.rerank_config
        if not rerank or not config.active:
            return top_n_rows(total, n)
        prior, vectors, codes = self._rerank_vectors()
        from recommendations.engine.rerank import rerank_scores

        return rerank_scores(total, n, config, prior=prior, vectors=vectors, codes=codes)

    def _rerank_vectors(self) -> tuple:
        if self._rerank_inputs is None:
            from recommendations.engine import rerank as rerank_module

            vectors = self.E if self.E is not None else normalize_rows(self.V)
            self._rerank_inputs = (
                rerank_module.popularity_prior(self.popularity),
                vectors,
                rerank_module.category_codes(self.categories),
            )
        return self._rerank_inputs

    def _explain_block(
        self,
        hist: sp.csr_matrix,
        chosen: np.ndarray,
        total: np.ndarray,
        cf_part: np.ndarray,
        content_part: np.ndarray,
    ) -> list[list[Rec]]:
        """`_explain` for a block of users at once: (users, n) chosen items (-1 pads) -> Recs.

        Users are grouped by history length so that each group is one padded batch: the ALS
        systems are solved with one batched `solve` per group, the content reasons are one
        batched product. Same equations (and the same `via`) as the per-user `_explain`."""
        n_rows = hist.shape[0]
        out: list[list[Rec]] = [[] for _ in range(n_rows)]
        lengths = np.diff(hist.indptr)
        safe = np.where(chosen >= 0, chosen, 0)
        chosen_total = np.take_along_axis(total, safe, axis=1)
        keep = (chosen >= 0) & (chosen_total > 0)
        todo = np.flatnonzero((lengths > 0) & keep.any(axis=1))
        if len(todo) == 0:
            return out
        via_cf = np.zeros(chosen.shape, np.int64)
        via_content = np.zeros(chosen.shape, np.int64)
        for group in _length_groups(todo, lengths):
            sub = hist[group]
            sizes = np.diff(sub.indptr)
            row_of = np.repeat(np.arange(len(group)), sizes)
            slot_of = np.arange(sub.nnz) - np.repeat(sub.indptr[:-1], sizes)
            width = int(sizes.max())
            hist_items = np.zeros((len(group), width), np.int64)
            hist_items[row_of, slot_of] = sub.indices
            present = np.zeros((len(group), width), bool)
            present[row_of, slot_of] = True
            picked = safe[group]
            als = self._als_system()
            if als is not None:
                conf = np.zeros((len(group), width), np.float32)
                conf[row_of, slot_of] = sub.data
                via_cf[group] = self._als_via(hist_items, conf, present, picked, *als)
            else:
                for offset, row in enumerate(group):
                    lo, hi = hist.indptr[row], hist.indptr[row + 1]
                    via_cf[row] = self.scorer.explain(
                        hist.indices[lo:hi], hist.data[lo:hi], picked[offset]
                    )
            if self.w > 0:
                sims = np.matmul(self.E[picked], np.transpose(self.E[hist_items], (0, 2, 1)))
                sims = np.where(present[:, None, :], sims, -np.inf)
                via_content[group] = np.take_along_axis(hist_items, sims.argmax(axis=2), axis=1)
        by_cf = np.take_along_axis(cf_part, safe, axis=1) >= np.take_along_axis(
            content_part, safe, axis=1
        )
        if self.w == 0:
            by_cf[:] = True
        via = np.where(by_cf, via_cf, via_content)
        reasons = np.where(by_cf, "because_you", "similar_to").astype(object)
        for row in todo:
            slots = keep[row]
            out[row] = list(
                map(
                    Rec._make,
                    zip(
                        chosen[row][slots].tolist(),
                        chosen_total[row][slots].tolist(),
                        reasons[row][slots].tolist(),
                        via[row][slots].tolist(),
                        strict=True,
                    ),
                )
            )
        return out

    def _als_system(self) -> tuple | None:
        """(item factors, item factors times (Gram + regularization)^-1, alpha) of the ALS that
        scores, for the batched explanation; None when the served candidate is another kind of
        model. Built once per ranker (prepare)."""
        if self.scorer is None:
            if self._als_inverse is None:
                self._als_inverse = _shared_inverse(self.V, self.config.regularization)
            return self.V, self._als_inverse, self.config.alpha
        if getattr(self.scorer, "name", "") != "als":
            return None
        V = getattr(self.scorer, "item_factors", None)
        if V is None:
            return None
        if self._scorer_gram is None:
            V = np.asarray(V, dtype=np.float32)
            self._scorer_gram = (V, _shared_inverse(V, self.scorer.regularization))
        V, inverse = self._scorer_gram
        return V, inverse, self.scorer.alpha

    def _als_via(
        self,
        hist_items: np.ndarray,
        conf: np.ndarray,
        present: np.ndarray,
        picked: np.ndarray,
        V: np.ndarray,
        VB: np.ndarray,
        alpha: float,
    ) -> np.ndarray:
        """Per picked item, the history item with the largest share of its ALS score: the
        argmax over history j of c_j y_i' A^-1 y_j (implicit's `explain`), with the user's
        A = B + H' D H, B = Gram + regularization (shared), H the history's factors and
        D = diag(c - 1). By the push-through identity, P A^-1 H' = P B^-1 H' (I + D H B^-1 H')^-1:
        a history x history system per user (`VB` = V B^-1), not a factors x factors one.

        Padded history slots have zero rows in H and D, so they add nothing to the systems."""
        c = conf * np.float32(alpha)
        H = V[hist_items] * present[:, :, None]  # (users, history, factors)
        HB = VB[hist_items] * present[:, :, None]
        M = np.matmul(HB, np.transpose(H, (0, 2, 1)))  # H B^-1 H', (users, history, history)
        Q = np.matmul(VB[picked], np.transpose(H, (0, 2, 1)))  # P B^-1 H', (users, n, history)
        # Q (I + D M)^-1, solved transposed: (I + D M)' = I + M D (M is symmetric).
        system = M * ((c - 1.0) * present)[:, None, :]
        system += np.eye(M.shape[1], dtype=np.float32)
        X = np.linalg.solve(system, np.transpose(Q, (0, 2, 1)))  # (users, history, n)
        contrib = np.transpose(X, (0, 2, 1)) * c[:, None, :]
        contrib = np.where(present[:, None, :], contrib, -np.inf)
        return np.take_along_axis(hist_items, contrib.argmax(axis=2), axis=1)

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


def _shared_inverse(V: np.ndarray, regularization: float) -> np.ndarray:
    """V (V'V + regularization I)^-1, the part of every user's ALS system that users share
    (solved in float64: the Gram matrix of a large catalog is badly scaled in float32)."""
    V64 = V.astype(np.float64)
    B = V64.T @ V64 + regularization * np.eye(V.shape[1])
    return np.linalg.solve(B, V64.T).T.astype(np.float32)


def _pop_score(count: float, max_count: float) -> float:
    return round(0.1 * float(count) / max_count, 6) if max_count > 0 else 0.0


def top_n_rows(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n best finite scores per row, best first (ties: lower index first); -1
    where fewer qualify.

    No full `argpartition` of wide rows: the k-th largest of a row's block maxima (blocks of
    TOP_BLOCK columns) is a lower bound of its k-th best score, so only the few scores at or
    above it are sorted: one pass for the maxima, one comparison (~6x faster at 50k items).
    Narrow rows take the exact k-th score as the bound."""
    n_rows, n_items = scores.shape
    k = min(n, n_items)
    if k == 0 or n_rows == 0:
        return np.full((n_rows, n), -1, dtype=np.int64)
    if n_items >= 4 * TOP_BLOCK * k:
        whole = n_items // TOP_BLOCK * TOP_BLOCK
        # Column j's block is j mod (whole / TOP_BLOCK): a strided max, faster than a last-axis
        # one; the columns past `whole` make one more block.
        maxima = scores[:, :whole].reshape(n_rows, TOP_BLOCK, -1).max(axis=1)
        if whole < n_items:
            maxima = np.hstack([maxima, scores[:, whole:].max(axis=1, keepdims=True)])
        bound = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, maxima.shape[1] - k]
    else:
        bound = np.partition(scores, n_items - k, axis=1)[:, n_items - k]
    rows, cols = np.divmod(_true_positions(scores >= bound[:, None]), n_items)
    values = scores[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, np.arange(n_rows))[rows]
    keep = (rank < k) & np.isfinite(values)
    best = np.full((n_rows, n), -1, dtype=np.int64)
    best[rows[keep], rank[keep]] = cols[keep]
    return best


TOP_BLOCK = 64


def _true_positions(mask: np.ndarray) -> np.ndarray:
    """Flat indices of a sparse boolean array's True cells, scanning 8 cells per word."""
    flat = np.ascontiguousarray(mask).ravel()
    cut = len(flat) // 8 * 8
    words = np.flatnonzero(flat[:cut].view(np.uint64))
    positions = (words[:, None] * 8 + np.arange(8)).ravel()
    positions = positions[flat[positions]]
    return np.concatenate([positions, np.flatnonzero(flat[cut:]) + cut])


def popularity_counts(matrix: sp.csr_matrix) -> np.ndarray:
    """Distinct users per item."""
    return np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.float32)


def recommend_all(
    ranker: Ranker,
    user_factors: np.ndarray,
    hist: sp.csr_matrix,
    n: int,
    *,
    block: int = 256,
    progress=None,
    workers: int = 1,
) -> list[list[Rec]]:
    """Top-n with reasons for every user row of `hist`: batched scoring, re-ranking (the config's
    knobs) and reasons; per-user work only to top up short lists from the fallbacks.

    `workers` threads score blocks of `block` users side by side (engine/blocks.py); the
    blocks and their order are the same for any count, so are the lists. `progress(done)` is
    called on the caller's thread. 256 users a block: 8% faster than 512 at 3,665 items (a
    block's score arrays closer to the caches), the same lists."""
    from recommendations.engine.blocks import joined

    n_users = hist.shape[0]
    ranker.prepare()  # the lazily built inputs, once, before threads share the ranker

    def lists_of(start: int) -> list[list[Rec]]:
        return _block_lists(ranker, user_factors, hist, n, start, min(start + block, n_users))

    with one_blas_thread():
        return joined(lists_of, n_users, block, workers, progress)


def _block_lists(
    ranker: Ranker, user_factors: np.ndarray, hist: sp.csr_matrix, n: int, start: int, stop: int
) -> list[list[Rec]]:
    sub = hist[start:stop]
    total, cf_part, content_part = ranker._scores(user_factors[start:stop], sub)
    ranker._mask(total, sub, "non_repurchasable")
    chosen = ranker._choose(total, n)
    block_recs = ranker._explain_block(sub, chosen, total, cf_part, content_part)
    for offset, recs in enumerate(block_recs):
        if len(recs) < n:
            items = sub.indices[sub.indptr[offset] : sub.indptr[offset + 1]]
            taken = {rec.item for rec in recs}
            blocked = {int(i) for i in items if not ranker.repurchasable[i]}
            recs += ranker.fallback([int(i) for i in items], n - len(recs), exclude=taken | blocked)
    return block_recs


def _length_groups(rows: np.ndarray, lengths: np.ndarray, budget: int = 4096, most: int = 128):
    """`rows` in groups of similar history length: each group pads to its longest history, and
    users x longest stays under `budget`. Small enough for a group's padded batches to stay in
    the CPU's caches (4,096 x 384-d embeddings is 6 MB): the reasons of 4,339 customers took
    0.36 s on one thread against 0.45 s with groups 4x as large, the same reasons."""
    order = rows[np.argsort(lengths[rows], kind="stable")]
    start = 0
    while start < len(order):
        stop = start + 1
        while (
            stop < len(order)
            and stop - start < most
            and (stop - start + 1) * int(lengths[order[stop]]) <= budget
        ):
            stop += 1
        yield order[start:stop]
        start = stop


_blas = None


@contextmanager
def one_blas_thread():
    """Run the block's BLAS on one thread: the matrices here are small, and a BLAS pool on a CPU
    shared with other work mostly waits for itself (measured: 1,024 customers' reasons 7 s with
    the default pool on a busy 2-core machine, 0.86 s on one thread)."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    with _blas.limit(limits=1, user_api="blas"):
        yield
