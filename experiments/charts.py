"""Geometry of the arms-over-time chart (numbers only; the template draws the SVG)."""

from __future__ import annotations

WIDTH, HEIGHT, PAD = 560, 200, 36
# Line styles from the shared stylesheet, one per arm (the control solid blue).
STYLES = ("line-a", "line-b", "line-a dashed", "line-b dashed")


def _y(value: float, top: float) -> float:
    return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value / top if top else 0), 1)


def arms_over_time(timeline: dict) -> dict | None:
    """One line per arm: its cumulative primary rate at the end of each time bucket."""
    edges, series = timeline.get("edges") or [], timeline.get("series") or []
    values = [rate for arm in series for rate in arm["rates"] if rate is not None]
    if len(edges) < 2 or not values:
        return None
    top = max(values + [0.001]) * 1.1
    step = (WIDTH - 2 * PAD) / (len(edges) - 1)
    lines = []
    for index, arm in enumerate(series):
        points = [
            (round(PAD + i * step, 1), _y(rate, top))
            for i, rate in enumerate(arm["rates"])
            if rate is not None
        ]
        lines.append(
            {
                "label": arm["name"],
                "css": STYLES[index % len(STYLES)],
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": points,
            }
        )
    label_every = max(1, len(edges) // 6)
    ticks = [
        {"x": round(PAD + i * step, 1), "label": edge.strftime("%m-%d %H:%M")}
        for i, edge in enumerate(edges)
        if i % label_every == 0
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "bottom": HEIGHT - PAD,
        "right": WIDTH - PAD,
        "top_value": f"{top:.1%}",
        "lines": lines,
        "ticks": ticks,
    }
