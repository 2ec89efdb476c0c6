"""Before/after figures of an encoder on the shop's own held-out data.

- Retrieval hit@5: each held-out question (published answers' cited facts, FAQ entries) is
  embedded and searched among the facts of the shop's answers index (a question about one
  product among that product's facts and the shop-wide FAQ, as answers searches); a hit is the
  answering fact in the top 5.
- Content-only NDCG@10 on the recommender's temporal hold-out (the last 20% of interactions by
  time): a customer's profile is the event-weighted mean of the vectors of what they touched
  before the cut; products are ranked by cosine to it (no collaborative signal, so the figure
  moves only with the encoder), what they already had left out; relevant = what they touched
  after the cut and had not before (as in recommendations.engine.evaluation).
- The contrastive loss on held-out pairs, when the encoder is a transformer.

`is_better` decides activation: no measured figure drops by more than TOLERANCE and at least one
rises by MIN_GAIN or more. A version with nothing measurable is never "better".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from recommendations import metrics
from recommendations.engine.core import DEFAULT_EVENT_WEIGHTS
from training.encoder_data import EncoderDataset, RecommendationData, RetrievalCase

Embed = Callable[[list[str]], np.ndarray]
# hit@1 too: extractive answers quote the top fact, and a product's question is searched
# among that product's dozen facts, where hit@5 is near 1 for any decent encoder.
FIGURES = ("retrieval_hit@1", "retrieval_hit@5", "content_ndcg@10")
MIN_GAIN = 0.005
TOLERANCE = 0.002
MAX_CUSTOMERS = 3000


def retrieval_hits(
    embed: Embed,
    cases: list[RetrievalCase],
    corpus: list[str],
    corpus_products: list[int | None] | None = None,
    ks: tuple[int, ...] = (1, 5),
) -> dict[int, dict | None]:
    """hit@k for each k over all cases and per source (None when there is nothing to ask). A
    case with a product is searched among that product's facts and the shop-wide ones (as
    answers does)."""
    if not cases or not corpus:
        return {k: None for k in ks}
    position = {text: i for i, text in enumerate(corpus)}
    owners = np.array(
        [-1 if p is None else p for p in (corpus_products or [None] * len(corpus))],
        dtype=np.int64,
    )
    corpus_vectors = embed(corpus)
    query_vectors = embed([case.query for case in cases])
    scores = query_vectors @ corpus_vectors.T
    ranks: dict[str, list[int]] = {}
    for row, case in enumerate(cases):
        row_scores = scores[row]
        if case.product_id is not None:
            allowed = (owners == case.product_id) | (owners == -1)
            row_scores = np.where(allowed, row_scores, -np.inf)
        target = position.get(case.target, -1)
        rank = int((row_scores > row_scores[target]).sum()) if target >= 0 else len(corpus)
        ranks.setdefault(case.source, []).append(rank)
    every = [rank for found in ranks.values() for rank in found]
    return {
        k: {
            "value": round(float(np.mean([rank < k for rank in every])), 4),
            "cases": len(every),
            "by_source": {
                source: round(float(np.mean([rank < k for rank in found])), 4)
                for source, found in ranks.items()
            },
        }
        for k in ks
    }


def content_ndcg(
    embed: Embed, data: RecommendationData, k: int = 10, max_customers: int = MAX_CUSTOMERS
):
    """Content-only NDCG@k on the temporal hold-out; None without one."""
    if data.cutoff is None or not data.product_ids:
        return None
    train = data.timestamps < data.cutoff
    weights = np.array([DEFAULT_EVENT_WEIGHTS.get(kind, 1.0) for kind in data.kinds])
    history: dict[int, dict[int, float]] = {}
    for user, item, weight in zip(
        data.users[train], data.items[train], weights[train], strict=True
    ):
        seen = history.setdefault(int(user), {})
        seen[int(item)] = seen.get(int(item), 0.0) + float(weight)
    relevant: dict[int, set[int]] = {}
    for user, item in zip(data.users[~train], data.items[~train], strict=True):
        user, item = int(user), int(item)
        if user in history and item not in history[user]:
            relevant.setdefault(user, set()).add(item)
    customers = sorted(relevant)[:max_customers]
    if not customers:
        return None
    vectors = embed(data.product_texts)
    scores_sum = []
    for user in customers:
        seen = history[user]
        items = np.fromiter(seen, dtype=np.int64)
        profile = (vectors[items] * np.fromiter(seen.values(), dtype=np.float32)[:, None]).sum(0)
        scores = vectors @ profile
        scores[items] = -np.inf
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        top = top[np.argsort(-scores[top])]
        scores_sum.append(metrics.ndcg_at_k(top.tolist(), relevant[user], k))
    return {"value": round(float(np.mean(scores_sum)), 4), "customers": len(customers)}


def evaluate_encoder(embed: Embed, dataset: EncoderDataset) -> dict:
    """{"retrieval_hit@1": ..., "retrieval_hit@5": ..., "content_ndcg@10": ...}, each
    {"value", ...} or None when not measurable."""
    hits = retrieval_hits(embed, dataset.retrieval_cases, dataset.corpus, dataset.corpus_products)
    return {
        "retrieval_hit@1": hits[1],
        "retrieval_hit@5": hits[5],
        "content_ndcg@10": content_ndcg(embed, dataset.recommendation),
    }


def figure(evaluation: dict, name: str) -> float | None:
    value = (evaluation or {}).get(name)
    return value.get("value") if isinstance(value, dict) else None


def is_better(before: dict, after: dict) -> tuple[bool, str]:
    """Whether `after` should replace `before`, and why (a sentence for the merchant)."""
    measured = [
        (name, figure(before, name), figure(after, name))
        for name in FIGURES
        if figure(before, name) is not None and figure(after, name) is not None
    ]
    if not measured:
        return False, "Nothing to measure yet: no held-out questions and no temporal hold-out."
    worse = [name for name, old, new in measured if new < old - TOLERANCE]
    if worse:
        return False, "Worse on " + ", ".join(worse) + "."
    gains = [name for name, old, new in measured if new >= old + MIN_GAIN]
    if not gains:
        return False, f"No figure rose by at least {MIN_GAIN:.3f}."
    return True, "Better on " + ", ".join(gains) + "."


def side_by_side(before: dict, after: dict) -> list[dict]:
    """Rows {name, before, after, change} for pages and the benchmark."""
    rows = []
    for name in FIGURES:
        old, new = figure(before, name), figure(after, name)
        change = round(new - old, 4) if old is not None and new is not None else None
        rows.append({"name": name, "before": old, "after": new, "change": change})
    return rows
