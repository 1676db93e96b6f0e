"""The figures of a row or of the key-figure cards, formatted and linked once, in Python.

Tables of the dashboard hold up to 58 rows of 14 figures; formatting and linking them here rather
than through Jinja macro calls keeps a page's rendering in milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from backend.dashboard import links
from backend.dashboard.indicators import Indicators
from backend.web.templating import number, percent


class Figure(NamedTuple):
    name: str  # also the catalogue key ``dashboard.kpi.<name>``
    text: str
    href: str


def signed(value: float | None, digits: int = 1) -> str:
    """A change: ``+2.5`` or ``-1.0``, ``—`` when unknown."""
    text = number(value, digits)
    return f"+{text}" if value is not None and value > 0 else text


def figures(f: Indicators, cycle: str, filters: Mapping[str, object], readings_href: str) -> list[Figure]:
    """Every figure of a row, each linked to the visits it counts (readings: to ``readings_href``)."""

    prefix = links.visits_prefix(cycle, filters)

    def visits(indicator: str) -> str:
        return prefix + indicator

    return [
        Figure("visits", number(f.visits), visits("visits")),
        Figure("planned", number(f.planned), visits("planned")),
        Figure("completion", percent(f.completion_pct), visits("done")),
        Figure("on_time", percent(f.on_time_pct), visits("on_time")),
        Figure("score", percent(f.score_pct, 1), visits("score")),
        Figure("change", signed(f.score_change), visits("score")),
        Figure("delay", number(f.delay_days, 1), visits("delay")),
        Figure("reading_delay", number(f.reading_delay_days, 1), readings_href),
        Figure("satisfaction", number(f.satisfaction, 2), visits("satisfaction")),
        Figure("reading_satisfaction", number(f.reading_satisfaction, 2), readings_href),
        Figure("collection", percent(f.collection_pct, 1), readings_href),
        Figure("debt_collection", percent(f.debt_collection_pct, 1), readings_href),
        Figure("open_actions", number(f.open_actions), visits("actions")),
        Figure("overdue_actions", number(f.overdue_actions), visits("overdue")),
    ]


def cards(f: Indicators, cycle: str, filters: Mapping[str, object], readings_href: str) -> list[Figure]:
    """The key-figure cards: the row's figures, with the count of planned visits done."""
    row = figures(f, cycle, filters, readings_href)
    done = Figure("done", number(f.done), links.visits(cycle, filters, "done"))
    return [*row[:2], done, *row[2:]]
