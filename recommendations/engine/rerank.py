"""Re-ranking a relevance-ordered candidate pool for the shop's goals (no Django, plain arrays).

Three knobs, all off by default (`RerankConfig()` returns the relevance order unchanged):

- `popularity_penalty` p: every item's score becomes `score - p * prior`, where `prior` is the
  item's log-popularity share `log1p(count) / log1p(max count)` in [0, 1]. Applied to the whole
  score row before the pool is cut, so long-tail items from beyond the plain top-N can come in.
- `diversity` λ in [0, 1]: maximal marginal relevance (Carbonell & Goldstein 1998). Items are
  picked one by one maximising `(1 - λ) * relevance - λ * max cosine to the items already picked`;
  relevance is min-max scaled inside each customer's pool so λ means the same for every shop.
  Similarity comes from item embeddings, or from normalised ALS factors when a run has none.
- `category_cap` c: at most c items of one category per list (items without a category are not
  capped). When the cap leaves the list short, the best remaining items fill it (soft cap), so a
  shop with two categories still gets full lists.

Everything runs on blocks of customers at once (batched matrix products, no per-customer loop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NEG = np.float32(-np.inf)


@dataclass(frozen=True)
class RerankConfig:
    diversity: float = 0.0
    category_cap: int | None = None
    popularity_penalty: float = 0.0

    @classmethod
    def from_config(cls, config: object) -> RerankConfig:
        """From an EngineConfig (or anything with the three attributes; missing = off)."""
        cap = getattr(config, "category_cap", None)
        return cls(
            diversity=float(getattr(config, "diversity", 0.0) or 0.0),
            category_cap=int(cap) if cap else None,
            popularity_penalty=float(getattr(config, "popularity_penalty", 0.0) or 0.0),
        )

    @property
    def active(self) -> bool:
        return self.diversity > 0 or self.category_cap is not None or self.popularity_penalty > 0

    @property
    def reorders(self) -> bool:
        """True when the pool order changes beyond the popularity penalty's new scores."""
        return self.diversity > 0 or self.category_cap is not None

    def pool_size(self, n: int, n_items: int) -> int:
        """Candidates per customer: the plain top-n, or a wider pool to pick from."""
        if self.category_cap is not None:
            # A cap needs other categories in the pool to pick from.
            return min(n_items, max(5 * n, n + 50))
        return min(n_items, max(3 * n, n + 30) if self.reorders else n)


def popularity_prior(popularity: np.ndarray) -> np.ndarray:
    """log1p(count) / log1p(max count): 0 for unseen items, 1 for the most popular."""
    popularity = np.asarray(popularity, dtype=np.float32)
    if popularity.size == 0 or float(popularity.max()) <= 0:
        return np.zeros(popularity.shape, np.float32)
    return (np.log1p(popularity) / np.log1p(float(popularity.max()))).astype(np.float32)


def category_codes(categories: Sequence[str]) -> np.ndarray:
    """Integer code per item; -1 for items without a category (never capped)."""
    codes: dict[str, int] = {}
    return np.array(
        [codes.setdefault(c, len(codes)) if c else -1 for c in categories], dtype=np.int64
    )


def penalise(scores: np.ndarray, prior: np.ndarray | None, penalty: float) -> np.ndarray:
    """`scores - penalty * prior` on a (users, items) block; -inf stays -inf. In place."""
    if penalty > 0 and prior is not None:
        scores -= np.float32(penalty) * prior[None, :]
    return scores


