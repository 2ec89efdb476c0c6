"""Offline evaluation on a temporal hold-out: candidate models side by side, one metric code.

The interactions before the cut (the last `holdout` share by time, or a given `cutoff`
timestamp) train, the ones after test. Evaluated customers have history before the cut and, with
`exclude_seen` (the default), items after it that they did not have before: every model then
recommends k items per evaluated customer excluding what the customer already had.

Without `candidates`, `evaluate` measures the run's hybrid ALS (the settings' ALS + content blend)
against popularity, as before. With `candidates`, every named model (engine/candidates.py) is
tuned on a validation split carved from the training side (within `tuning_budget_s`), fitted on
the training side with its best settings and scored on the hold-out; the best by NDCG@10 (ties:
coverage) is the one served, and `result["leaderboard"]` lists them all. With re-ranking (the
config's knobs, or the coverage goal's choice: engine/coverage_goal.py) the leaderboard's figures
are those of the re-ranked lists, as stored and served; "relevance_order" keeps the plain ones.

Recall, two ways (both in every result):
- `recall@10` = |hits| / |relevant|: the share of the customer's held-out items found in the top
  k. A customer with 30 held-out items can reach at most 10/30.
- `capped_recall@10` = |hits| / min(k, |relevant|): reaches 1.0 whenever the k slots are all hits
  (as in many papers' "recall@k", e.g. the EASE and Mult-VAE papers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from recommendations import metrics
from recommendations.engine import candidates as cand
from recommendations.engine import coverage_goal, tuning
from recommendations.engine.core import (
    EngineConfig,
    Ranker,
    confidence_matrix,
    normalize_rows,
    popularity_counts,
    train_als,
)
from recommendations.engine.rerank import RerankConfig, category_codes, popularity_prior

METRIC_NAMES = (
    "ndcg@10",
    "recall@10",
    "capped_recall@10",
    "map@10",
    "coverage",
    "diversity",
    "novelty",
    "long_tail_share",
)
# Tuning needs a validation split this large: below it, NDCG differences between settings are
# noise (and small shops' runs stay fast). The defaults are used then.
TUNING_MIN_CUSTOMERS = 200
# The coverage goal only guards NDCG@10 against a drop of several percent there (its coverage is
# measured on the training side's lists, not there): fewer customers do.
GOAL_MIN_CUSTOMERS = 50
# Candidates within this share of the best NDCG@10 count as tied; the tie goes to coverage.
TIE_TOLERANCE = tuning.TIE_TOLERANCE
pick_winner = tuning.pick_winner


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
    cutoff: float | None = None,
    candidates: list[str] | None = None,
    tuning_budget_s: float = 0.0,
    recency_half_life_days: float | None = None,
    exclude_seen: bool = True,
    baseline: bool = False,
    categories: list[str] | None = None,
) -> dict:
    """Returns {"model": {...}, "popularity": {...}, "split": {...}} (metric name -> value).

    `cutoff` (Unix seconds) splits at that time instead of the `holdout` share. With
    `candidates`, also "leaderboard" (one row per candidate, the served one marked) and "served"
    ({"name", "params"}); "model" is then the served candidate's metrics. `baseline` adds the
    plain implicit ALS script (64 factors on BM25-weighted counts) as a reference row that is
    never served. `recency_half_life_days` halves an interaction's weight every that many days
    before the cut.

    With candidates, the leaderboard's metrics are those of the lists as served: re-ranked with
    the config's knobs (diversity, category cap over `categories`, popularity penalty) and, when
    `config.coverage_target` > 0, with the mildest stronger setting that reaches that catalog
    coverage on the validation split (engine/coverage_goal.py); "served" then names the knobs
    ("rerank") and the goal's choice and NDCG cost ("coverage_goal"). Each row keeps the
    relevance-order figures (before re-ranking) under "relevance_order"; the served candidate is
    picked on those.
    """
    users = np.asarray(users, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float32)
    timestamps = np.asarray(timestamps, dtype=np.float64)
    if len(users) < 10:
        return {"error": "Too few interactions to evaluate (need at least 10)."}
    split = temporal_split(
        users,
        items,
        weights,
        timestamps,
        n_users,
        n_items,
        holdout=holdout,
        cutoff=cutoff,
        exclude_seen=exclude_seen,
        max_users=max_users,
        seed=seed,
        recency_half_life_days=recency_half_life_days,
    )
    if isinstance(split, str):
        return {"error": split}
    info = split.info(k)
    if len(split.eval_users) == 0:
        return {"error": "No customer has interactions on both sides of the cut.", "split": info}
    if candidates is None:
        return _evaluate_hybrid(split, config, embeddings, n_items, k, exclude_seen, info)
    setup = _Setup(
        users=users,
        items=items,
        weights=weights,
        timestamps=timestamps,
        n_users=n_users,
        n_items=n_items,
        config=config,
        embeddings=embeddings,
        k=k,
        holdout=holdout,
        max_users=max_users,
        seed=seed,
        exclude_seen=exclude_seen,
        recency_half_life_days=recency_half_life_days,
        categories=categories,
    )
    return _evaluate_candidates(setup, split, list(candidates), tuning_budget_s, baseline, info)


# --- the split --------------------------------------------------------------------------------


@dataclass
class Split:
    cutoff: float
    train: np.ndarray  # bool per interaction
    matrix: sp.csr_matrix  # users x items confidence, training side
    eval_users: np.ndarray
    relevant: list[set[int]]
    n_train_users: int

    def info(self, k: int) -> dict:
        return {
            "cutoff": self.cutoff,
            "train_interactions": int(self.train.sum()),
            "test_interactions": int((~self.train).sum()),
            "evaluated_customers": int(len(self.eval_users)),
            "k": k,
            # The most catalog coverage k items per evaluated customer can reach.
            "coverage_ceiling": round(min(1.0, len(self.eval_users) * k / self.matrix.shape[1]), 4),
        }


def temporal_split(
    users: np.ndarray,
    items: np.ndarray,
    weights: np.ndarray,
    timestamps: np.ndarray,
    n_users: int,
    n_items: int,
    *,
    holdout: float = 0.2,
    cutoff: float | None = None,
    exclude_seen: bool = True,
    max_users: int = 5000,
    seed: int = 0,
    recency_half_life_days: float | None = None,
) -> Split | str:
    """The train/test split at `cutoff` (or the 1 - holdout time quantile); a str is an error."""
    given = cutoff is not None
    if cutoff is None:
        cutoff = float(np.quantile(timestamps, 1.0 - holdout))
    train = timestamps < cutoff
    if train.sum() == 0 or (~train).sum() == 0:
        if given:
            return "The cut leaves no interaction on one side; pick a cutoff inside the log."
        return "All interactions share one timestamp; no temporal hold-out possible."
    train_weights = weights[train] * cand.recency_weights(
        timestamps[train], recency_half_life_days, now=cutoff
    )
    matrix = confidence_matrix(users[train], items[train], train_weights, n_users, n_items)
    has_train = np.diff(matrix.indptr) > 0
    test_sets: dict[int, set[int]] = {}
    for user, item in zip(users[~train], items[~train], strict=True):
        user, item = int(user), int(item)
        if not has_train[user]:
            continue
        if exclude_seen:
            lo, hi = matrix.indptr[user], matrix.indptr[user + 1]
            if item in matrix.indices[lo:hi]:
                continue
        test_sets.setdefault(user, set()).add(item)
    eval_users = np.array(sorted(test_sets), dtype=np.int64)
    if len(eval_users) > max_users:
        eval_users = np.sort(np.random.default_rng(seed).choice(eval_users, max_users, False))
    return Split(
        cutoff=float(cutoff),
        train=train,
        matrix=matrix,
        eval_users=eval_users,
        relevant=[test_sets[int(u)] for u in eval_users],
        n_train_users=int(has_train.sum()),
    )


# --- the hybrid ALS of the settings (no candidates) -------------------------------------------


def _evaluate_hybrid(split, config, embeddings, n_items, k, exclude_seen, info) -> dict:
    started = time.perf_counter()
    user_factors, item_factors = train_als(split.matrix, config)
    info["train_seconds"] = round(time.perf_counter() - started, 3)
    popularity = popularity_counts(split.matrix)
    ranker = Ranker(item_factors, embeddings, config, popularity=popularity)
    hist = split.matrix[split.eval_users]
    mask = "all" if exclude_seen else "none"
    model_top = ranker.top_items(user_factors[split.eval_users], hist, k, exclude_seen=mask)
    pop_top = popular_unseen(popularity, hist, k, exclude_seen=exclude_seen)
    vectors = embeddings if embeddings is not None else normalize_rows(item_factors)
    scorer = _ListScorer(split, vectors, popularity, n_items, k)
    info["diversity_space"] = "embeddings" if embeddings is not None else "als_factors"
    return {"model": scorer(model_top), "popularity": scorer(pop_top), "split": info}


# --- candidates -------------------------------------------------------------------------------


def als_defaults(config: EngineConfig) -> dict:
    """The ALS candidate's untuned settings: the shop's own ALS settings."""
    return {
        "factors": int(config.factors),
        "regularization": float(config.regularization),
        "alpha": float(config.alpha),
        "iterations": int(config.iterations),
        "weighting": "confidence",
    }


def candidate_defaults(config: EngineConfig) -> dict[str, dict]:
    defaults = {name: dict(params) for name, params in cand.DEFAULT_PARAMS.items()}
    defaults["als"] = als_defaults(config)
    return defaults


def rank_candidate(
    scorer: cand.Scorer,
    matrix: sp.csr_matrix,
    eval_users: np.ndarray,
    k: int,
    config: EngineConfig,
    embeddings: np.ndarray | None,
    *,
    exclude_seen: bool = True,
    rerank: bool = False,
    vectors: np.ndarray | None = None,
    categories: list[str] | None = None,
) -> np.ndarray:
    """Top-k per evaluated user through the serving Ranker (same blend and masking); with
    `rerank`, re-ranked by the config's knobs as the stored lists are (MMR over `embeddings`,
    else over `vectors`; the category cap over `categories`)."""
    ranker = _ranker(scorer, matrix, config, embeddings, vectors, categories)
    user_vecs = scorer.rows_for(matrix.shape[0])[eval_users]
    return ranker.top_items(
        user_vecs,
        matrix[eval_users],
        k,
        exclude_seen="all" if exclude_seen else "none",
        rerank=rerank,
    )


def _ranker(scorer, matrix, config, embeddings, vectors=None, categories=None) -> Ranker:
    n_items = matrix.shape[1]
    # The Ranker's item factors only serve here as MMR vectors when there are no embeddings.
    factors = vectors if vectors is not None else np.zeros((n_items, 1), np.float32)
    return Ranker(
        factors,
        embeddings,
        config,
        popularity=popularity_counts(matrix),
        categories=categories,
        scorer=cand.tie_broken(scorer),
    )


@dataclass
class _Setup:
    """What every step of one candidate evaluation shares: the log and the protocol."""

    users: np.ndarray
    items: np.ndarray
    weights: np.ndarray
    timestamps: np.ndarray
    n_users: int
    n_items: int
    config: EngineConfig
    embeddings: np.ndarray | None
    k: int
    holdout: float
    max_users: int
    seed: int
    exclude_seen: bool
    recency_half_life_days: float | None
    categories: list[str] | None = None
    holdout_customers: int = 0  # customers the hold-out evaluates (set with the split)

    def rank(
        self,
        scorer: cand.Scorer,
        split: Split,
        *,
        config: EngineConfig | None = None,
        vectors: np.ndarray | None = None,
    ) -> np.ndarray:
        """Relevance order; with `config`, re-ranked by its knobs (the served lists)."""
        return rank_candidate(
            scorer,
            split.matrix,
            split.eval_users,
            self.k,
            config or self.config,
            self.embeddings,
            exclude_seen=self.exclude_seen,
            rerank=config is not None,
            vectors=vectors,
            categories=self.categories,
        )


def _evaluate_candidates(
    setup: _Setup, split: Split, names: list[str], budget_s: float, baseline: bool, info: dict
) -> dict:
    names = cand.known(names) or ["popularity"]
    defaults = candidate_defaults(setup.config)
    inner = _validation_split(setup, split, budget_s)
    tuned = _tune(setup, inner, names, defaults, budget_s, info)
    popularity = popularity_counts(split.matrix)
    embeddings = setup.embeddings
    vectors = embeddings if embeddings is not None else _diversity_space(split.matrix)
    info["diversity_space"] = "embeddings" if embeddings is not None else "svd_of_interactions"
    score_lists = _ListScorer(split, vectors, popularity, setup.n_items, setup.k)
    rows: list[dict] = []
    scorers: dict[str, cand.Scorer] = {}
    for name in names:
        params = tuned[name].params if name in tuned else defaults[name]
        row: dict = {"name": name, "params": params, "served": False}
        if name in tuned and tuned[name].tried:
            row["tuning_tries"] = len(tuned[name].tried)
            row["validation_ndcg@10"] = tuned[name].score
        try:
            scorer = cand.fit(name, split.matrix, params)
        except cand.SkipCandidate as exc:
            row["skipped"] = str(exc)
            rows.append(row)
            continue
        scorers[name] = scorer
        row.update(score_lists(setup.rank(scorer, split)))
        row["fit_s"] = scorer.fit_s
        rows.append(row)
    eligible = [row for row in rows if "skipped" not in row]
    winner = pick_winner(eligible)
    winner["served"] = True
    served = {"name": winner["name"], "params": winner["params"]}
    setup.holdout_customers = len(split.eval_users)
    knobs = _served_knobs(setup, inner, split, winner, scorers[winner["name"]], served)
    if knobs.active:
        knob_config = replace(
            setup.config,
            diversity=knobs.diversity,
            category_cap=knobs.category_cap,
            popularity_penalty=knobs.popularity_penalty,
        )
        item_vectors = None if embeddings is not None else vectors
        for row in eligible:
            scorer = scorers[row["name"]]
            top = setup.rank(scorer, split, config=knob_config, vectors=item_vectors)
            relevance = {name: row[name] for name in METRIC_NAMES}
            row.update(score_lists(top))
            row["relevance_order"] = relevance
            row["reranked"] = True
    if baseline:
        rows.append(_plain_als_row(setup, split, score_lists))
    hist = split.matrix[split.eval_users]
    pop_top = popular_unseen(popularity, hist, setup.k, exclude_seen=setup.exclude_seen)
    plain = next((row for row in rows if row["name"] == PLAIN_ALS), None)
    if plain and plain.get("ndcg@10"):
        for row in rows:
            if "ndcg@10" in row:
                row["vs_plain_als"] = round(row["ndcg@10"] / plain["ndcg@10"], 3)
    return {
        "model": {name: winner[name] for name in METRIC_NAMES},
        "popularity": score_lists(pop_top),
        "split": info,
        "leaderboard": rows,
        "served": served,
    }


def _served_knobs(setup: _Setup, inner, split, winner: dict, scorer, served: dict) -> RerankConfig:
    """The re-ranking the served lists get: the config's knobs, or the coverage goal's stronger
    setting (chosen on the validation split). Fills served["rerank"] / ["coverage_goal"]."""
    base = RerankConfig.from_config(setup.config)
    target = float(getattr(setup.config, "coverage_target", 0.0) or 0.0)
    knobs = base
    if target > 0:
        goal = _coverage_goal(setup, inner, split, winner, scorer, base, target)
        served["coverage_goal"] = goal
        if "popularity_penalty" in goal:
            knobs = replace(
                base, popularity_penalty=goal["popularity_penalty"], diversity=goal["diversity"]
            )
    served["rerank"] = {
        "diversity": knobs.diversity,
        "category_cap": knobs.category_cap,
        "popularity_penalty": knobs.popularity_penalty,
    }
    return knobs


def _coverage_goal(
    setup: _Setup, inner, split: Split, winner: dict, scorer, base: RerankConfig, target: float
) -> dict:
    """The goal's search for the served candidate (engine/coverage_goal.py): NDCG@10 on the
    validation split, coverage on the training side's lists for as many customers as the
    hold-out evaluates. The hold-out's items are not read."""
    if inner is None:
        return {
            "target": target,
            "reached": None,
            "skipped": f"fewer than {GOAL_MIN_CUSTOMERS} customers to validate on before the cut",
        }
    clock = time.perf_counter()
    try:
        inner_scorer = cand.fit(winner["name"], inner.matrix, winner["params"])
    except cand.SkipCandidate as exc:
        return {"target": target, "reached": None, "skipped": str(exc)}
    most = max(1, coverage_goal.MAX_SCORE_CELLS // max(setup.n_items, 1))
    rng = np.random.default_rng(setup.seed)
    picked = np.arange(len(inner.eval_users))
    if len(picked) > most:
        picked = np.sort(rng.choice(picked, most, replace=False))
    with_history = np.flatnonzero(np.diff(split.matrix.indptr) > 0)
    count = min(len(with_history), setup.holdout_customers or setup.max_users, most)
    customers = np.sort(rng.choice(with_history, count, replace=False))
    codes = category_codes(setup.categories) if setup.categories else None
    val_scores, val_vectors = _masked_scores(
        setup, inner_scorer, inner.matrix, inner.eval_users[picked]
    )
    cover_scores, cover_vectors = _masked_scores(setup, scorer, split.matrix, customers)
    goal = coverage_goal.search(
        val_scores,
        [inner.relevant[i] for i in picked],
        setup.k,
        base,
        target,
        prior=popularity_prior(popularity_counts(inner.matrix)),
        vectors=val_vectors,
        codes=codes,
        coverage_scores=cover_scores,
        coverage_vectors=cover_vectors,
        coverage_prior=popularity_prior(popularity_counts(split.matrix)),
    )
    goal["seconds"] = round(time.perf_counter() - clock, 2)
    return goal


def _masked_scores(setup: _Setup, scorer, matrix: sp.csr_matrix, users: np.ndarray):
    """(users, items) blended scores as the Ranker computes them, seen items masked; and the
    MMR vectors (embeddings, else the SVD space of `matrix`)."""
    vectors = setup.embeddings if setup.embeddings is not None else _diversity_space(matrix)
    ranker = _ranker(scorer, matrix, setup.config, setup.embeddings, vectors)
    hist = matrix[users]
    total, _, _ = ranker._scores(scorer.rows_for(matrix.shape[0])[users], hist)
    ranker._mask(total, hist, "all" if setup.exclude_seen else "none")
    return total, vectors


def served_config(config: EngineConfig, metrics: dict) -> EngineConfig:
    """`config` with the re-ranking knobs the evaluation chose for the served lists."""
    knobs = ((metrics or {}).get("served") or {}).get("rerank")
    if not knobs:
        return config
    return replace(
        config,
        diversity=float(knobs.get("diversity") or 0.0),
        category_cap=knobs.get("category_cap"),
        popularity_penalty=float(knobs.get("popularity_penalty") or 0.0),
    )


def _validation_split(setup: _Setup, split: Split, budget_s: float) -> Split | None:
    """The split carved from the training side for tuning and the coverage goal; None when
    neither runs or it is too small."""
    if budget_s <= 0 and not getattr(setup.config, "coverage_target", 0.0):
        return None
    train = split.train
    inner = temporal_split(
        setup.users[train],
        setup.items[train],
        setup.weights[train],
        setup.timestamps[train],
        setup.n_users,
        setup.n_items,
        holdout=setup.holdout,
        exclude_seen=setup.exclude_seen,
        max_users=min(setup.max_users, 2000),
        seed=setup.seed,
        recency_half_life_days=setup.recency_half_life_days,
    )
    if isinstance(inner, str) or len(inner.eval_users) < GOAL_MIN_CUSTOMERS:
        return None
    return inner


def _tune(
    setup: _Setup, inner: Split | None, names: list[str], defaults: dict, budget_s: float, info
) -> dict:
    if budget_s <= 0:
        info["tuning"] = "off (defaults only)"
        return {}
    if inner is None or len(inner.eval_users) < TUNING_MIN_CUSTOMERS:
        info["tuning"] = (
            f"skipped: fewer than {TUNING_MIN_CUSTOMERS} customers to validate on before the cut"
        )
        return {}

    def validation_scores(name: str, params: dict) -> dict | None:
        try:
            scorer = cand.fit(name, inner.matrix, params)
        except cand.SkipCandidate:
            return None
        lists = [[int(i) for i in row if i >= 0] for row in setup.rank(scorer, inner)]
        return {
            "ndcg@10": _mean(
                metrics.ndcg_at_k(found, relevant, setup.k)
                for found, relevant in zip(lists, inner.relevant, strict=True)
            ),
            "coverage": round(metrics.catalog_coverage(lists, setup.n_items), 4),
        }

    clock = time.perf_counter()
    tuned = tuning.tune(names, defaults, validation_scores, budget_s)
    info["tuning"] = (
        f"{sum(len(t.tried) for t in tuned.values())} settings tried on a validation split "
        f"({len(inner.eval_users)} customers) in {time.perf_counter() - clock:.1f} s"
    )
    return tuned


PLAIN_ALS = "plain_als"


def _plain_als_row(setup: _Setup, split: Split, score_lists) -> dict:
    """The ten-line implicit script: counts, BM25 (K1=100, B=0.8), ALS with 64 factors."""
    train = split.train
    counts = sp.csr_matrix(
        (np.ones(int(train.sum()), np.float32), (setup.users[train], setup.items[train])),
        shape=(setup.n_users, setup.n_items),
    )
    counts.sum_duplicates()
    scorer = cand.fit(
        "als", counts, {"factors": 64, "regularization": 0.01, "alpha": 1.0, "weighting": "bm25"}
    )
    plain_config = EngineConfig(content_weight=0.0)
    top = rank_candidate(scorer, counts, split.eval_users, setup.k, plain_config, None)
    row = {"name": PLAIN_ALS, "params": scorer.params, "served": False, "reference": True}
    row.update(score_lists(top))
    row["fit_s"] = scorer.fit_s
    return row


def _diversity_space(matrix: sp.csr_matrix, rank: int = 32) -> np.ndarray:
    """Item vectors for intra-list diversity when there are no embeddings: a truncated SVD of
    the binary training matrix, the same space for every candidate."""
    from scipy.sparse.linalg import svds

    binary = cand.binary(matrix).astype(np.float64)
    rank = min(rank, min(binary.shape) - 1)
    if rank < 1 or binary.nnz == 0:
        return np.eye(matrix.shape[1], dtype=np.float32)
    _, values, item_vectors = svds(binary, k=rank, random_state=0)
    return normalize_rows((item_vectors.T * values).astype(np.float32))


# --- metrics ----------------------------------------------------------------------------------


def popular_unseen(
    popularity: np.ndarray, hist: sp.csr_matrix, k: int, *, exclude_seen: bool = True
) -> np.ndarray:
    """The popularity baseline: the k most popular items each user has not had yet."""
    order = np.argsort(-popularity, kind="stable")
    out = np.full((hist.shape[0], k), -1, dtype=np.int64)
    for row in range(hist.shape[0]):
        seen = set(hist.indices[hist.indptr[row] : hist.indptr[row + 1]].tolist())
        if not exclude_seen:
            seen = set()
        picked = 0
        for item in order:
            if item not in seen:
                out[row, picked] = item
                picked += 1
                if picked == k:
                    break
    return out


class _ListScorer:
    """All metrics of a block of top-k lists against the split's held-out sets."""

    def __init__(self, split: Split, vectors, popularity, n_items: int, k: int):
        self.relevant = split.relevant
        self.vectors = vectors
        self.pop_map = {i: float(c) for i, c in enumerate(popularity)}
        self.tail = metrics.long_tail_items(self.pop_map, range(n_items))
        self.n_users = split.n_train_users
        self.n_items = n_items
        self.k = k

    def __call__(self, top: np.ndarray) -> dict:
        return _score(
            top,
            self.relevant,
            self.vectors,
            self.pop_map,
            self.n_users,
            self.tail,
            self.n_items,
            self.k,
        )


def capped_recall_at_k(recommended, relevant: set, k: int = 10) -> float:
    """|hits| / min(k, |relevant|): 1.0 when every one of the k slots could be and is a hit."""
    if not relevant:
        return 0.0
    return len(set(recommended[:k]) & relevant) / min(k, len(relevant))


def _score(top, relevant, vectors, pop_map, n_users, tail, n_items, k) -> dict:
    lists = [[int(i) for i in row if i >= 0] for row in top]
    pairs = list(zip(lists, relevant, strict=True))
    return {
        "ndcg@10": _mean(metrics.ndcg_at_k(r, rel, k) for r, rel in pairs),
        "recall@10": _mean(metrics.recall_at_k(r, rel, k) for r, rel in pairs),
        "capped_recall@10": _mean(capped_recall_at_k(r, rel, k) for r, rel in pairs),
        "map@10": _mean(metrics.average_precision_at_k(r, rel, k) for r, rel in pairs),
        "coverage": round(metrics.catalog_coverage(lists, n_items), 4),
        "diversity": round(metrics.mean_intra_list_diversity(lists, vectors), 4),
        "novelty": round(metrics.novelty(lists, pop_map, n_users), 4),
        "long_tail_share": round(metrics.long_tail_share(lists, tail), 4),
    }


def _mean(values) -> float:
    values = list(values)
    return round(float(np.mean(values)), 4) if values else 0.0
