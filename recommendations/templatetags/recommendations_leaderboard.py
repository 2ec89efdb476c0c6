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
            }
        )
    return rows


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
    }
