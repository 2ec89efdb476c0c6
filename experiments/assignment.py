"""Deterministic assignment of a visitor to an arm: a hash, no database row.

The same visitor gets the same arm in every session and on every web process; the salt is per
experiment, so arms of two experiments are independent. BLAKE2b is in the standard library and
spreads consecutive ids ("cust-1", "cust-2", ...) evenly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_SCALE = float(1 << 64)


def bucket(salt: str, visitor: str) -> float:
    """A number in [0, 1) fixed by (salt, visitor)."""
    digest = hashlib.blake2b(f"{salt}:{visitor}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE


def assign(salt: str, visitor: str, weights: Sequence[int]) -> int:
    """The index of the arm for `visitor`, arms taking shares of [0, 1) by weight."""
    total = sum(weights)
    point = bucket(salt, visitor) * total
    cumulative = 0
    for index, weight in enumerate(weights):
        cumulative += weight
        if point < cumulative:
            return index
    return len(weights) - 1
