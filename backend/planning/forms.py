"""Reading the planning forms: text fields in, typed values or errors per field out.

Every error names its field and a catalogue key, so that the page is shown again with what was
typed and the message beside the field. Pure: no Litestar, no SQLAlchemy.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from backend.planning.recurrence import RecurrenceError, build_rule, parse_rule

CYCLE_KINDS: Final = ("quarter", "semester", "year")
_MONTHS_OF: Final = {"quarter": 3, "semester": 6, "year": 12}
AGENCY_KINDS: Final = ("agency", "centre")
_CODE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
EARLIEST: Final = date(2000, 1, 1)
LATEST: Final = date(2100, 12, 31)


@dataclass
class FormInvalid(Exception):
    """Errors per field: ``{field: (catalogue key, params)}``."""

    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class CycleForm:
    code: str
    kind: str
    starts_on: date
    ends_on: date
    name: dict[str, str]


@dataclass(frozen=True)
class ScheduleForm:
    name: str
    template_id: uuid.UUID
    rrule: str
    dtstart: date
    due_days: int
    bodies: tuple[str, ...]
    wilayas: tuple[int, ...]
    kinds: tuple[str, ...]
    assignee_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class ScheduleChange:
    """What may change in a schedule once made; its template, agencies and recurrence stay."""

    name: str
    due_days: int
    assignee_ids: tuple[uuid.UUID, ...]


class _Errors:
    def __init__(self) -> None:
        self.found: dict[str, tuple[str, dict[str, Any]]] = {}

    def add(self, name: str, code: str, **params: Any) -> None:
        self.found.setdefault(name, (code, params))

    def raise_any(self) -> None:
        if self.found:
            raise FormInvalid(self.found)


def _day(fields: dict[str, str], name: str, errors: _Errors, *, required: bool = True) -> date | None:
    text = fields.get(name, "").strip()
    if not text:
        if required:
            errors.add(name, "planning.error.required")
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.add(name, "planning.error.date")
        return None
    if not EARLIEST <= day <= LATEST:
        errors.add(name, "planning.error.date_range", first=EARLIEST.isoformat(), last=LATEST.isoformat())
        return None
    return day


def _int(fields: dict[str, str], name: str, errors: _Errors, low: int, high: int) -> int | None:
    text = fields.get(name, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors.add(name, "planning.error.number", min=low, max=high)
        return None
    if not low <= value <= high:
        errors.add(name, "planning.error.number", min=low, max=high)
        return None
    return value


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def parse_cycle(fields: dict[str, str]) -> CycleForm:
    """A cycle: a unique code, a kind, whole months matching the kind, a name in three languages.

    Raises:
        FormInvalid: with every field in error.
    """
    errors = _Errors()
    code = fields.get("code", "").strip()
    if not code:
        errors.add("code", "planning.error.required")
    elif not _CODE.match(code):
        errors.add("code", "planning.error.code")
    kind = fields.get("kind", "")
    if kind not in CYCLE_KINDS:
        errors.add("kind", "planning.error.choice")
    starts_on = _day(fields, "starts_on", errors)
    ends_on = _day(fields, "ends_on", errors)
    if starts_on and ends_on and kind in CYCLE_KINDS:
        # A quarter is three whole months from the first of a month, a semester six, a year twelve.
        expected_end = _add_months(starts_on, _MONTHS_OF[kind]) - timedelta(days=1)
        if starts_on.day != 1:
            errors.add("starts_on", "planning.error.cycle_start")
        elif ends_on != expected_end:
            errors.add("ends_on", "planning.error.cycle_end", expected=expected_end.isoformat())
    name = {}
    for language in ("ar", "fr", "en"):
        text = fields.get(f"name_{language}", "").strip()
        if not text:
            errors.add(f"name_{language}", "planning.error.required")
        elif len(text) > 100:
            errors.add(f"name_{language}", "planning.error.too_long", max=100)
        name[language] = text
    errors.raise_any()
    assert starts_on is not None and ends_on is not None  # noqa: S101 - errors raised above otherwise
    return CycleForm(code=code, kind=kind, starts_on=starts_on, ends_on=ends_on, name=name)


def _uuids(values: list[str], name: str, errors: _Errors) -> tuple[uuid.UUID, ...]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            errors.add(name, "planning.error.choice")
    return tuple(dict.fromkeys(out))


def parse_schedule(fields: dict[str, str], lists: dict[str, list[str]]) -> ScheduleForm:
    """A schedule: name, template, recurrence (simple choices or an RRULE), first day, delay, agencies
    (bodies, wilayas, kinds) and assignees. Whether the template, bodies and users exist is checked
    by the service against the database.

    Raises:
        FormInvalid: with every field in error.
    """
    errors = _Errors()
    name = _schedule_name(fields, errors)
    template = _uuids([fields["template_id"]] if fields.get("template_id") else [], "template_id", errors)
    if not template and "template_id" not in errors.found:
        errors.add("template_id", "planning.error.required")
    dtstart = _day(fields, "dtstart", errors)
    due_days = _due_days(fields, errors)
    rule = _rule(fields, dtstart, errors)
    wilayas = []
    for text in lists.get("wilayas", []):
        if text.isdigit() and 1 <= int(text) <= 99:
            wilayas.append(int(text))
        else:
            errors.add("wilayas", "planning.error.choice")
    kinds = tuple(dict.fromkeys(lists.get("kinds", [])))
    if any(kind not in AGENCY_KINDS for kind in kinds):
        errors.add("kinds", "planning.error.choice")
    assignees = _assignees(lists, errors)
    errors.raise_any()
    assert dtstart is not None and due_days is not None  # noqa: S101 - errors raised above otherwise
    return ScheduleForm(
        name=name,
        template_id=template[0],
        rrule=rule,
        dtstart=dtstart,
        due_days=due_days,
        bodies=tuple(dict.fromkeys(b.strip() for b in lists.get("bodies", []) if b.strip())),
        wilayas=tuple(dict.fromkeys(wilayas)),
        kinds=kinds,
        assignee_ids=assignees,
    )


def parse_schedule_change(fields: dict[str, str], lists: dict[str, list[str]]) -> ScheduleChange:
    """The fields of a schedule that may change, read as ``parse_schedule`` reads them.

    Raises:
        FormInvalid: with every field in error.
    """
    errors = _Errors()
    name = _schedule_name(fields, errors)
    due_days = _due_days(fields, errors)
    assignees = _assignees(lists, errors)
    errors.raise_any()
    assert due_days is not None  # noqa: S101 - errors raised above otherwise
    return ScheduleChange(name=name, due_days=due_days, assignee_ids=assignees)


def _schedule_name(fields: dict[str, str], errors: _Errors) -> str:
    name = fields.get("name", "").strip()
    if not name:
        errors.add("name", "planning.error.required")
    elif len(name) > 200:
        errors.add("name", "planning.error.too_long", max=200)
    return name


def _due_days(fields: dict[str, str], errors: _Errors) -> int | None:
    """Days allowed to make a visit after its occurrence: 0 to 365."""
    due_days = _int(fields, "due_days", errors, 0, 365)
    if due_days is None and not fields.get("due_days", "").strip():
        errors.add("due_days", "planning.error.required")
    return due_days


def _assignees(lists: dict[str, list[str]], errors: _Errors) -> tuple[uuid.UUID, ...]:
    assignees = _uuids(lists.get("assignees", []), "assignees", errors)
    if not assignees and "assignees" not in errors.found:
        errors.add("assignees", "planning.error.assignees")
    return assignees


def _rule(fields: dict[str, str], dtstart: date | None, errors: _Errors) -> str:
    """The RRULE typed by hand, or the one of the simple choices (frequency, interval, day, end)."""
    typed = fields.get("rrule", "").strip()
    if typed:
        try:
            if dtstart:
                parse_rule(typed, dtstart)
        except RecurrenceError as error:
            errors.add("rrule", error.code, **error.params)
        return typed
    frequency = fields.get("frequency", "")
    interval = _int(fields, "interval", errors, 1, 12) or 1
    month_day = _int(fields, "month_day", errors, -1, 28)
    if month_day == 0:
        errors.add("month_day", "planning.rrule.month_day")
    until = _day(fields, "until", errors, required=False)
    if until and dtstart and until < dtstart:
        errors.add("until", "planning.error.until")
    try:
        return build_rule(
            frequency,
            interval=interval,
            month_day=month_day or None,
            month=dtstart.month if dtstart else None,
            until=until,
        )
    except RecurrenceError as error:
        errors.add("frequency", error.code, **error.params)
        return ""
