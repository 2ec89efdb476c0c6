"""Geometry for the inline SVG charts of the run pages (numbers only; the templates draw them)."""

from __future__ import annotations

from recommendations.models import RecommendationRun

WIDTH, HEIGHT, PAD = 560, 200, 32
SERIES = (
    ("model", "ndcg@10", "NDCG@10 model", "line-a"),
    ("popularity", "ndcg@10", "NDCG@10 popularity", "line-a dashed"),
    ("model", "recall@10", "Recall@10 model", "line-b"),
    ("popularity", "recall@10", "Recall@10 popularity", "line-b dashed"),
)


def _y(value: float, top: float) -> float:
    return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value / top if top else 0), 1)


def metrics_over_runs(runs: list[RecommendationRun]) -> dict | None:
    """Lines of NDCG@10 and Recall@10 (model and popularity) over runs, oldest first."""
    runs = [run for run in runs if (run.metrics or {}).get("model")]
    if not runs:
        return None
    top = max(
        [float(run.metrics[side].get(name, 0)) for run in runs for side, name, _, _ in SERIES]
        + [0.01]
    )
    step = (WIDTH - 2 * PAD) / max(len(runs) - 1, 1)
    lines = []
    for side, name, label, css in SERIES:
        points = [
            (round(PAD + index * step, 1), _y(float(run.metrics[side].get(name, 0)), top))
            for index, run in enumerate(runs)
        ]
        lines.append(
            {
                "label": label,
                "css": css,
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": points,
            }
        )
    ticks = [
        {"x": round(PAD + index * step, 1), "label": f"#{run.pk}"} for index, run in enumerate(runs)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "bottom": HEIGHT - PAD,
        "right": WIDTH - PAD,
        "top_value": round(top, 3),
        "lines": lines,
        "ticks": ticks,
    }


def popularity_bars(histogram: dict) -> dict | None:
    """Paired bars per popularity decile: share of the catalog vs share of recommended slots."""
    catalog = histogram.get("catalog") or []
    recommended = histogram.get("recommended") or []
    if not catalog or not recommended:
        return None
    top = max(catalog + recommended + [0.01])
    slot = (WIDTH - 2 * PAD) / len(catalog)
    bar = slot * 0.38
    bars = []
    for decile, (cat_share, rec_share) in enumerate(zip(catalog, recommended, strict=True)):
        x = PAD + decile * slot
        for offset, share, css in (
            (0, cat_share, "bar-catalog"),
            (bar, rec_share, "bar-recommended"),
        ):
            y = _y(share, top)
            bars.append(
                {
                    "x": round(x + offset, 1),
                    "y": y,
                    "w": round(bar, 1),
                    "h": round(HEIGHT - PAD - y, 1),
                    "css": css,
                    "title": f"decile {decile + 1}: {share:.1%}",
                }
            )
    labels = [
        {"x": round(PAD + d * slot + bar, 1), "label": str(d + 1)} for d in range(len(catalog))
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "bottom": HEIGHT - PAD,
        "right": WIDTH - PAD,
        "top_value": f"{top:.0%}",
        "bars": bars,
        "labels": labels,
    }
