"""Who gets shown: exposure in a run's stored customer lists against the share of the catalog.

Plain arrays, no Django. Every recommended slot is one unit of exposure. For the long tail (items
outside the most popular 20% of the in-stock catalog), for each category and each brand, the
report compares the share of slots a group gets with its share of the catalog; a ratio of 1 is
exposure in proportion to catalog presence, above 1 over-exposed, below 1 under-exposed. The few
largest groups are listed and the rest summed into "Other".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

HEAD_SHARE = 0.2
TOP_GROUPS = 6
NONE_LABEL = "(none)"


def long_tail_mask(popularity: np.ndarray, universe: np.ndarray, head_share: float = HEAD_SHARE):
    """Items of `universe` (bool mask) outside its `head_share` most popular (ties by index)."""
    items = np.flatnonzero(universe)
    order = items[np.argsort(-popularity[items], kind="stable")]
    head = order[: math.ceil(len(order) * head_share)]
    tail = universe.copy()
    tail[head] = False
    return tail


def _row(name: str, catalog: float, exposure: float) -> dict:
    return {
        "name": name,
        "catalog_share": round(catalog, 4),
        "exposure_share": round(exposure, 4),
        "ratio": round(exposure / catalog, 2) if catalog > 0 else None,
    }


def group_exposure(
    labels: Sequence[str], universe: np.ndarray, slots: np.ndarray, top: int = TOP_GROUPS
) -> list[dict]:
    """Rows for the `top` groups (by the larger of catalog and exposure share), then "Other"."""
    names = [label or NONE_LABEL for label in labels]
    catalog = Counter(names[i] for i in np.flatnonzero(universe))
    exposed = Counter(names[i] for i in slots)
    n_catalog = max(sum(catalog.values()), 1)
    n_slots = max(len(slots), 1)
    ranked = sorted(
        set(catalog) | set(exposed),
        key=lambda name: (-max(catalog[name] / n_catalog, exposed[name] / n_slots), name),
    )
    rows = [_row(name, catalog[name] / n_catalog, exposed[name] / n_slots) for name in ranked[:top]]
    rest = ranked[top:]
    if rest:
        rows.append(
            _row(
                f"Other ({len(rest)})",
                sum(catalog[name] for name in rest) / n_catalog,
                sum(exposed[name] for name in rest) / n_slots,
            )
        )
    return rows


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values: 0 = all equal, towards 1 = all on one."""
    values = np.sort(np.asarray(values, dtype=np.float64))
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, len(values) + 1)
    return float(
        (2 * (ranks * values).sum()) / (len(values) * total) - (len(values) + 1) / len(values)
    )


def exposure_report(
    lists: Sequence[Sequence[int]],
    popularity: np.ndarray,
    *,
    categories: Sequence[str],
    brands: Sequence[str] | None = None,
    available: np.ndarray | None = None,
    head_share: float = HEAD_SHARE,
    top: int = TOP_GROUPS,
) -> dict:
    """The fairness report of one set of lists (item indices per customer), JSON-ready."""
    n_items = len(popularity)
    popularity = np.asarray(popularity, dtype=np.float32)
    universe = np.ones(n_items, bool) if available is None else np.asarray(available, bool).copy()
    if not universe.any():
        universe = np.ones(n_items, bool)
    slots = np.array([int(i) for items in lists for i in items if i >= 0], dtype=np.int64)
    tail = long_tail_mask(popularity, universe, head_share)
    n_universe = int(universe.sum())
    tail_catalog = float(tail.sum()) / n_universe if n_universe else 0.0
    tail_exposure = float(tail[slots].mean()) if len(slots) else 0.0
    counts = np.bincount(slots, minlength=n_items)[universe] if len(slots) else np.zeros(1)
    report = {
        "slots": int(len(slots)),
        "catalog_items": n_universe,
        "items_shown_share": round(float((counts > 0).mean()), 4) if len(slots) else 0.0,
        "exposure_gini": round(gini(counts), 4),
        "long_tail": {
            "head_share": head_share,
            **_row("Long tail", tail_catalog, tail_exposure),
        },
        "categories": group_exposure(categories, universe, slots, top),
        "brands": group_exposure(brands, universe, slots, top) if brands and any(brands) else [],
    }
    shares = [report["long_tail"]["catalog_share"], report["long_tail"]["exposure_share"]]
    for row in report["categories"] + report["brands"]:
        shares += [row["catalog_share"], row["exposure_share"]]
    # The charts' common scale (the run page draws bars against it).
    report["max_share"] = round(max(shares + [0.01]), 4)
    return report
