"""How an answer reads in the PDF report: words for people, not the JSON a device sent. Pure.

A yes/no reads in the report's language, a choice by its option's label, a number with its unit,
sampled files and citizens' interviews as small tables. An answer that does not fit its item (an old
device, a template changed since) is shown as it is rather than dropped: a report hides nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from backend.checklists.scoring import processing_delay
from backend.exports.datasets import localized

Translate = Callable[..., str]

FILE_SAMPLE_COLUMNS: Final = ("received", "processed", "delay_days")
FEEDBACK_COLUMNS: Final = ("service", "waiting_minutes", "satisfaction", "comment")


@dataclass(frozen=True)
class Shown:
    """An answer as the report shows it: a line of text, or a table (``columns`` are catalogue keys)."""

    text: str = ""
    columns: tuple[str, ...] = ()
    rows: list[list[str]] = field(default_factory=list)


def show_answer(item: dict[str, Any], value: Any, language: str, t: Translate) -> Shown:
    """The words of ``value`` as an answer to ``item`` (a template document's item)."""
    kind = item.get("type")
    if value is None or value == "" or value == []:
        return Shown(text="—")
    if kind == "yes_no" and value in ("yes", "no", "na"):
        return Shown(text=t(f"exports.report.answer_{value}"))
    if kind in ("single_choice", "multi_choice"):
        labels = {
            option.get("key"): localized(option.get("label"), language)
            for option in item.get("options") or []
        }
        chosen = value if isinstance(value, list) else [value]
        separator = "، " if language == "ar" else "; "
        return Shown(text=separator.join(labels.get(key) or str(key) for key in chosen))
    if kind == "rating" and isinstance(value, int | float):
        top = item.get("max") or 5
        return Shown(text=f"{_number(value)} / {_number(top)}")
    if kind in ("number", "duration") and isinstance(value, int | float) and not isinstance(value, bool):
        unit = item.get("unit")
        unit_text = t(f"exports.report.unit_{unit}") if kind == "duration" and unit else (unit or "")
        return Shown(text=f"{_number(value)} {unit_text}".strip())
    if kind == "gps" and isinstance(value, dict) and "lat" in value and "lon" in value:
        return Shown(text=f"{value['lat']}, {value['lon']}")
    if kind == "file_sample" and isinstance(value, list):
        rows = [
            [str(row.get("received") or "—"), str(row.get("processed") or "—"), _delay(row)]
            for row in value
            if isinstance(row, dict)
        ]
        return Shown(columns=FILE_SAMPLE_COLUMNS, rows=rows)
    if kind == "citizen_feedback" and isinstance(value, list):
        rows = [
            [_cell(row.get(column)) for column in FEEDBACK_COLUMNS] for row in value if isinstance(row, dict)
        ]
        return Shown(columns=FEEDBACK_COLUMNS, rows=rows)
    if kind in ("photo", "signature"):
        return Shown(text=t("exports.report.see_photos"))
    if isinstance(value, str | int | float):
        return Shown(text=str(value))
    return Shown(text=json.dumps(value, ensure_ascii=False))


def _delay(row: dict[str, Any]) -> str:
    delay = processing_delay(row)
    return "—" if delay is None else str(delay)


def _cell(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