def rerank_pool(
    pool: np.ndarray,
    relevance: np.ndarray,
    n: int,
    config: RerankConfig,
    *,
    vectors: np.ndarray | None = None,
    codes: np.ndarray | None = None,
) -> np.ndarray:
    """Pick n of each row's candidates: (users, pool) item indices best first (-1 pads) and their
    relevance (-inf where padded) -> (users, n) item indices in the new order, -1 pads.

    `vectors`: unit rows per item for MMR; `codes`: category code per item for the cap."""
    users, width = pool.shape
    out = np.full((users, n), -1, dtype=np.int64)
    if users == 0 or width == 0:
        return out
    valid = (pool >= 0) & np.isfinite(relevance)
    if not config.reorders:
        take = min(n, width)
        out[:, :take] = np.where(valid[:, :take], pool[:, :take], -1)
        return out
    safe = np.where(valid, pool, 0)
    rel = np.where(valid, relevance, np.nan).astype(np.float32)
    low = np.nanmin(np.where(valid, rel, np.inf), axis=1, keepdims=True)
    high = np.nanmax(np.where(valid, rel, -np.inf), axis=1, keepdims=True)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    rel = np.where(valid, (rel - low) / span, 0.0).astype(np.float32)

    lam = float(np.clip(config.diversity, 0.0, 1.0))
    use_mmr = lam > 0 and vectors is not None
    if use_mmr:
        cand = vectors[safe]  # (users, pool, dim)
        sims = np.matmul(cand, np.transpose(cand, (0, 2, 1)))  # (users, pool, pool)
        max_sim = np.zeros((users, width), np.float32)
    cap = config.category_cap if codes is not None else None
    if cap is not None:
        cats = np.where(valid, codes[safe], -1)
        same = (cats[:, :, None] == cats[:, None, :]) & (cats[:, :, None] >= 0)
        counts = np.zeros((users, width), np.int64)
    picked = ~valid  # padded slots count as used
    rows = np.arange(users)
    for step in range(min(n, width)):
        gain = (1.0 - lam) * rel - lam * max_sim if use_mmr else rel.copy()
        gain = np.where(picked, -np.inf, gain)
        if cap is not None:
            capped = np.where(counts >= cap, -np.inf, gain)
            # Soft cap: where every candidate left is capped, the best capped one fills the slot.
            fine = np.isfinite(capped).any(axis=1)
            gain = np.where(fine[:, None], capped, gain)
        best = np.argmax(gain, axis=1)
        ok = np.isfinite(gain[rows, best])
        out[:, step] = np.where(ok, pool[rows, best], -1)
        picked[rows[ok], best[ok]] = True
        if use_mmr:
            max_sim = np.where(
                ok[:, None], np.maximum(max_sim, sims[rows, best, :]), max_sim
            ).astype(np.float32)
        if cap is not None:
            counts += np.where(ok[:, None], same[rows, best, :], False)
    return out


def rerank_scores(
    scores: np.ndarray,
    n: int,
    config: RerankConfig,
    *,
    prior: np.ndarray | None = None,
    vectors: np.ndarray | None = None,
    codes: np.ndarray | None = None,
) -> np.ndarray:
    """Full (users, items) score rows (-inf = not allowed) -> (users, n) re-ranked item indices.

    The popularity penalty is applied to a copy of `scores`; then the top of each row becomes the
    pool that MMR and the category cap pick from."""
    from recommendations.engine.core import top_n_rows

    adjusted = penalise(scores.copy(), prior, config.popularity_penalty)
    width = config.pool_size(n, scores.shape[1])
    pool = top_n_rows(adjusted, width)
    relevance = np.take_along_axis(adjusted, np.where(pool >= 0, pool, 0), axis=1)
    relevance = np.where(pool >= 0, relevance, NEG)
    return rerank_pool(pool, relevance, n, config, vectors=vectors, codes=codes)


MAX_POPULARITY_PENALTY = 1.0
MAX_CATEGORY_CAP = 200


def knob_errors(
    diversity: object = 0.0,
    category_cap: object = None,
    popularity_penalty: object = 0.0,
    coverage_target: object = 0.0,
) -> dict[str, list[str]]:
    """The one rule for the re-ranking knobs and the coverage goal (service, form and serializer
    all use it): field name -> messages for the merchant; empty when every value is fine."""
    errors: dict[str, list[str]] = {}
    if not _number_between(diversity, 0.0, 1.0):
        errors["diversity"] = [
            "Diversity must be a number from 0 (off: pure relevance) to 1 (pure variety)."
        ]
    if category_cap is not None and (
        isinstance(category_cap, bool)
        or not isinstance(category_cap, int)
        or not 1 <= category_cap <= MAX_CATEGORY_CAP
    ):
        errors["category_cap"] = [
            f"The category cap must be a whole number from 1 to {MAX_CATEGORY_CAP} "
            "(items of one category per list), or empty for no cap."
        ]
    if not _number_between(popularity_penalty, 0.0, MAX_POPULARITY_PENALTY):
        errors["popularity_penalty"] = [
            f"The popularity penalty must be a number from 0 (off) to {MAX_POPULARITY_PENALTY:g}."
        ]
    if not _number_between(coverage_target, 0.0, 1.0):
        errors["coverage_target"] = [
            "The coverage target must be a number from 0 (off) to 1: the share of the catalog "
            "the customers' lists should show together."
        ]
    return errors


def _number_between(value: object, low: float, high: float) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return low <= float(value) <= high  # NaN fails both comparisons
