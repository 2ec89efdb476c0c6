"""The statistics of an experiment, from counts, through statsmodels and scipy.

Design (fixed horizon, pre-registered): when an experiment is created its primary metric,
baseline rate, minimum detectable relative lift, alpha and power fix the sample per arm
(`required_sample_size`, statsmodels' NormalIndPower on Cohen's h). Figures and intervals are
shown live, but no verdict is given before every arm has reached that sample: until then the
analysis says "provisional" and the pages warn that looking and stopping early inflates false
positives (the classic peeking problem). Past the sample, each arm is compared with the control
by a two-sided z-test of two proportions (the test the power calculation assumes), with Holm's
correction when there are several challengers. Revenue per visitor is compared by Welch's t-test.
Intervals: Wilson for rates, Newcombe for differences of rates, t for means.
A sample-ratio mismatch (chi-square of visitors per arm against the split) is flagged; a
mismatched experiment is not trusted to promote a winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as scipy_stats
from scipy.stats import chisquare
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

# A sample-ratio mismatch is declared only on strong evidence: the check runs on every look.
SRM_P_THRESHOLD = 0.001


def required_sample_size(
    baseline_rate: float, minimum_effect: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Units per arm to detect a relative lift of `minimum_effect` over `baseline_rate` with a
    two-sided test at `alpha` and the given power (equal arms)."""
    if not 0 < baseline_rate < 1:
        raise ValueError("The baseline rate must be between 0 and 1.")
    treated = baseline_rate * (1 + minimum_effect)
    if not 0 < treated < 1 or minimum_effect == 0:
        raise ValueError("The minimum effect must be non-zero and keep the rate below 1.")
    effect = abs(proportion_effectsize(treated, baseline_rate))
    n = NormalIndPower().solve_power(
        effect_size=effect, alpha=alpha, power=power, ratio=1.0, alternative="two-sided"
    )
    return int(np.ceil(n))


def rate_interval(successes: int, trials: int, alpha: float = 0.05) -> dict:
    """A rate with its Wilson interval (sound at small counts and near 0)."""
    if trials == 0:
        return {"rate": None, "low": None, "high": None}
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return {"rate": successes / trials, "low": float(low), "high": float(high)}


def compare_rates(
    control: tuple[int, int], challenger: tuple[int, int], alpha: float = 0.05
) -> dict:
    """Challenger minus control: the difference, its interval (Newcombe) and the z-test's
    two-sided p-value. `control` and `challenger` are (successes, trials)."""
    (c_s, c_n), (t_s, t_n) = control, challenger
    if min(c_n, t_n) == 0:
        return {"difference": None, "low": None, "high": None, "p_value": None}
    difference = t_s / t_n - c_s / c_n
    if c_s + t_s in (0, c_n + t_n):
        # Nothing (or everything) converted in both arms: no evidence of a difference.
        return {"difference": difference, "low": None, "high": None, "p_value": 1.0}
    _, p_value = proportions_ztest([t_s, c_s], [t_n, c_n], alternative="two-sided")
    low, high = confint_proportions_2indep(
        t_s, t_n, c_s, c_n, compare="diff", method="newcomb", alpha=alpha
    )
    return {
        "difference": difference,
        "low": float(low),
        "high": float(high),
        "p_value": float(p_value),
    }


def mean_interval(values: np.ndarray, alpha: float = 0.05) -> dict:
    """Mean with its t interval (revenue per visitor: zeros for visitors who did not buy)."""
    if len(values) < 2:
        mean = float(values.mean()) if len(values) else None
        return {"mean": mean, "low": None, "high": None}
    mean = float(values.mean())
    sem = scipy_stats.sem(values)
    if sem == 0:  # every value equal
        return {"mean": mean, "low": mean, "high": mean}
    low, high = scipy_stats.t.interval(1 - alpha, len(values) - 1, loc=mean, scale=sem)
    return {"mean": mean, "low": float(low), "high": float(high)}


def compare_means(control: np.ndarray, challenger: np.ndarray, alpha: float = 0.05) -> dict:
    """Challenger minus control, Welch's t-test and interval (unequal variances)."""
    if min(len(control), len(challenger)) < 2:
        return {"difference": None, "low": None, "high": None, "p_value": None}
    difference = float(challenger.mean() - control.mean())
    if challenger.std() == 0 and control.std() == 0:
        return {"difference": difference, "low": None, "high": None, "p_value": None}
    test = scipy_stats.ttest_ind(challenger, control, equal_var=False)
    interval = test.confidence_interval(confidence_level=1 - alpha)
    return {
        "difference": difference,
        "low": float(interval.low),
        "high": float(interval.high),
        "p_value": float(test.pvalue),
    }


