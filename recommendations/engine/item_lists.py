"""Item-to-item lists: similar products (content + CF blend) and bought together (co-purchase)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from recommendations.engine.core import NEG, Rec, normalize_rows, top_n_rows


def similar_items(
    item_factors: np.ndarray,
    embeddings: np.ndarray | None,
    available: np.ndarray,
    n: int,
    *,
    content_weight: float = 0.5,
    block: int = 1024,
    progress: Callable[[int], None] | None = None,
) -> list[list[Rec]]:
    """For every item, the n most similar available items.

    Similarity = w * embedding cosine + (1 - w) * cosine of ALS item factors. Items without
    interactions have zero factors, so for them only the content part counts. The reason is
    "similar_to" when the content part dominates, else "also_liked" (same customers).
    """
    n_items = item_factors.shape[0]
    Vn = normalize_rows(item_factors)
    w = content_weight if embeddings is not None else 0.0
    out: list[list[Rec]] = []
    for start in range(0, n_items, block):
        stop = min(start + block, n_items)
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
        rows = zip(best.tolist(), best_scores.tolist(), reasons, keep, strict=True)
        for offset, (items, values, why, kept) in enumerate(rows):
            via = [start + offset] * len(items)
            recs = map(Rec._make, zip(items, values, why, via, strict=True))
            out.append([rec for rec, ok in zip(recs, kept, strict=True) if ok])
        if progress is not None:
            progress(stop)
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
    out: list[list[Rec]] = []
    for item in range(co.shape[0]):
        lo, hi = co.indptr[item], co.indptr[item + 1]
        others = co.indices[lo:hi]
        together = co.data[lo:hi]
        keep = (together >= min_support) & available[others]
        others, together = others[keep], together[keep]
        if len(others) == 0:
            out.append([])
            continue
        lift = together * n_users / (counts[item] * counts[others])
        order = np.lexsort((-lift, -together))[:n]
        out.append(
            [Rec(int(others[j]), float(together[j]), "bought_together", item) for j in order]
        )
    return out
