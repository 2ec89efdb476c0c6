"""Assignment is a pure hash: stable per visitor, salted per experiment, split as planned."""

from __future__ import annotations

from collections import Counter

import pytest

from experiments.assignment import assign

N = 100_000


@pytest.mark.parametrize("weights", [(50, 50), (90, 10), (20, 30, 50)])
def test_split_is_within_tolerance_over_100000_customers(weights):
    counts = Counter(assign("salt-1", f"cust-{i}", weights) for i in range(N))
    for index, weight in enumerate(weights):
        share = counts[index] / N
        # Binomial sd at n=100k is below 0.0016; 0.006 is almost 4 sd.
        assert abs(share - weight / sum(weights)) < 0.006, (index, share)


def test_assignment_is_stable_across_calls():
    first = [assign("salt-1", f"cust-{i}", (50, 50)) for i in range(1000)]
    again = [assign("salt-1", f"cust-{i}", (50, 50)) for i in range(1000)]
    assert first == again


def test_salt_makes_experiments_independent():
    a = [assign("salt-1", f"cust-{i}", (50, 50)) for i in range(N // 10)]
    b = [assign("salt-2", f"cust-{i}", (50, 50)) for i in range(N // 10)]
    same = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    # Independent halves agree about half the time; equal salts would agree always.
    assert 0.47 < same < 0.53