def sample_ratio_mismatch(observed: Sequence[int], weights: Sequence[float]) -> dict:
    """Chi-square goodness of fit of the units per arm against the planned split."""
    total = sum(observed)
    if total == 0 or len(observed) < 2:
        return {"p_value": None, "mismatch": False}
    shares = np.asarray(weights, dtype=float) / float(sum(weights))
    _, p_value = chisquare(np.asarray(observed, dtype=float), f_exp=shares * total)
    return {"p_value": float(p_value), "mismatch": bool(p_value < SRM_P_THRESHOLD)}


@dataclass
class ArmData:
    """What one arm collected. `revenue` has one value per visitor (0 for non-buyers)."""

    name: str
    weight: int
    visitors: int
    impressions: int
    clicks: int
    carts: int
    converters: int
    revenue: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def primary(self, metric: str) -> tuple[int, int]:
        """(successes, units) of the primary metric."""
        if metric == "ctr":
            return self.clicks, self.impressions
        return self.converters, self.visitors


def analyse(
    arms: Sequence[ArmData],
    *,
    metric: str,
    alpha: float,
    sample_size_per_arm: int,
) -> dict:
    """Figures per arm, each challenger against the control (arm 0), SRM, and a verdict.

    verdict: "collecting" (some arm below the pre-registered sample: provisional, no winner),
    "winner" (the challenger with the largest significant gain over the control on the primary
    metric, or the control when it is significantly better than every challenger),
    "no_difference", or "srm" (sample-ratio mismatch: do not trust the figures)."""
    rows = []
    for arm in arms:
        successes, units = arm.primary(metric)
        rows.append(
            {
                "name": arm.name,
                "weight": arm.weight,
                "visitors": arm.visitors,
                "impressions": arm.impressions,
                "clicks": arm.clicks,
                "carts": arm.carts,
                "converters": arm.converters,
                "units": units,
                "ctr": rate_interval(arm.clicks, arm.impressions, alpha),
                "conversion": rate_interval(arm.converters, arm.visitors, alpha),
                "cart_rate": rate_interval(arm.carts, arm.impressions, alpha),
                "revenue_per_visitor": mean_interval(arm.revenue, alpha),
                "primary": rate_interval(successes, units, alpha),
            }
        )
    control = arms[0]
    comparisons = []
    for arm in arms[1:]:
        comparisons.append(
            {
                "name": arm.name,
                "primary": compare_rates(control.primary(metric), arm.primary(metric), alpha),
                "revenue_per_visitor": compare_means(control.revenue, arm.revenue, alpha),
            }
        )
    p_values = [c["primary"]["p_value"] for c in comparisons]
    if len(comparisons) == 1 and p_values[0] is not None:
        # One challenger: nothing to correct (multipletests would give the same figures).
        reject, adjusted = [p_values[0] < alpha], p_values
    elif comparisons and all(p is not None for p in p_values):
        reject, adjusted, _, _ = multipletests(p_values, alpha=alpha, method="holm")
    else:
        reject, adjusted = None, None
    if reject is not None:
        for comparison, significant, p_adjusted in zip(comparisons, reject, adjusted, strict=True):
            comparison["p_adjusted"] = float(p_adjusted)
            comparison["significant"] = bool(significant)
    else:
        for comparison in comparisons:
            comparison["p_adjusted"] = None
            comparison["significant"] = False

    srm = sample_ratio_mismatch([arm.visitors for arm in arms], [arm.weight for arm in arms])
    smallest = min(arm.primary(metric)[1] for arm in arms)
    reached = smallest >= sample_size_per_arm
    winner = None
    if srm["mismatch"]:
        verdict = "srm"
    elif not reached:
        verdict = "collecting"
    else:
        better = [
            (c["primary"]["difference"], index + 1)
            for index, c in enumerate(comparisons)
            if c["significant"] and c["primary"]["difference"] > 0
        ]
        worse = [c for c in comparisons if c["significant"] and c["primary"]["difference"] < 0]
        if better:
            winner = max(better)[1]
        elif comparisons and len(worse) == len(comparisons):
            winner = 0
        verdict = "winner" if winner is not None else "no_difference"
    return {
        "metric": metric,
        "alpha": alpha,
        "sample_size_per_arm": sample_size_per_arm,
        "smallest_sample": smallest,
        "progress": min(1.0, smallest / sample_size_per_arm) if sample_size_per_arm else 1.0,
        "reached": reached,
        "arms": rows,
        "comparisons": comparisons,
        "srm": srm,
        "verdict": verdict,
        "winner": winner,
        "winner_name": arms[winner].name if winner is not None else None,
    }
