"""What devices may write: the entities of protocol v1, their fields and the shape of each value.

Pure rules (no database): each check returns None or the ``Reason`` to reject the op with.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sync.wire import Reason

Check = Callable[[Any], str | None]  # None when valid, else what is wrong (English)
ANSWER_PREFIX: Final = "answers."
DELETED: Final = "_deleted"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ITEM_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
MIME_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})


def _uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return "expected a UUID"
    try:
        uuid.UUID(value)
    except ValueError:
        return "expected a UUID"
    return None


def _text(limit: int) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "expected text"
        return None if len(value) <= limit else f"longer than {limit} characters"

    return check


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _instant(value: Any) -> str | None:
    if not isinstance(value, str):
        return "expected an ISO 8601 timestamp"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return "expected an ISO 8601 timestamp"
    return None if parsed.tzinfo is not None else "the timestamp needs a time zone (e.g. Z)"


def _day(value: Any) -> str | None:
    if not isinstance(value, str):
        return "expected a date (YYYY-MM-DD)"
    try:
        date.fromisoformat(value)
    except ValueError:
        return "expected a date (YYYY-MM-DD)"
    return None


def _location(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) - {"lat", "lon", "accuracy_m", "at"}:
        return "expected {lat, lon, accuracy_m}"
    lat, lon = value.get("lat"), value.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float) or isinstance(lat, bool):
        return "lat and lon must be numbers"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return "lat or lon out of range"
    accuracy = value.get("accuracy_m")
    if accuracy is not None and (not isinstance(accuracy, int | float) or accuracy < 0):
        return "accuracy_m must be a positive number"
    return None


def _sha256(value: Any) -> str | None:
    return None if isinstance(value, str) and _SHA256.match(value) else "expected a lower-case SHA-256"


def _one_of(*allowed: str) -> Check:
    return lambda value: None if value in allowed else f"expected one of {', '.join(allowed)}"


def _size(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 100 * 1024 * 1024
    return None if ok else "expected a size in bytes"


def _mime(value: Any) -> str | None:
    return None if value in MIME_TYPES else f"expected one of {', '.join(sorted(MIME_TYPES))}"


def _signature(value: Any) -> str | None:
    if not isinstance(value, dict) or _sha256(value.get("sha256")):
        return "expected {sha256, signed_by, signed_at}"
    return _optional(_text(200))(value.get("signed_by"))


def _answer(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) - {"value", "note"} or "value" not in value:
        return "expected {value, note}"
    return _optional(_text(4000))(value.get("note"))


def _evidence(value: Any) -> str | None:
    if not isinstance(value, list) or len(value) > 50:
        return "expected a list of at most 50 attachment ids"
    return next((error for item in value if (error := _uuid(item))), None)


@dataclass(frozen=True)
class EntitySpec:
    """An entity devices may create: its fields (with checks), those required at creation, and those
    that can only be given at creation (they decide scope and must not move)."""

    fields: dict[str, Check]
    required: frozenset[str]
    fixed: frozenset[str]
    deletable: bool = True


SPECS: Final[dict[str, EntitySpec]] = {
    "visit": EntitySpec(
        fields={
            "agency_id": _uuid,
            "template_version_id": _uuid,
            "assignment_id": _optional(_uuid),
            "started_at": _instant,
            "location": _optional(_location),
            "status": _one_of("draft", "submitted", "approved", "returned"),
            "signature": _optional(_signature),
            "review_comment": _optional(_text(4000)),
        },
        required=frozenset({"agency_id", "template_version_id"}),
        fixed=frozenset({"agency_id", "template_version_id"}),
    ),
    "finding": EntitySpec(
        fields={
            "visit_id": _uuid,
            "agency_id": _uuid,  # redundant with the visit's; checked equal
            "item_key": _optional(_text(80)),
            "severity": _one_of("critical", "major", "minor", "observation"),
            "description": _text(4000),
            "evidence": _evidence,
        },
        required=frozenset({"visit_id", "severity"}),
        fixed=frozenset({"visit_id", "agency_id"}),
    ),
    "action": EntitySpec(
        fields={
            "visit_id": _uuid,
            "finding_id": _optional(_uuid),
            "title": _text(300),
            "description": _text(4000),
            "owner_id": _optional(_uuid),
            "owner_name": _text(200),
            "deadline": _optional(_day),
            "status": _one_of("open", "in_progress", "done", "verified"),
            "note": _optional(_text(4000)),
            "verified_in_visit_id": _optional(_uuid),
        },
        required=frozenset({"visit_id"}),
        fixed=frozenset({"visit_id"}),
    ),
    "attachment": EntitySpec(
        fields={
            "visit_id": _uuid,
            "item_key": _optional(_text(80)),
            "sha256": _sha256,
            "size": _size,
            "mime": _mime,
            "taken_at": _optional(_instant),
            "location": _optional(_location),
        },
        required=frozenset({"visit_id", "sha256", "size", "mime"}),
        fixed=frozenset({"visit_id", "sha256"}),
    ),
}
# Server-made records devices only read.
READ_ONLY: Final = frozenset({"agency", "template_version", "assignment"})


def reject(code: str, message: str, field: str | None = None) -> Reason:
    return Reason(code=code, message=message, field=field)


def check_field(entity: str, field: str, value: Any) -> Reason | None:
    """Whether ``field`` of ``entity`` may hold ``value``."""
    spec = SPECS[entity]
    if entity == "visit" and field.startswith(ANSWER_PREFIX):
        if not _ITEM_KEY.match(field[len(ANSWER_PREFIX) :]):
            return reject("unknown_field", f"{field!r} names no checklist item.", field)
        error = _answer(value)
    elif field in spec.fields:
        error = spec.fields[field](value)
    else:
        return reject("unknown_field", f"{entity} has no field {field!r}.", field)
    return None if error is None else reject("invalid_value", f"{field}: {error}.", field)


def check_create(entity: str, value: Any) -> Reason | None:
    """A ``create`` carries an object of the entity's first fields, with the required ones."""
    if not isinstance(value, dict):
        return reject("invalid_value", "a create carries an object of fields.", "value")
    missing = sorted(SPECS[entity].required - set(value))
    if missing:
        return reject("required", f"{entity} needs {', '.join(missing)}.", missing[0])
    return next(
        (reason for field, item in value.items() if (reason := check_field(entity, field, item))), None
    )
