"""Pure rules of the follow-up of corrective actions: lateness, ordering, who may move what, and the
checks of a status change asked for on the pages. No web framework, no database.

"Overdue" is not a status (see ``sync.machines``): an action is overdue while it is still open or in
progress after its deadline, counted in days of Algiers, where the deadline was agreed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from backend.blobs.sniff import JPEG, PNG, SNIFF_BYTES, sniff
from sync.machines import ACTION, check_transition

STATUSES: Final = ACTION.statuses  # open, in_progress, done, verified
NOT_DONE: Final = frozenset({"open", "in_progress"})
OVERDUE: Final = "overdue"
# What the list can be filtered by: a status, or the derived "overdue".
STATUS_FILTERS: Final = (*STATUSES, OVERDUE)
# A follow-up that closes an action says what was done or checked.
NOTE_REQUIRED: Final = frozenset({"done", "verified"})
NOTE_MAX: Final = 4000  # the sync entity's limit for ``note``
EVIDENCE_MAX_BYTES: Final = 5 * 1024 * 1024
EVIDENCE_TYPES: Final = frozenset({JPEG, PNG})


@dataclass(frozen=True)
class ActionFilters:
    """What the follow-up list is narrowed to (each None when not asked)."""

    status: str | None = None  # one of STATUS_FILTERS
    owner: str | None = None  # part of the owner's name
    body: str | None = None  # body code
    wilaya: int | None = None
    agency: str | None = None  # agency code
    deadline_before: date | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (for links that keep them)."""
        values = {
            "status": self.status,
            "owner": self.owner,
            "body": self.body,
            "wilaya": self.wilaya,
            "agency": self.agency,
            "deadline_before": self.deadline_before.isoformat() if self.deadline_before else None,
        }
        return {key: str(value) for key, value in values.items() if value is not None}


def parse_filters(query: Mapping[str, str]) -> ActionFilters:
    """Filters from a query string; a value that means nothing is ignored rather than refused, so an
    edited address still shows a list."""

    def text(name: str, limit: int) -> str | None:
        value = (query.get(name) or "").strip()
        return value[:limit] or None

    status = query.get("status")
    wilaya = query.get("wilaya") or ""
    try:
        before = date.fromisoformat(query.get("deadline_before") or "")
    except ValueError:
        before = None
    return ActionFilters(
        status=status if status in STATUS_FILTERS else None,
        owner=text("owner", 200),
        body=text("body", 20),
        wilaya=int(wilaya) if wilaya.isdigit() and 1 <= int(wilaya) <= 99 else None,
        agency=text("agency", 40),
        deadline_before=before,
    )


def is_overdue(status: str, deadline: date | None, today: date) -> bool:
    """Still to do and past its deadline; an action without a deadline is never late."""
    return status in NOT_DONE and deadline is not None and deadline < today


def days_late(status: str, deadline: date | None, today: date) -> int:
    """Whole days past the deadline of an overdue action, else 0."""
    if deadline is None or not is_overdue(status, deadline, today):
        return 0
    return (today - deadline).days


def order_key(status: str, deadline: date | None, today: date) -> tuple[int, date]:
    """How the follow-up list is ordered by default: overdue first, then by deadline (none last)."""
    return (0 if is_overdue(status, deadline, today) else 1, deadline or date.max)


def next_statuses(current: str, role: str) -> tuple[str, ...]:
    """The statuses a user of ``role`` may move an action to from ``current`` on the pages.

    The pages act as a reviewer, never as an inspector on a later visit, so an inspector gets only the
    moves open to anyone; the state machine of ``sync.machines`` is the one authority.
    """
    if current not in STATUSES:
        return ()
    return tuple(
        target
        for target in STATUSES
        if target != current and check_transition("action", current, target, role) is None
    )


def change_errors(current: str, target: str, role: str, note: str, evidence: bytes | None) -> dict[str, str]:
    """What is wrong with a status change asked for on the pages, as ``{field: error code}``.

    Args:
        current: the action's status now.
        target: the status asked for.
        role: the role of the user asking.
        note: the note typed (already stripped).
        evidence: the bytes of the evidence photo, or None when none was sent.

    Returns:
        Codes ``status_unknown``, ``illegal_transition``, ``not_reviewer``, ``note_required``,
        ``note_too_long``, ``evidence_too_large``, ``evidence_type``; empty when the change may go.
    """
    errors: dict[str, str] = {}
    if target not in STATUSES:
        errors["status"] = "status_unknown"
    elif target not in next_statuses(current, role):
        reason = check_transition("action", current, target, role)
        errors["status"] = (
            "not_reviewer" if reason is not None and reason.code == "not_reviewer" else ("illegal_transition")
        )
    if len(note) > NOTE_MAX:
        errors["note"] = "note_too_long"
    elif not note and target in NOTE_REQUIRED:
        errors["note"] = "note_required"
    if evidence is not None:
        if len(evidence) > EVIDENCE_MAX_BYTES:
            errors["evidence"] = "evidence_too_large"
        elif evidence_type(evidence) is None:
            errors["evidence"] = "evidence_type"
    return errors


def evidence_type(data: bytes) -> str | None:
    """The media type of an evidence photo from its first bytes (JPEG or PNG), never the client's claim."""
    mime = sniff(data[:SNIFF_BYTES])
    return mime if mime in EVIDENCE_TYPES else None
