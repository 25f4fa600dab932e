"""Server-rendered SVG chart geometry: the template draws what these functions compute, so a
chart needs no JavaScript, works under the strict CSP, and always comes with its data table."""

from __future__ import annotations

from typing import Any

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 40
PAD_BOTTOM = 24
PAD_TOP = 10


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(*, rows: list[dict[str, Any]], value_key: str, label_key: str = "date") -> dict:
    """Vertical bars, one per row; returns the bars, the y-axis ticks and the x labels to show."""
    values = [float(row[value_key]) for row in rows]
    top = _nice_max(max(values, default=0))
    plot_width = WIDTH - PAD_LEFT - 8
    plot_height = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_width / max(len(rows), 1)
    bars = []
    label_every = max(1, len(rows) // 8)
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        height = plot_height * value / top
        label = row[label_key]
        bars.append(
            {
                "x": round(PAD_LEFT + index * slot + slot * 0.1, 1),
                "y": round(PAD_TOP + plot_height - height, 1),
                "width": round(max(slot * 0.8, 1), 1),
                "height": round(height, 1),
                "value": row[value_key],
                "label": label.isoformat() if hasattr(label, "isoformat") else str(label),
                "show_label": index % label_every == 0,
                "label_x": round(PAD_LEFT + index * slot + slot / 2, 1),
            }
        )
    ticks = [
        {"y": round(PAD_TOP + plot_height * (1 - fraction), 1), "value": _fmt(top * fraction)}
        for fraction in (0, 0.5, 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "axis_x": PAD_LEFT,
        "axis_y": HEIGHT - PAD_BOTTOM,
        "label_y": HEIGHT - 6,
    }


def funnel_chart(*, steps: list[dict[str, Any]]) -> dict:
    """Horizontal bars for the funnel steps, widths relative to the first step."""
    first = max((step["learners"] for step in steps), default=0) or 1
    bar_height = 28
    usable = WIDTH - 200
    return {
        "width": WIDTH,
        "height": len(steps) * (bar_height + 10) + 10,
        "bars": [
            {
                "y": 10 + index * (bar_height + 10),
                "text_y": 10 + index * (bar_height + 10) + 19,
                "width": round(max(usable * step["learners"] / first, 1), 1),
                "height": bar_height,
                "label": step["label"],
                "learners": step["learners"],
                "percent": step["percent"],
            }
            for index, step in enumerate(steps)
        ],
    }


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
