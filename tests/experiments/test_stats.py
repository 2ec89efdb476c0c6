"""The statistics on simulated traffic (counts drawn with numpy; no database)."""

from __future__ import annotations

import numpy as np

from experiments import stats

BASE, LIFT, ALPHA, POWER = 0.10, 0.10, 0.05, 0.8


def _arm(
    name: str, visitors: int, converters: int, weight: int = 50, revenue: bool = True
) -> stats.ArmData:
    """`revenue=False`: no per-visitor values (the simulations test the primary metric only)."""
    spent = np.zeros(visitors if revenue else 0)
    spent[:converters] = 30.0
    return stats.ArmData(
        name=name,
        weight=weight,
        visitors=visitors,
        impressions=visitors,
        clicks=converters,
        carts=converters,
        converters=converters,
        revenue=spent,
    )


def _simulate(rng, n: int, p_control: float, p_challenger: float) -> dict:
    return stats.analyse(
        [
            _arm("A", n, int(rng.binomial(n, p_control)), revenue=False),
            _arm("B", n, int(rng.binomial(n, p_challenger)), revenue=False),
        ],
        metric="conversion",
        alpha=ALPHA,
        sample_size_per_arm=n,
    )


def test_sample_size_matches_the_textbook_figure():
    # 10% -> 11% at alpha 0.05, power 0.8: about 14,750 per arm (Cohen's h, normal test).
    n = stats.required_sample_size(BASE, LIFT, ALPHA, POWER)
    assert 14_500 < n < 15_000
    assert stats.required_sample_size(BASE, 0.2, ALPHA, POWER) < n / 3


def test_ten_percent_better_arm_is_found_at_the_preregistered_sample():
    """At the planned sample, a real +10% lift is declared a winner about `power` of the time."""
    n = stats.required_sample_size(BASE, LIFT, ALPHA, POWER)
    rng = np.random.default_rng(7)
    results = [_simulate(rng, n, BASE, BASE * (1 + LIFT)) for _ in range(300)]
    found = sum(r["verdict"] == "winner" and r["winner_name"] == "B" for r in results) / 300
    assert 0.72 <= found <= 0.88, found
    # Never the wrong way round.
    assert not any(r["winner_name"] == "A" for r in results)


def test_no_difference_stays_non_significant_at_alpha():
    n = stats.required_sample_size(BASE, LIFT, ALPHA, POWER)
    rng = np.random.default_rng(11)
    results = [_simulate(rng, n, BASE, BASE) for _ in range(300)]
    false_winners = sum(r["verdict"] == "winner" for r in results) / 300
    assert false_winners <= 0.08, false_winners


def test_worse_challenger_makes_the_control_the_winner():
    n = stats.required_sample_size(BASE, LIFT, ALPHA, POWER)
    result = _simulate(np.random.default_rng(3), n, BASE * 1.2, BASE)
    assert result["verdict"] == "winner" and result["winner"] == 0


def test_no_verdict_before_the_preregistered_sample():
    """Peeking: even a large observed difference is only provisional below the sample."""
    n = stats.required_sample_size(BASE, LIFT, ALPHA, POWER)
    result = stats.analyse(
        [_arm("A", 2000, 200), _arm("B", 2000, 300)],
        metric="conversion",
        alpha=ALPHA,
        sample_size_per_arm=n,
    )
    assert result["verdict"] == "collecting"
    assert result["winner"] is None
    assert result["comparisons"][0]["significant"]  # shown, but not acted on
    assert 0.13 < result["progress"] < 0.14


def test_sample_ratio_mismatch_is_flagged():
    ok = stats.sample_ratio_mismatch([5030, 4970], [50, 50])
    bad = stats.sample_ratio_mismatch([5300, 4700], [50, 50])
    assert not ok["mismatch"] and bad["mismatch"]
    result = stats.analyse(
        [_arm("A", 20000, 2000), _arm("B", 17000, 2200)],
        metric="conversion",
        alpha=ALPHA,
        sample_size_per_arm=100,
    )
    assert result["verdict"] == "srm" and result["winner"] is None


def test_intervals_cover_the_rates_and_revenue():
    result = stats.analyse(
        [_arm("A", 1000, 100), _arm("B", 1000, 150)],
        metric="conversion",
        alpha=ALPHA,
        sample_size_per_arm=10,
    )
    a, b = result["arms"]
    assert a["conversion"]["low"] < 0.10 < a["conversion"]["high"]
    assert b["revenue_per_visitor"]["mean"] == 4.5
    assert b["revenue_per_visitor"]["low"] < 4.5 < b["revenue_per_visitor"]["high"]
    revenue = result["comparisons"][0]["revenue_per_visitor"]
    assert revenue["difference"] == 1.5 and revenue["p_value"] < 0.05
