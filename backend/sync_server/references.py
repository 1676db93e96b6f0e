"""Which rows a push needs loaded before it can be planned (pure: from the ops alone)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sync.wire import Op


@dataclass
class References:
    entities: set[tuple[str, uuid.UUID]] = field(default_factory=set)
    agencies: set[uuid.UUID] = field(default_factory=set)
    template_versions: set[uuid.UUID] = field(default_factory=set)
    assignments: set[uuid.UUID] = field(default_factory=set)
    users: set[uuid.UUID] = field(default_factory=set)
    conflicts: set[uuid.UUID] = field(default_factory=set)


def _as_uuid(value: object) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


_ENTITY_REFS = {"visit_id": "visit", "finding_id": "finding", "verified_in_visit_id": "visit"}
_OTHER_REFS = {
    "agency_id": "agencies",
    "template_version_id": "template_versions",
    "assignment_id": "assignments",
    "owner_id": "users",
}


def references(ops: list[Op]) -> References:
    refs = References()
    for op in ops:
        if op.kind == "resolve":
            refs.conflicts.add(op.entity_id)
            continue
        refs.entities.add((op.entity, op.entity_id))
        fields = op.value if op.kind == "create" and isinstance(op.value, dict) else {op.field: op.value}
        for name, value in fields.items():
            ref = _as_uuid(value)
            if ref is None or not isinstance(name, str):
                continue
            if name in _ENTITY_REFS:
                refs.entities.add((_ENTITY_REFS[name], ref))
            elif name in _OTHER_REFS:
                getattr(refs, _OTHER_REFS[name]).add(ref)
    return refs
