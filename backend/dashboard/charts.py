"""Trend charts as SVG documents drawn on the server with pygal, so that they print and need no script.

Charts are served as ``image/svg+xml`` and shown with ``<img>``: the page's strict CSP is untouched
and an image never runs script. pygal writes a ``<script>`` holding its tooltip configuration even
with ``js=[]``; an XML filter removes it, so the document holds none at all. Labels are drawn with
``unicode-bidi: plaintext`` so that Arabic and numbers keep their own direction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pygal  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

# Black on white with distinct, dark colours: readable on screen and on a grey-scale printer.
PRINT_STYLE: Final = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#111111",
    foreground_subtle="#9aa5b1",
    opacity="1",
    opacity_hover="1",
    colors=("#0b5394", "#b45f06", "#38761d", "#741b47"),
    font_family="'Noto Sans Arabic', 'Noto Sans', 'DejaVu Sans', Arial, sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
)
_BIDI_CSS: Final = "inline:text { unicode-bidi: plaintext; }"


@dataclass(frozen=True)
class ChartSpec:
    """A chart: its kind, its title (a catalogue key) and its series (figure name, label key)."""

    kind: str  # line | bar
    title: str
    series: tuple[tuple[str, str], ...]
    percent: bool = False


CHARTS: Final[dict[str, ChartSpec]] = {
    "score": ChartSpec("line", "dashboard.chart.score", (("score", "dashboard.kpi.score"),), True),
    "completion": ChartSpec(
        "bar",
        "dashboard.chart.completion",
        (("completion", "dashboard.kpi.completion"), ("on_time", "dashboard.kpi.on_time")),
        True,
    ),
    "delay": ChartSpec(
        "line",
        "dashboard.chart.delay",
        (("delay", "dashboard.kpi.delay"), ("reading_delay", "dashboard.kpi.reading_delay")),
    ),
    "satisfaction": ChartSpec(
        "line",
        "dashboard.chart.satisfaction",
        (
            ("satisfaction", "dashboard.kpi.satisfaction"),
            ("reading_satisfaction", "dashboard.kpi.reading_satisfaction"),
        ),
    ),
}


def _without_scripts(root: Any) -> Any:
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def render_chart(
    spec: ChartSpec,
    labels: Sequence[str],
    series: dict[str, list[float | None]],
    t: Callable[..., str],
) -> bytes:
    """The SVG document of ``spec`` over ``labels`` (cycles, oldest first), titles through ``t``."""
    chart_class = pygal.Bar if spec.kind == "bar" else pygal.Line
    chart = chart_class(
        js=[],
        css=(*pygal.Config().css, _BIDI_CSS),
        style=PRINT_STYLE,
        width=720,
        height=340,
        explicit_size=False,
        legend_at_bottom=True,
        truncate_legend=-1,
        truncate_label=-1,
        x_label_rotation=0,
        show_y_guides=True,
        allow_interruptions=True,
        no_data_text=t("dashboard.chart.no_data"),
        print_values=False,
        range=(0, 100) if spec.percent else None,
        value_formatter=(lambda v: f"{v:.0f} %") if spec.percent else (lambda v: f"{v:.1f}"),
    )
    chart.add_xml_filter(_without_scripts)
    chart.title = t(spec.title)
    chart.x_labels = list(labels)
    for name, label in spec.series:
        chart.add(t(label), series.get(name, [None] * len(labels)))
    document: bytes = chart.render()
    return document
