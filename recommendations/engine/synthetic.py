"""Synthetic interactions with planted taste groups (tests and benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = np.array(["view", "cart", "purchase"])


@dataclass
class SyntheticData:
    users: np.ndarray
    items: np.ndarray
    kinds: np.ndarray
    timestamps: np.ndarray
    user_group: np.ndarray
    item_group: np.ndarray
    n_users: int
    n_items: int


def planted_groups(
    n_users: int,
    n_items: int,
    n_interactions: int,
    *,
    n_groups: int = 10,
    in_group: float = 0.85,
    seed: int = 0,
) -> SyntheticData:
    """Each customer belongs to one taste group and mostly touches that group's products.

    Inside a group, products follow a Zipf-like popularity; the rest of the events go to products
    drawn by global popularity (noise). Timestamps are uniform, so a temporal split is fair.
    """
    rng = np.random.default_rng(seed)
    user_group = rng.integers(0, n_groups, n_users)
    item_group = np.arange(n_items) % n_groups
    users = rng.integers(0, n_users, n_interactions)
    own = rng.random(n_interactions) < in_group
    items = np.empty(n_interactions, dtype=np.int64)
    per_group = int(np.ceil(n_items / n_groups))
    # Zipf-ish rank inside the group, then map rank -> item of that group.
    ranks = np.minimum((rng.pareto(1.2, n_interactions) * 3).astype(np.int64), per_group - 1)
    group_items = ranks * n_groups + user_group[users]
    group_items = np.where(group_items >= n_items, user_group[users], group_items)
    global_pop = 1.0 / np.arange(1, n_items + 1) ** 0.8
    global_pop /= global_pop.sum()
    noise_items = rng.choice(n_items, n_interactions, p=global_pop)
    items[own] = group_items[own]
    items[~own] = noise_items[~own]
    kinds = KINDS[rng.choice(3, n_interactions, p=[0.7, 0.2, 0.1])]
    timestamps = np.sort(rng.random(n_interactions)) * 1e6
    order = rng.permutation(n_interactions)
    return SyntheticData(
        users=users[order],
        items=items[order],
        kinds=kinds[order],
        timestamps=timestamps[order],
        user_group=user_group,
        item_group=item_group,
        n_users=n_users,
        n_items=n_items,
    )
