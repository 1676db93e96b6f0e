"""The Jinja environment of the server-rendered pages (``/manage``, ``/dashboard``, ``/signin``).

Autoescape is on for every template; the words come from the i18n catalogue through ``t``; numbers
and dates are formatted for the page's language. Templates live in ``backend/web/templates/``, one
folder per feature.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from backend.localtime import LOCAL_ZONE

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"
# Dates are shown as the ministry lives them.


def number(value: Any, digits: int = 0) -> str:
    """A number for humans: ``—`` when unknown, thin grouping, fixed decimals."""
    if value is None:
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{digits}f}"
    return text.replace(",", "\u202f")


def percent(value: Any, digits: int = 0) -> str:
    return "—" if value is None else f"{number(value, digits)}\u202f%"


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE).date()
    return value.isoformat()


def moment(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def make_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails its test, not silently in production
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(number=number, percent=percent, day=day, moment=moment)
    return environment


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = make_environment()
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))
