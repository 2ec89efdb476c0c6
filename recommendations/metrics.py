"""Offline ranking metrics as pure functions (no Django, no numpy needed for the ranking ones).

`recommended` is a ranked list of item ids, `relevant` the set of held-out items of one user.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def dcg_at_k(recommended: Sequence, relevant: set, k: int = 10) -> float:
    return sum(
        1.0 / math.log2(rank + 2) for rank, item in enumerate(recommended[:k]) if item in relevant
    )


def ndcg_at_k(recommended: Sequence, relevant: set, k: int = 10) -> float:
    """DCG of the list over the DCG of a perfect list (binary relevance)."""
    if not relevant:
        return 0.0
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return dcg_at_k(recommended, relevant, k) / ideal


def recall_at_k(recommended: Sequence, relevant: set, k: int = 10) -> float:
    """Share of the held-out items found in the top k."""
    if not relevant:
        return 0.0
    return len(set(recommended[:k]) & relevant) / len(relevant)


def average_precision_at_k(recommended: Sequence, relevant: set, k: int = 10) -> float:
    """AP@k: mean of precision@i at each hit i, over min(|relevant|, k)."""
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for rank, item in enumerate(recommended[:k]):
        if item in relevant:
            hits += 1
            total += hits / (rank + 1)
    return total / min(len(relevant), k)


def catalog_coverage(lists: Iterable[Sequence], n_items: int) -> float:
    """Share of the catalog that appears in at least one list."""
    if n_items <= 0:
        return 0.0
    seen: set = set()
    for items in lists:
        seen.update(items)
    return len(seen) / n_items


def intra_list_diversity(items: Sequence, vectors: Mapping | Sequence) -> float:
    """1 - mean pairwise cosine similarity of the items' unit vectors (0 for fewer than 2)."""
    if len(items) < 2:
        return 0.0
    total = 0.0
    pairs = 0
    for a in range(len(items)):
        va = vectors[items[a]]
        for b in range(a + 1, len(items)):
            vb = vectors[items[b]]
            total += float(sum(x * y for x, y in zip(va, vb, strict=True)))
            pairs += 1
    return 1.0 - total / pairs


def novelty(lists: Iterable[Sequence], popularity: Mapping, n_users: int) -> float:
    """Mean self-information -log2(p(i)) of recommended items, p(i) = users of i / users.

    Items nobody used count as used by one user (no infinite values).
    """
    values = []
    for items in lists:
        for item in items:
            p = max(popularity.get(item, 0), 1) / max(n_users, 1)
            values.append(-math.log2(min(p, 1.0)))
    return sum(values) / len(values) if values else 0.0


def long_tail_items(popularity: Mapping, all_items: Iterable, head_share: float = 0.2) -> set:
    """Items outside the most popular `head_share` of the catalog."""
    ranked = sorted(all_items, key=lambda item: (-popularity.get(item, 0), str(item)))
    head = set(ranked[: math.ceil(len(ranked) * head_share)])
    return set(ranked) - head


def long_tail_share(lists: Iterable[Sequence], tail: set) -> float:
    """Share of all recommended slots that go to long-tail items."""
    total = 0
    in_tail = 0
    for items in lists:
        total += len(items)
        in_tail += sum(1 for item in items if item in tail)
    return in_tail / total if total else 0.0


def mean_intra_list_diversity(lists: Sequence[Sequence[int]], vectors) -> float:
    """Vectorised `intra_list_diversity` averaged over lists; `vectors` is an (items, d) array."""
    import numpy as np

    values = []
    for items in lists:
        if len(items) < 2:
            continue
        block = np.asarray(vectors[list(items)], dtype=np.float32)
        gram = block @ block.T
        n = len(items)
        mean_cos = (gram.sum() - np.trace(gram)) / (n * (n - 1))
        values.append(1.0 - float(mean_cos))
    return float(np.mean(values)) if values else 0.0
