"""Whether a run must select its model afresh or may reuse the last selection.

Selecting (every candidate tuned, fitted and scored on the temporal hold-out) is most of a run's
time; it can only change its answer when the data or the settings changed enough. A run reuses
the selection (the winner and its tuned settings; the leaderboard shown is that run's) of the
run whose leaderboard picked the served model when all of these hold:

- the settings are those of that run (`top_n` aside: the hold-out is always scored at 10);
- interactions added plus removed since are at most MAX_GROWTH of that run's interactions, and
  the catalog's size moved by at most MAX_GROWTH too;
- that run finished at most MAX_AGE_DAYS ago;
- nobody asked for a fresh selection (the run option `fresh_selection`).

Why these limits: the hold-out is the latest 20% of interactions by time. With at most 10% new
interactions, the new hold-out (20% of 1.1x) still shares more than half its rows with the one
that picked the winner, so the winner is scored on mostly the same evidence; leaderboard gaps
between candidates on real logs are usually larger than what that shift moves (a re-run on the
same data reproduces the ranking). Seven days bounds drift the counts do not see (seasonality,
a changed assortment with the same size): a nightly shop re-selects weekly at the latest. A
year-long log grows ~2% a week, so in practice the age limit decides first.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from catalog.models import Interaction
from recommendations import run_output
from recommendations.models import RecommendationRun

MAX_GROWTH = 0.10
MAX_AGE_DAYS = 7
# Settings the selection does not read.
_IGNORED_SETTINGS = ("top_n",)


@dataclass
class Decision:
    origin: RecommendationRun | None  # the run whose selection is reused; None: select afresh
    reason: str
    growth: float | None = None

    def note(self) -> dict:
        """What the run's metrics record under "selection" (the page and the API show it)."""
        note: dict = {"reused_from": self.origin.pk if self.origin else None}
        note["reason"] = self.reason
        if self.growth is not None:
            note["data_growth"] = round(self.growth, 4)
        return note


def decide(run: RecommendationRun, data: run_output.ShopData, snapshot: dict) -> Decision:
    params = run.job.params if run.job_id else {}
    if (params or {}).get("fresh_selection"):
        return Decision(None, "A fresh selection was asked for.")
    latest = (
        RecommendationRun.objects.for_shop(run.shop)
        .succeeded()
        .exclude(pk=run.pk)
        .select_related("job")
        .order_by("-pk")
        .first()
    )
    if latest is None:
        return Decision(None, "First run: no earlier selection.")
    origin_id = (latest.metrics or {}).get("selection", {}).get("reused_from")
    origin = latest
    if origin_id:
        origin = (
            RecommendationRun.objects.filter(pk=origin_id, shop=run.shop)
            .select_related("job")
            .first()
        )
    if origin is None or not (origin.metrics or {}).get("served"):
        return Decision(None, "The last run has no selection to reuse.")
    if _comparable(origin.settings or {}) != _comparable(snapshot):
        return Decision(None, f"Settings changed since run #{origin.pk}.")
    finished = origin.job.finished_at or origin.created_at
    age = timezone.now() - finished
    if age > timedelta(days=MAX_AGE_DAYS):
        return Decision(
            None,
            f"Run #{origin.pk}'s selection is {age.days} days old (limit {MAX_AGE_DAYS}).",
        )
    growth = _growth(origin, data)
    if growth == float("inf"):
        return Decision(None, f"Run #{origin.pk} did not record the size of its data.")
    if growth > MAX_GROWTH:
        return Decision(
            None,
            f"Data changed by {growth:.1%} since run #{origin.pk} (limit {MAX_GROWTH:.0%}).",
            growth,
        )
    return Decision(
        origin,
        f"Reused run #{origin.pk}'s selection: data changed by {growth:.1%} (limit "
        f"{MAX_GROWTH:.0%}), same settings, {age.days} day(s) old (limit {MAX_AGE_DAYS}).",
        growth,
    )


def reused_metrics(decision: Decision) -> dict:
    """The origin's metrics (leaderboard, served winner with its tuned settings), noted."""
    metrics = copy.deepcopy(decision.origin.metrics)
    metrics["selection"] = decision.note()
    return metrics


def _comparable(settings: dict) -> dict:
    return {name: value for name, value in settings.items() if name not in _IGNORED_SETTINGS}


def _growth(origin: RecommendationRun, data: run_output.ShopData) -> float:
    """The larger of: interactions added + removed since `origin` over its count, and the
    change of the catalog's size over its size then."""
    stats = origin.stats or {}
    before = int(stats.get("interactions") or 0)
    if before <= 0 or origin.last_interaction_id is None:
        return float("inf")
    added = 0
    if data.last_id is not None and data.last_id > origin.last_interaction_id:
        added = (
            Interaction.objects.for_shop(origin.shop)
            .filter(pk__gt=origin.last_interaction_id, pk__lte=data.last_id)
            .count()
        )
    removed = max(0, before - (len(data.users) - added))
    products_before = int(stats.get("products") or 0)
    catalog = abs(len(data.product_ids) - products_before) / max(products_before, 1)
    return max((added + removed) / before, catalog)
