"""The dashboard's charts, drawn server-side as SVG with pygal.

pygal draws a whole chart from a few lines, styles it with its own CSS inside the SVG
and needs no script to show it (its optional tooltips script is left out, and the
configuration script it writes is removed). The dashboard shows each chart as an image
of its own URL, so the page's content security policy stays strict; every chart has a
table of its numbers beside it.
"""

from __future__ import annotations

import re

import pygal  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

from policy.selectors.dashboard import Table

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2a24",
    foreground_strong="#1f2a24",
    foreground_subtle="#4a5750",
    colors=("#0d6b4f", "#b45309", "#0b57d0", "#7c3aed", "#b42318"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    title_font_size=16,
    legend_font_size=13,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
# Longest series a chart draws (a ranked chart keeps its first entries; the table has all).
MOST_BARS = 15


def _number(value) -> float:
    return float(value or 0)


def chart_svg(table: Table, *, money: str = "") -> str:
    """The SVG of ``table``'s chart: a line over time, or ranked horizontal bars."""
    config = {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 760,
        "height": 360,
        "show_legend": len(table.columns) > 2 and table.name in {"time", "onboarding"},
        "legend_at_bottom": True,
        "print_values": False,
        "margin": 16,
        "value_formatter": lambda value: f"{value:,.0f}",
        "no_data_text": "\u2013",
    }
    over_time = table.name in {"time", "onboarding", "cooperative"}
    if over_time:
        chart = pygal.Line(**config, x_label_rotation=30, show_minor_x_labels=False, fill=False)
        labels = [row[0] for row in table.rows]
        chart.x_labels = labels
        chart.x_labels_major = labels[:: max(1, len(labels) // 12)]
        series = range(1, len(table.columns)) if table.name == "onboarding" else [1]
        for column in series:
            chart.add(table.columns[column], [_number(row[column]) for row in table.rows])
    else:
        chart = pygal.HorizontalBar(**config)
        rows = table.rows[:MOST_BARS][::-1]
        chart.x_labels = [str(row[0])[:32] for row in rows]
        chart.add(table.columns[1], [_number(row[1]) for row in rows])
    chart.title = table.title + (f" ({money})" if money and 1 in table.money_columns else "")
    return _SCRIPT.sub("", chart.render(is_unicode=True))
