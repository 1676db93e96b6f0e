"""How a reviewer reads an answer: the stored JSON value of an item, worded by the item's type.

Pure (no Litestar, no SQLAlchemy): ``present(item, value, language, as_of)`` turns what a device
stored into texts in the page's language, photo hashes to show as thumbnails, or rows of a table
(file samples with their processing delays, citizens' interviews). A value that does not fit its
item (an older device, a hand-made op) is still shown, as its raw text: a reviewer must see
everything that was typed, never a blank.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

from backend.checklists.document import RATING_MAX, Item
from backend.checklists.scoring import processing_delay
from backend.i18n import translate

Kind = Literal["empty", "text", "photos", "rows"]
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_SEPARATOR: Final = {"ar": "، "}
_DURATION_UNITS: Final = frozenset({"minutes", "hours", "days"})


@dataclass(frozen=True)
class Shown:
    """An answer ready for the page: a text, photo hashes, or a table (``columns`` and ``rows``)."""

    kind: Kind
    text: str = ""
    photos: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    extra: tuple[str, ...] = field(default=())  # a summary under a table (mean delay, …)


EMPTY: Final = Shown(kind="empty", text="—")


def number_text(value: float | int) -> str:
    """A number as people write it: no trailing ``.0``, at most two decimals."""
    if isinstance(value, bool):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _raw(value: Any) -> Shown:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return Shown(kind="text", text=text)


def photo_hashes(value: Any) -> tuple[str, ...]:
    """The SHA-256 of each photo of a ``photo`` answer (``[{attachment_id, sha256}, ...]``)."""
    if not isinstance(value, list):
        return ()
    found = [entry.get("sha256") for entry in value if isinstance(entry, dict)]
    return tuple(dict.fromkeys(sha for sha in found if isinstance(sha, str) and _SHA256.match(sha)))


def position_text(value: Any, language: str) -> str | None:
    """``lat, lon (± n m)`` of a GPS position, or None when it is not one."""
    if not isinstance(value, dict) or not _is_number(value.get("lat")) or not _is_number(value.get("lon")):
        return None
    text = f"{value['lat']:.5f}, {value['lon']:.5f}"
    accuracy = value.get("accuracy_m")
    if isinstance(accuracy, int | float) and not isinstance(accuracy, bool):
        text += " " + translate("review.answer.accuracy", language, metres=number_text(round(accuracy)))
    return text


def present(item: Item, value: Any, language: str, as_of: date) -> Shown:
    """The answer ``value`` of ``item`` for a reviewer reading in ``language``.

    Args:
        item: the checklist item (its type, options, unit and scale).
        value: the stored answer value (``answers.<key>.value``); None when unanswered.
        language: ``ar``, ``fr`` or ``en``.
        as_of: the day a file still waiting is counted to (the visit's day).
    """
    if value is None:
        return EMPTY
    shown = _by_type(item, value, language, as_of)
    return shown if shown is not None else _raw(value)


def _by_type(item: Item, value: Any, language: str, as_of: date) -> Shown | None:
    t = _translator(language)
    match item.type:
        case "yes_no":
            return (
                Shown(kind="text", text=t(f"review.answer.{value}")) if value in ("yes", "no", "na") else None
            )
        case "single_choice":
            label = _option_label(item, value, language)
            return None if label is None else Shown(kind="text", text=label)
        case "multi_choice":
            if not isinstance(value, list):
                return None
            if not value:
                return Shown(kind="text", text=t("review.answer.none_chosen"))
            labels = [_option_label(item, key, language) or str(key) for key in value]
            return Shown(kind="text", text=_SEPARATOR.get(language, ", ").join(labels))
        case "rating":
            if not _is_number(value):
                return None
            scale = number_text(item.max if item.max is not None else RATING_MAX)
            return Shown(kind="text", text=t("review.answer.rating", value=number_text(value), scale=scale))
        case "number" | "duration":
            return _quantity(item, value, language)
        case "date" | "time" | "text":
            return Shown(kind="text", text=value) if isinstance(value, str) else None
        case "photo":
            hashes = photo_hashes(value)
            return Shown(kind="photos", photos=hashes) if hashes or value == [] else None
        case "signature":
            sha = value.get("sha256") if isinstance(value, dict) else None
            return (
                Shown(kind="photos", photos=(sha,)) if isinstance(sha, str) and _SHA256.match(sha) else None
            )
        case "gps":
            text = position_text(value, language)
            return None if text is None else Shown(kind="text", text=text)
        case "file_sample":
            return _file_sample(value, language, as_of)
        case "citizen_feedback":
            return _feedback(value, language)
    return None


def _translator(language: str) -> Any:
    def t(key: str, **params: object) -> str:
        return translate(key, language, **params)

    return t


def _option_label(item: Item, key: Any, language: str) -> str | None:
    for option in item.options or []:
        if option.key == key:
            return getattr(option.label, language, "") or option.label.fr or option.key
    return None


def _quantity(item: Item, value: Any, language: str) -> Shown | None:
    if not _is_number(value):
        return None
    unit = item.unit or ("minutes" if item.type == "duration" else "")
    if unit in _DURATION_UNITS:
        unit = translate(f"review.unit.{unit}", language)
    text = f"{number_text(value)}\u00a0{unit}" if unit else number_text(value)
    return Shown(kind="text", text=text)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return number_text(value) if _is_number(value) else str(value)


def _file_sample(value: Any, language: str, as_of: date) -> Shown | None:
    if not isinstance(value, list):
        return None
    t = _translator(language)
    rows: list[tuple[str, ...]] = []
    delays: list[int] = []
    for row in value:
        if not isinstance(row, dict):
            rows.append((_cell(row), "—", "—", "—"))
            continue
        delay = processing_delay(row)
        if delay is not None:
            delays.append(delay)
            delay_text = t("review.sample.days", days=delay)
        elif row.get("received") and not row.get("processed"):
            waiting = processing_delay({"received": row.get("received"), "processed": as_of.isoformat()})
            delay_text = t("review.sample.pending", days=waiting) if waiting is not None else "—"
        else:
            delay_text = t("review.sample.bad_dates") if row.get("received") else "—"
        rows.append(
            (_cell(row.get("file")), _cell(row.get("received")), _cell(row.get("processed")), delay_text)
        )
    extra: tuple[str, ...] = ()
    if delays:
        mean = number_text(round(sum(delays) / len(delays), 1))
        extra = (t("review.sample.summary", mean=mean, max=max(delays), count=len(delays)),)
    columns = tuple(t(f"review.sample.{name}") for name in ("file", "received", "processed", "delay"))
    return Shown(kind="rows", columns=columns, rows=tuple(rows), extra=extra)


def _feedback(value: Any, language: str) -> Shown | None:
    if not isinstance(value, list):
        return None
    t = _translator(language)
    rows: list[tuple[str, ...]] = []
    scores: list[float] = []
    for row in value:
        if not isinstance(row, dict):
            rows.append((_cell(row), "—", "—", "—"))
            continue
        satisfaction = row.get("satisfaction")
        rated = isinstance(satisfaction, int | float) and not isinstance(satisfaction, bool)
        if isinstance(satisfaction, int | float) and rated:
            scores.append(float(satisfaction))
        rows.append(
            (
                _cell(row.get("service")),
                _cell(row.get("waiting_minutes")),
                t("review.answer.rating", value=number_text(satisfaction), scale=5)
                if isinstance(satisfaction, int | float) and rated
                else "—",
                _cell(row.get("comment")),
            )
        )
    extra: tuple[str, ...] = ()
    if scores:
        mean = number_text(round(sum(scores) / len(scores), 1))
        extra = (t("review.feedback.summary", mean=mean, count=len(scores)),)
    columns = tuple(
        t(f"review.feedback.{name}") for name in ("service", "waiting", "satisfaction", "comment")
    )
    return Shown(kind="rows", columns=columns, rows=tuple(rows), extra=extra)
