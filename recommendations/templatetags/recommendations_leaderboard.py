"""`{% run_leaderboard run %}`: the candidate models of a run side by side (the served one marked).

Metric names such as "ndcg@10" cannot be template lookups, so the rows are shaped here."""

from __future__ import annotations

from django import template

register = template.Library()

COLUMNS = (
    ("ndcg@10", "NDCG@10"),
    ("recall@10", "Recall@10"),
    ("capped_recall@10", "Capped recall@10"),
    ("coverage", "Coverage"),
    ("diversity", "Diversity"),
)


def leaderboard_rows(metrics: dict | None) -> list[dict]:
    rows = []
    for entry in (metrics or {}).get("leaderboard") or []:
        params = entry.get("params") or {}
        rows.append(
            {
                "name": entry.get("name", ""),
                "settings": ", ".join(f"{key} {value}" for key, value in params.items()),
                "served": bool(entry.get("served")),
                "reference": bool(entry.get("reference")),
                "skipped": entry.get("skipped", ""),
                "values": [entry.get(key) for key, _ in COLUMNS],
                "vs_plain_als": entry.get("vs_plain_als"),
                "fit_s": entry.get("fit_s"),
                "tuning_tries": entry.get("tuning_tries"),
                "relevance_order": _before(entry.get("relevance_order")),
            }
        )
    return rows


def _before(figures: dict | None) -> str:
    """NDCG@10 / coverage of a row's lists before re-ranking ("" when not re-ranked)."""
    if not figures:
        return ""
    return f"{figures.get('ndcg@10')} / {figures.get('coverage')}"


def coverage_goal(metrics: dict | None) -> dict | None:
    """The run's coverage goal as the page words it; None when it was off."""
    served = (metrics or {}).get("served") or {}
    goal = served.get("coverage_goal")
    if not goal:
        return None
    knobs = served.get("rerank") or {}
    validation = goal.get("validation") or {}
    cost = validation.get("ndcg_cost")
    return {
        "target": goal.get("target"),
        "skipped": goal.get("skipped", ""),
        "reached": goal.get("reached"),
        "stopped": goal.get("stopped", ""),
        "popularity_penalty": knobs.get("popularity_penalty", goal.get("popularity_penalty")),
        "diversity": knobs.get("diversity", goal.get("diversity")),
        "coverage_before": validation.get("coverage_before"),
        "coverage": validation.get("coverage"),
        "coverage_customers": validation.get("coverage_customers"),
        "ceiling": validation.get("coverage_ceiling"),
        "ndcg_before": validation.get("ndcg@10_before"),
        "ndcg": validation.get("ndcg@10"),
        "ndcg_cost_percent": None if cost is None else round(100 * cost, 1),
        "tolerance_percent": round(100 * float(goal.get("tolerance") or 0), 1),
    }


@register.inclusion_tag("recommendations/_leaderboard.html")
def run_leaderboard(run) -> dict:
    metrics = run.metrics or {}
    split = metrics.get("split") or {}
    return {
        "rows": leaderboard_rows(metrics),
        "columns": [label for _, label in COLUMNS],
        "tuning": split.get("tuning", ""),
        "coverage_ceiling": split.get("coverage_ceiling"),
        "served": (metrics.get("served") or {}).get("name", ""),
        "goal": coverage_goal(metrics),
        "reranked": any(row.get("reranked") for row in metrics.get("leaderboard") or []),
    }
