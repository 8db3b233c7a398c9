"""Charts for the reports page: horizontal bar charts drawn as inline SVG."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

CHART_COLOURS = ("#0b5cad", "#1f7a3f", "#b3261e", "#8a5a00")


def bar_chart_svg(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    row_height: int = 22,
    width: int = 640,
    label_width: int = 180,
) -> SafeString:
    """A horizontal bar chart as inline SVG, one group of bars per label.

    Everything is drawn with attributes (no ``style``), so it renders under a strict
    Content-Security-Policy; the values are also written as text, and the SVG carries a
    title and description for screen readers. Labels are escaped.
    """
    bars_width = width - label_width - 60
    peak = max((value for _name, values in series for value in values), default=0) or 1
    bar_height = max(4, (row_height - 4) // max(1, len(series)))
    group_height = bar_height * len(series) + 8
    legend_height = 24 if len(series) > 1 else 0
    height = legend_height + group_height * len(labels) + 4
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {_number(values[index])}" for name, values in series)
        for index, label in enumerate(labels)
    )
    parts = []
    if legend_height:
        parts.append(
            format_html_join(
                "",
                '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="15" class="chart__legend">{}</text>',
                (
                    (
                        label_width + position * 140,
                        CHART_COLOURS[position % 4],
                        label_width + position * 140 + 16,
                        name,
                    )
                    for position, (name, _values) in enumerate(series)
                ),
            )
        )
    for index, label in enumerate(labels):
        top = legend_height + index * group_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>',
                label_width - 8,
                top + group_height // 2 + 4,
                label,
            )
        )
        for position, (_name, values) in enumerate(series):
            value = values[index]
            length = round(bars_width * value / peak, 1) if value else 0
            y = top + 4 + position * bar_height
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="chart__bar"/>'
                    '<text x="{}" y="{}" class="chart__value">{}</text>',
                    label_width,
                    y,
                    length,
                    bar_height - 1,
                    CHART_COLOURS[position % 4],
                    label_width + length + 4,
                    y + bar_height - 2,
                    _number(value),
                )
            )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{}" height="{}" '
        'viewBox="0 0 {} {}" font-size="12" font-family="system-ui, sans-serif">'
        "<title>{}</title><desc>{}</desc>{}</svg>",
        width,
        height,
        width,
        height,
        title,
        description,
        SafeString("".join(parts)),
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
