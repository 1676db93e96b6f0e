"""What an export asks for, read from the query string: pure rules, no web framework, no database.

An export is one dataset in one format, narrowed by filters that every dataset shares (they all hang
off visits): a cycle or a range of days on ``visit_day``, a body, a wilaya, an agency and the visit's
status; the actions dataset also takes the action's status (or the derived ``overdue``). A bad value is
reported per field with a stable code, so the page can say what is wrong in the user's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from backend.actions.rules import STATUS_FILTERS as ACTION_STATUS_FILTERS

DATASETS: Final = ("visits", "answers", "findings", "actions")
FORMATS: Final = ("csv", "xlsx")
# ``deleted`` visits are tombstones of the sync log: never exported.
VISIT_STATUSES: Final = ("draft", "submitted", "approved", "returned")
ACTION_STATUSES: Final = ACTION_STATUS_FILTERS
# The form's fields, in the order the page shows them (and reports their errors).
FIELDS: Final = (
    "dataset",
    "format",
    "cycle",
    "from",
    "to",
    "body",
    "wilaya",
    "agency",
    "status",
    "action_status",
)

_CODE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class ExportRequest:
    """A valid export request; ``cycle`` is a code still to be looked up."""

    dataset: str
    format: str
    cycle: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    body: str | None = None
    wilaya: int | None = None
    agency: str | None = None
    status: str | None = None
    action_status: str | None = None

    def filename(self) -> str:
        """``rasd-visits-2026-Q4.csv``: ASCII only, so every browser keeps it as it is."""
        if self.cycle:
            period = self.cycle
        elif self.day_from or self.day_to:
            period = f"{self.day_from or 'start'}_{self.day_to or 'end'}"
        else:
            period = "all"
        safe = re.sub(r"[^A-Za-z0-9_.-]", "-", period)
        return f"rasd-{self.dataset}-{safe}.{self.format}"


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field: a stable code (``required``, ``choice``, ``date``, …)."""

    field: str
    code: str


def parse_export(query: Mapping[str, str]) -> ExportRequest | list[FieldError]:
    """Read an export request from the query string.

    Args:
        query: The query parameters (one value per name).

    Returns:
        The request, or every field error found (in the order of ``FIELDS``).
    """
    errors: list[FieldError] = []
    values = {name: (query.get(name) or "").strip() for name in FIELDS}

    def choice(name: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
        value = values[name]
        if not value:
            if required:
                errors.append(FieldError(name, "required"))
            return None
        if value not in allowed:
            errors.append(FieldError(name, "choice"))
            return None
        return value

    def code(name: str) -> str | None:
        value = values[name]
        if value and not _CODE.match(value):
            errors.append(FieldError(name, "code"))
            return None
        return value or None

    def day(name: str) -> date | None:
        value = values[name]
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors.append(FieldError(name, "date"))
            return None

    dataset = choice("dataset", DATASETS, required=True)
    export_format = choice("format", FORMATS, required=True)
    cycle = code("cycle")
    day_from, day_to = day("from"), day("to")
    if day_from and day_to and day_to < day_from:
        errors.append(FieldError("to", "range"))
    body = code("body")
    wilaya = _wilaya(values["wilaya"], errors)
    agency = code("agency")
    status = choice("status", VISIT_STATUSES)
    action_status = choice("action_status", ACTION_STATUSES)
    if errors or dataset is None or export_format is None:
        return sorted(errors, key=lambda error: FIELDS.index(error.field))
    return ExportRequest(
        dataset=dataset,
        format=export_format,
        cycle=cycle,
        day_from=day_from,
        day_to=day_to,
        body=body,
        wilaya=wilaya,
        agency=agency,
        status=status,
        action_status=action_status if dataset == "actions" else None,
    )


def _wilaya(value: str, errors: list[FieldError]) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 99:
        errors.append(FieldError("wilaya", "wilaya"))
        return None
    return int(value)


def narrow(
    day_from: date | None, day_to: date | None, cycle: tuple[date, date] | None
) -> tuple[date | None, date | None]:
    """The days an export covers: a cycle's days, narrowed further by ``from`` and ``to`` if given."""
    if cycle is None:
        return day_from, day_to
    start, end = cycle
    return (max(start, day_from) if day_from else start, min(end, day_to) if day_to else end)
