"""Where each figure of the dashboard leads: the visits behind it, or the next level down.

Pure functions of codes and filters, so that a figure's link always carries exactly the filters the
figure was computed with.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

Filters = Mapping[str, object]


def _query(params: Filters) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})


def visits(cycle: str, filters: Filters, indicator: str = "visits") -> str:
    """The list of the visits counted by ``indicator`` under ``filters``."""
    return visits_prefix(cycle, filters) + quote(indicator, safe="")


def visits_prefix(cycle: str, filters: Filters) -> str:
    """``visits(cycle, filters, indicator)`` without the indicator: built once for a row's figures."""
    query = _query({"cycle": cycle, **filters})
    return f"/dashboard/visits?{query}&indicator=" if query else "/dashboard/visits?indicator="


def national(cycle: str) -> str:
    return "/dashboard?" + _query({"cycle": cycle})


def body(cycle: str, code: str) -> str:
    return f"/dashboard/body/{quote(code, safe='')}?" + _query({"cycle": cycle})


def wilaya(cycle: str, code: int, body_code: str | None = None) -> str:
    return f"/dashboard/wilaya/{code}?" + _query({"cycle": cycle, "body": body_code})


def agency(cycle: str, agency_id: object) -> str:
    return f"/dashboard/agency/{agency_id}?" + _query({"cycle": cycle})


def chart(name: str, cycle: str, filters: Filters, language: str) -> str:
    return f"/dashboard/charts/{name}.svg?" + _query({"cycle": cycle, **filters, "lang": language})


def review(visit_id: object) -> str:
    return f"/manage/review/{visit_id}"
