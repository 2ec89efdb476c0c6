"""Item-to-item lists: similar products (content + CF blend) and bought together (co-purchase)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from recommendations.engine.blocks import joined
from recommendations.engine.core import NEG, Rec, normalize_rows, one_blas_thread, top_n_rows


def similar_items(
    item_factors: np.ndarray,
    embeddings: np.ndarray | None,
    available: np.ndarray,
    n: int,
    *,
    content_weight: float = 0.5,
    block: int = 256,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> list[list[Rec]]:
    """For every item, the n most similar available items.

    Similarity = w * embedding cosine + (1 - w) * cosine of ALS item factors. Items without
    interactions have zero factors, so for them only the content part counts. The reason is
    "similar_to" when the content part dominates, else "also_liked" (same customers).

    BLAS runs on one thread: on a CPU shared with other work a BLAS pool mostly waits for
    itself (measured 0.31 s on one thread, 0.53 s with the pool, 3,665 items, 384-d); `workers`
    threads take blocks side by side instead (engine/blocks.py), with the same lists. Blocks
    of 256 items: 0.26 s against 0.30 s for 1,024 (3,665 items, one thread), the same lists.
    """
    n_items = item_factors.shape[0]
    Vn = normalize_rows(item_factors)
    w = content_weight if embeddings is not None else 0.0

    def lists_of(start: int) -> list[list[Rec]]:
        return _similar_block(Vn, embeddings, available, n, w, start, min(start + block, n_items))

    with one_blas_thread():
        return joined(lists_of, n_items, block, workers, progress)


def _similar_block(
    Vn: np.ndarray,
    embeddings: np.ndarray | None,
    available: np.ndarray,
    n: int,
    w: float,
    start: int,
    stop: int,
) -> list[list[Rec]]:
    cf = (Vn[start:stop] @ Vn.T) * np.float32(1.0 - w)
    content = (embeddings[start:stop] @ embeddings.T) * np.float32(w) if w > 0 else None
    scores = cf + content if content is not None else cf.copy()
    scores[:, ~available] = NEG
    rows = np.arange(stop - start)
    scores[rows, rows + start] = NEG
    best = top_n_rows(scores, n)
    safe = np.maximum(best, 0)
    best_scores = np.take_along_axis(scores, safe, axis=1)
    keep = ((best >= 0) & (best_scores > 0)).tolist()
    if content is not None:
        content_wins = np.take_along_axis(content, safe, axis=1) >= np.take_along_axis(
            cf, safe, axis=1
        )
    else:
        content_wins = np.zeros(best.shape, bool)
    reasons = np.where(content_wins, "similar_to", "also_liked").astype(object).tolist()
    out: list[list[Rec]] = []
    rows = zip(best.tolist(), best_scores.tolist(), reasons, keep, strict=True)
    for offset, (items, values, why, kept) in enumerate(rows):
        via = [start + offset] * len(items)
        recs = map(Rec._make, zip(items, values, why, via, strict=True))
        out.append([rec for rec, ok in zip(recs, kept, strict=True) if ok])
    return out


def bought_together(
    purchases: sp.csr_matrix, available: np.ndarray, n: int, *, min_support: int = 2
) -> list[list[Rec]]:
    """For every item, the items most often bought by the same customers.

    `purchases` is users x items (any positive value = bought). Ranked by co-purchase count, then
    lift = P(a and b) / (P(a) P(b)); the score stored is the count.
    """
    bought = (purchases > 0).astype(np.float32).tocsr()
    n_users = max(bought.shape[0], 1)
    counts = np.asarray(bought.sum(axis=0)).ravel()
    co = (bought.T @ bought).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    # All pairs at once: one sort by (item, -count, -lift); the sort is stable, so ties keep the
    # stored order, as a sort per item would.
    items = np.repeat(np.arange(co.shape[0]), np.diff(co.indptr))
    others, together = co.indices, co.data
    keep = (together >= min_support) & available[others]
    items, others, together = items[keep], others[keep], together[keep]
    lift = together * n_users / (counts[items] * counts[others])
    order = np.lexsort((-lift, -together, items))
    items, others, together = items[order], others[order], together[order]
    rank = np.arange(len(items)) - np.searchsorted(items, items)
    top = rank < n
    out: list[list[Rec]] = [[] for _ in range(co.shape[0])]
    rows = zip(items[top].tolist(), others[top].tolist(), together[top].tolist(), strict=True)
    for item, other, count in rows:
        out[item].append(Rec(other, count, "bought_together", item))
    return out
