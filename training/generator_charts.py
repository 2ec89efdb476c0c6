"""Geometry of the training-curve chart (numbers only; the template draws the SVG)."""

from __future__ import annotations

WIDTH, HEIGHT, PAD = 560, 200, 32
MAX_POINTS = 200


def curve_chart(curve: list[dict]) -> dict | None:
    """A polyline of loss per step (thinned to MAX_POINTS), scaled to the chart."""
    points = [point for point in curve or [] if "loss" in point and "step" in point]
    if len(points) < 2:
        return None
    if len(points) > MAX_POINTS:
        stride = -(-len(points) // MAX_POINTS)
        points = points[::stride] + ([points[-1]] if (len(points) - 1) % stride else [])
    top = max(float(point["loss"]) for point in points) or 1.0
    last_step = max(int(point["step"]) for point in points) or 1

    def x(step: int) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * step / last_step, 1)

    def y(loss: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * loss / top, 1)

    coords = [(x(int(point["step"])), y(float(point["loss"]))) for point in points]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "bottom": HEIGHT - PAD,
        "right": WIDTH - PAD,
        "top_value": round(top, 3),
        "last_step": last_step,
        "points": " ".join(f"{px},{py}" for px, py in coords),
    }
