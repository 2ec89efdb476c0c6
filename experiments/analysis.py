"""From the database to the statistics: what each arm served and what was attributed to it.

Attribution: an interaction belongs to an arm when its `recommendation_ref` is the ref of one
of the arm's exposures (the id the serving endpoints return). Per arm: visitors (distinct
visitor ids exposed), impressions (exposures), clicks (exposures cited by any interaction),
carts (exposures cited by an add-to-cart), converters (visitors with an attributed purchase)
and revenue per visitor (attributed purchase values summed per visitor, 0 for the others).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone

from catalog.models import Interaction, InteractionKind
from experiments import stats
from experiments.models import Experiment, Exposure

MAX_BUCKETS = 30


def _attributed(experiment: Experiment) -> tuple[list[tuple], list[tuple]]:
    exposures = list(
        Exposure.objects.filter(experiment=experiment).values_list(
            "arm_id", "ref", "visitor", "created_at"
        )
    )
    interactions = list(
        Interaction.objects.filter(
            shop=experiment.shop_id,
            recommendation_ref__in=Exposure.objects.filter(experiment=experiment).values("ref"),
        ).values_list("recommendation_ref", "kind", "value", "occurred_at")
    )
    return exposures, interactions


def collect(experiment: Experiment) -> tuple[list[stats.ArmData], dict]:
    """Per-arm data for `stats.analyse`, and the cumulative primary metric over time."""
    arms = list(experiment.arms.order_by("position"))
    exposures, interactions = _attributed(experiment)
    by_ref = {ref: (arm_id, visitor, at) for arm_id, ref, visitor, at in exposures}
    impressions = defaultdict(int)
    first_seen: dict[int, dict[str, datetime]] = defaultdict(dict)
    exposure_times: dict[int, list[datetime]] = defaultdict(list)
    for arm_id, _ref, visitor, at in exposures:
        impressions[arm_id] += 1
        exposure_times[arm_id].append(at)
        seen = first_seen[arm_id]
        if visitor not in seen or at < seen[visitor]:
            seen[visitor] = at
    clicked: dict[str, datetime] = {}
    carted: set[str] = set()
    revenue: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    first_purchase: dict[int, dict[str, datetime]] = defaultdict(dict)
    for ref, kind, value, at in interactions:
        arm_id, visitor, _ = by_ref[ref]
        if ref not in clicked or at < clicked[ref]:
            clicked[ref] = at
        if kind == InteractionKind.CART:
            carted.add(ref)
        elif kind == InteractionKind.PURCHASE:
            revenue[arm_id][visitor] += float(value or 0)
            bought = first_purchase[arm_id]
            if visitor not in bought or at < bought[visitor]:
                bought[visitor] = at
    clicks = defaultdict(int)
    click_times: dict[int, list[datetime]] = defaultdict(list)
    for ref, at in clicked.items():
        arm_id = by_ref[ref][0]
        clicks[arm_id] += 1
        click_times[arm_id].append(at)
    carts = defaultdict(int)
    for ref in carted:
        carts[by_ref[ref][0]] += 1

    data = []
    for arm in arms:
        visitors = len(first_seen[arm.pk])
        values = np.zeros(visitors)
        spent = list(revenue[arm.pk].values())
        values[: len(spent)] = spent
        data.append(
            stats.ArmData(
                name=arm.name,
                weight=arm.weight,
                visitors=visitors,
                impressions=impressions[arm.pk],
                clicks=clicks[arm.pk],
                carts=carts[arm.pk],
                converters=len(first_purchase[arm.pk]),
                revenue=values,
            )
        )
    if experiment.metric == "ctr":
        units = {arm.pk: exposure_times[arm.pk] for arm in arms}
        successes = {arm.pk: click_times[arm.pk] for arm in arms}
    else:
        units = {arm.pk: list(first_seen[arm.pk].values()) for arm in arms}
        successes = {arm.pk: list(first_purchase[arm.pk].values()) for arm in arms}
    return data, _timeline(experiment, arms, units, successes)


def _timeline(experiment: Experiment, arms: list, units: dict, successes: dict) -> dict:
    """Cumulative primary rate per arm at the end of each hour (or day, for long runs)."""
    start = experiment.started_at or experiment.created_at
    end = experiment.stopped_at or timezone.now()
    if end <= start:
        return {"edges": [], "series": []}
    step = timedelta(hours=1) if end - start <= timedelta(days=2) else timedelta(days=1)
    count = min(MAX_BUCKETS, int((end - start) / step) + 1)
    step = max(step, (end - start) / count)
    edges = [start + step * (i + 1) for i in range(count)]
    edge_stamps = np.array([edge.timestamp() for edge in edges])
    series = []
    for arm in arms:
        unit_stamps = np.sort([at.timestamp() for at in units[arm.pk]])
        success_stamps = np.sort([at.timestamp() for at in successes[arm.pk]])
        n = np.searchsorted(unit_stamps, edge_stamps, side="right")
        s = np.searchsorted(success_stamps, edge_stamps, side="right")
        rates = [float(si / ni) if ni else None for si, ni in zip(s, n, strict=True)]
        series.append({"name": arm.name, "rates": rates, "units": [int(x) for x in n]})
    return {"edges": edges, "series": series}


def analyse_experiment(experiment: Experiment) -> dict:
    """The full analysis (see stats.analyse) plus the timeline for the chart."""
    data, timeline = collect(experiment)
    result = stats.analyse(
        data,
        metric=experiment.metric,
        alpha=experiment.alpha,
        sample_size_per_arm=experiment.sample_size_per_arm,
    )
    result["timeline"] = timeline
    return result
