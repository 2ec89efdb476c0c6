"""Tuning each candidate's few key settings within a time budget.

`tune` tries, round robin over the candidates, the next setting of each one's short list
(`GRIDS`, most promising first; the defaults are always tried first) until the budget is spent,
and keeps each candidate's best by the scores `evaluate_params` returns: the best NDCG@10, a
near tie (within TIE_TOLERANCE) going to the wider catalog coverage, as between candidates. The
caller decides what the scores are measured on: the run's evaluation measures them on a validation
split carved from the training side (the interactions before the hold-out), so the hold-out
that picks the served model and reports its figures is never tuned on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

GRIDS: dict[str, list[dict]] = {
    "als": [
        {"factors": 64, "regularization": 0.05, "alpha": 2.0, "weighting": "confidence"},
        {"factors": 64, "regularization": 0.01, "alpha": 1.0, "weighting": "bm25"},
        {"factors": 128, "regularization": 0.05, "alpha": 1.0, "weighting": "bm25"},
        {"factors": 32, "regularization": 0.1, "alpha": 10.0, "weighting": "confidence"},
        {"factors": 128, "regularization": 0.5, "alpha": 5.0, "weighting": "confidence"},
        {"factors": 32, "regularization": 0.01, "alpha": 1.0, "weighting": "bm25"},
    ],
    "bpr": [
        {"factors": 64, "learning_rate": 0.01},
        {"factors": 64, "learning_rate": 0.05},
        {"factors": 128, "learning_rate": 0.05},
        {"factors": 32, "learning_rate": 0.1},
    ],
    "item_knn": [
        {"similarity": "bm25", "K": 100, "K1": 1.2, "B": 0.75},
        {"similarity": "cosine", "K": 50},
        {"similarity": "bm25", "K": 200, "K1": 1.2, "B": 0.75},
        {"similarity": "cosine", "K": 20},
        {"similarity": "cosine", "K": 200},
        {"similarity": "bm25", "K": 50, "K1": 100.0, "B": 0.8},
        {"similarity": "bm25", "K": 30, "K1": 1.2, "B": 0.75},
    ],
    "ease": [
        {"lambda": 200.0},
        {"lambda": 50.0},
        {"lambda": 500.0},
        {"lambda": 1000.0},
        {"lambda": 20.0},
        {"lambda": 3000.0},
    ],
    "popularity": [{}],
}


# Scores within this share of the best NDCG@10 count as tied; the tie goes to coverage.
TIE_TOLERANCE = 0.02


def pick_winner(rows: list[dict]) -> dict:
    """The best "ndcg@10"; rows within TIE_TOLERANCE of it are tied, the widest "coverage" of
    those wins (then the higher NDCG)."""
    best = max(row["ndcg@10"] for row in rows)
    tied = [row for row in rows if row["ndcg@10"] >= best * (1.0 - TIE_TOLERANCE)]
    return max(tied, key=lambda row: (row.get("coverage", 0.0), row["ndcg@10"]))


@dataclass
class Tuned:
    params: dict
    score: float | None
    tried: list[dict] = field(default_factory=list)  # [{"params", "score", "seconds"}]


def tune(
    names: list[str],
    defaults: dict[str, dict],
    evaluate_params: Callable[[str, dict], dict | None],
    budget_s: float,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Tuned]:
    """Best settings per candidate. `evaluate_params(name, params)` returns the validation
    scores ({"ndcg@10", "coverage"}) or None when the candidate cannot run (then it is not tried
    again).

    With `budget_s` <= 0 nothing is tried and every candidate keeps its defaults. A setting is
    started only when the time it is expected to take (its candidate's slowest try so far) still
    fits in the budget, so a run overshoots by at most one short try.
    """
    results = {name: Tuned(dict(defaults.get(name, {})), None) for name in names}
    if budget_s <= 0:
        return results
    started = clock()
    queues: dict[str, list[dict]] = {}
    for name in names:
        default = dict(defaults.get(name, {}))
        grid = [{**default, **params} for params in GRIDS.get(name, [{}])]
        queue = [default] + [params for params in grid if params != default]
        queues[name] = queue
    slowest: dict[str, float] = {}
    progress = True
    while progress:
        progress = False
        for name in names:
            queue = queues[name]
            if not queue:
                continue
            left = budget_s - (clock() - started)
            if left <= 0 or slowest.get(name, 0.0) > left:
                queue.clear()
                continue
            params = queue.pop(0)
            tick = clock()
            scores = evaluate_params(name, params)
            seconds = clock() - tick
            slowest[name] = max(slowest.get(name, 0.0), seconds)
            if scores is None:
                queue.clear()
                continue
            results[name].tried.append({"params": params, **scores, "seconds": round(seconds, 3)})
            progress = True
    for tuned in results.values():
        if tuned.tried:
            best = pick_winner(tuned.tried)
            tuned.params, tuned.score = dict(best["params"]), best["ndcg@10"]
    return results
