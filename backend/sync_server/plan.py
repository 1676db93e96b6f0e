"""Deciding a push: each new op, in seq order, against the loaded context. Pure: no database.

For every op the plan says its outcome (applied, noop, superseded, conflict, rejected), the fields
it changed, the conflicts it opened or extended, and the entities it created. The store then writes
all of that in a handful of set-based statements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from backend.sync_server.context import Actor, ConflictInfo, Context, EntityInfo, EntityKey, Key
from backend.sync_server.entities import (
    ANSWER_PREFIX,
    DELETED,
    READ_ONLY,
    SPECS,
    check_create,
    check_field,
    reject,
)
from sync.machines import check_transition, is_locked, is_reviewer
from sync.merge import FieldState, Write, merge, order_key
from sync.wire import Op, OpResult, Reason

_RANK: Final = {"noop": 0, "superseded": 1, "applied": 2, "conflict": 3}
# An action outlives its visit: its follow-up is recorded after the visit is submitted, on later visits.
_ACTION_FOLLOW_UP: Final = frozenset({"status", "note", "verified_in_visit_id"})
# Defaults a create gets when the device did not say.
_INITIAL: Final = {"visit": {"status": "draft"}, "action": {"status": "open"}}


@dataclass
class Planned:
    results: list[OpResult] = field(default_factory=list)
    changed: dict[Key, FieldState] = field(default_factory=dict)
    new_entities: dict[EntityKey, EntityInfo] = field(default_factory=dict)
    conflicts: dict[uuid.UUID, ConflictInfo] = field(default_factory=dict)
    touched: set[EntityKey] = field(default_factory=set)
    submitted: set[uuid.UUID] = field(default_factory=set)  # visits that became submitted


class _Rejected(Exception):
    def __init__(self, reason: Reason) -> None:
        self.reason = reason


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


class Planner:
    def __init__(self, actor: Actor, context: Context, now: datetime) -> None:
        self.actor = actor
        self.ctx = context
        self.now = now
        self.out = Planned()

    # -- the entities as this push leaves them ---------------------------------------------------
    def _entity(self, key: EntityKey) -> EntityInfo | None:
        return self.out.new_entities.get(key) or self.ctx.entities.get(key)

    def _value(self, key: Key) -> Any:
        state = self.ctx.states.get(key)
        return None if state is None else state.value

    def _visit_locked(self, visit_id: uuid.UUID | None) -> bool:
        if visit_id is None:
            return False
        status = self._value(("visit", visit_id, "status")) or "draft"
        return is_locked("visit", str(status))

    def _require_scope(self, info: EntityInfo) -> None:
        if info.agency_id is not None and info.agency_id not in self.ctx.agencies_in_scope:
            raise _Rejected(reject("out_of_scope", "This agency is outside your scope."))

    def _require_writer(self) -> None:
        if not self.actor.may_write_visits:
            raise _Rejected(reject("forbidden", "Your role may not record visits."))

    # -- one op ----------------------------------------------------------------------------------
    def plan(self, ops: list[Op], hlcs: list[str]) -> Planned:
        for op, hlc in zip(ops, hlcs, strict=True):
            try:
                self.out.results.append(self._apply(op, hlc))
            except _Rejected as rejected:
                self.out.results.append(OpResult(op_id=op.op_id, outcome="rejected", reason=rejected.reason))
        return self.out

    def _apply(self, op: Op, hlc: str) -> OpResult:
        if op.kind == "resolve":
            return self._resolve(op, hlc)
        if op.entity not in SPECS:
            code = "read_only" if op.entity in READ_ONLY else "unknown_entity_type"
            raise _Rejected(reject(code, f"Devices cannot write {op.entity!r}.", "entity"))
        key = (op.entity, op.entity_id)
        info = self._entity(key)
        writes: list[tuple[str, Any]]
        unlocked: set[str] = set()
        if op.kind == "create":
            writes = self._create(op, info)
            info = self._entity(key)
        elif info is None:
            raise _Rejected(
                reject("unknown_entity", f"No {op.entity} {op.entity_id} was created.", "entity_id")
            )
        elif op.kind == "set":
            writes = self._set(op, info)
            if op.field == "status" or (op.entity == "action" and op.field in _ACTION_FOLLOW_UP):
                unlocked.add(op.field)
        elif op.kind == "submit":
            writes = self._submit(op, info)
            unlocked.add("status")
        else:  # delete
            writes = self._delete(op, info)
        locked = self._visit_locked(info.visit_id if info else None)
        return self._merge(op, hlc, writes, locked=locked, unlocked=unlocked)

    def _create(self, op: Op, info: EntityInfo | None) -> list[tuple[str, Any]]:
        self._require_writer()
        if (reason := check_create(op.entity, op.value)) is not None:
            raise _Rejected(reason)
        fields: dict[str, Any] = dict(op.value)
        if info is not None:  # created before (another device, or a retried create): its fixed fields stay
            self._require_scope(info)
            for name in SPECS[op.entity].fixed & set(fields):
                if self._value((op.entity, op.entity_id, name)) not in (None, fields[name]):
                    raise _Rejected(reject("fixed_field", f"{name} cannot change once created.", name))
            return list(fields.items())
        new = self._new_entity(op.entity, op.entity_id, fields)
        self._require_scope(new)
        self.out.new_entities[(op.entity, op.entity_id)] = new
        for name, default in _INITIAL.get(op.entity, {}).items():
            fields.setdefault(name, default)
        if fields.get("status") not in (None, _INITIAL.get(op.entity, {}).get("status")):
            raise _Rejected(
                reject("illegal_transition", "A new record starts in its first status.", "status")
            )
        return list(fields.items())

    def _new_entity(self, entity: str, entity_id: uuid.UUID, fields: dict[str, Any]) -> EntityInfo:
        user = self.actor.user_id
        if entity == "visit":
            agency = _uuid(fields["agency_id"])
            if agency not in self.ctx.agencies_known:
                raise _Rejected(reject("unknown_reference", "No such agency.", "agency_id"))
            if _uuid(fields["template_version_id"]) not in self.ctx.template_items:
                raise _Rejected(
                    reject("unknown_reference", "No such published template.", "template_version_id")
                )
            if fields.get("assignment_id") and _uuid(fields["assignment_id"]) not in self.ctx.assignments:
                raise _Rejected(reject("unknown_reference", "No such assignment.", "assignment_id"))
            return EntityInfo(agency_id=agency, visit_id=entity_id, created_by=user)  # a visit is its own
        visit_id = _uuid(fields["visit_id"])
        visit = self._entity(("visit", visit_id))
        if visit is None:
            raise _Rejected(reject("unknown_reference", "No such visit.", "visit_id"))
        if fields.get("agency_id") not in (None, str(visit.agency_id)):
            raise _Rejected(reject("invalid_value", "agency_id differs from the visit's.", "agency_id"))
        self._check_refs(fields)
        return EntityInfo(agency_id=visit.agency_id, visit_id=visit_id, created_by=user)

    def _check_refs(self, fields: dict[str, Any]) -> None:
        if fields.get("finding_id") and self._entity(("finding", _uuid(fields["finding_id"]))) is None:
            raise _Rejected(reject("unknown_reference", "No such finding.", "finding_id"))
        if fields.get("owner_id") and _uuid(fields["owner_id"]) not in self.ctx.users:
            raise _Rejected(reject("unknown_reference", "No such user.", "owner_id"))

    def _set(self, op: Op, info: EntityInfo) -> list[tuple[str, Any]]:
        self._require_scope(info)
        name = op.field
        if name is None:
            raise _Rejected(reject("required", "A set names its field.", "field"))
        if (reason := check_field(op.entity, name, op.value)) is not None:
            raise _Rejected(reason)
        if name in SPECS[op.entity].fixed:
            raise _Rejected(reject("fixed_field", f"{name} cannot change once created.", name))
        if op.entity == "visit" and name.startswith(ANSWER_PREFIX):
            self._check_item(info, op.entity_id, name[len(ANSWER_PREFIX) :])
        self._check_refs({name: op.value})
        if name == "status":
            self._check_status(op.entity, op.entity_id, info, str(op.value), "set")
        elif not (op.entity == "action" and is_reviewer(self.actor.role)):
            self._require_writer()
        return [(name, op.value)]

    def _check_item(self, info: EntityInfo, visit_id: uuid.UUID, item_key: str) -> None:
        template = self._value(("visit", visit_id, "template_version_id"))
        items = self.ctx.template_items.get(_uuid(template)) if template else None
        if items is not None and item_key not in items:
            raise _Rejected(
                reject("unknown_field", f"The checklist has no item {item_key!r}.", ANSWER_PREFIX + item_key)
            )

    def _check_status(self, entity: str, entity_id: uuid.UUID, info: EntityInfo, to: str, kind: str) -> None:
        if entity not in ("visit", "action"):
            return
        current = str(self._value((entity, entity_id, "status")) or _INITIAL[entity]["status"])
        reason = check_transition(
            entity,  # type: ignore[arg-type]
            current,
            to,
            self.actor.role,
            kind=kind,
            is_author=info.created_by == self.actor.user_id,
            on_later_visit=entity == "action" and self.actor.may_write_visits,
        )
        if reason is not None:
            raise _Rejected(reason)
        if entity == "visit" and to == "submitted" and current != "submitted":
            self.out.submitted.add(entity_id)

    def _submit(self, op: Op, info: EntityInfo) -> list[tuple[str, Any]]:
        if op.entity != "visit":
            raise _Rejected(reject("invalid_value", "Only a visit is submitted.", "entity"))
        self._require_scope(info)
        self._check_status("visit", op.entity_id, info, "submitted", "submit")
        return [("status", "submitted")]

    def _delete(self, op: Op, info: EntityInfo) -> list[tuple[str, Any]]:
        self._require_scope(info)
        self._require_writer()
        if op.entity == "visit" and (self._value(("visit", op.entity_id, "status")) or "draft") != "draft":
            raise _Rejected(reject("illegal_transition", "Only a draft visit can be deleted.", "status"))
        return [(DELETED, True)]

    # -- merging ---------------------------------------------------------------------------------
    def _merge(
        self, op: Op, hlc: str, writes: list[tuple[str, Any]], *, locked: bool, unlocked: set[str]
    ) -> OpResult:
        outcome, version, conflict_id = "noop", None, None
        self.out.touched.add((op.entity, op.entity_id))
        for name, value in writes:
            key = (op.entity, op.entity_id, name)
            write = Write(
                op_id=op.op_id,
                value=value,
                hlc=hlc,
                client_id=self.actor.client_id,
                author=self.actor.user_id,
                base_version=op.base_version,
            )
            decision = merge(self.ctx.states.get(key), write, locked=locked and name not in unlocked)
            if decision.state is not None and decision.state != self.ctx.states.get(key):
                self.ctx.states[key] = decision.state
                self.out.changed[key] = decision.state
            if decision.outcome == "conflict":
                conflict_id = self._record_conflict(key, write, decision.candidates)
            if _RANK[decision.outcome] > _RANK[outcome]:
                outcome = decision.outcome
            state = self.ctx.states.get(key)
            version = max(version or 0, state.version) if state else version
        return OpResult(op_id=op.op_id, outcome=outcome, version=version, conflict_id=conflict_id)  # type: ignore[arg-type]

    def _record_conflict(self, key: Key, write: Write, candidates: tuple[Any, ...]) -> uuid.UUID:
        conflict = self.ctx.open_conflicts.get(key)
        if conflict is None:
            info = self._entity((key[0], key[1]))
            conflict = ConflictInfo(
                id=uuid.uuid4(),
                key=key,
                agency_id=info.agency_id if info else None,
                status="open",
                base_version=write.base_version,
                candidates=[],
                is_new=True,
            )
            self.ctx.open_conflicts[key] = conflict
            self.ctx.conflicts_by_id[conflict.id] = conflict
        known = {candidate["op_id"] for candidate in conflict.candidates}
        for candidate in sorted(candidates, key=order_key):
            if str(candidate.op_id) not in known:
                conflict.candidates.append(
                    {
                        "op_id": str(candidate.op_id),
                        "value": candidate.value,
                        "author": str(candidate.author),
                        "client_id": str(candidate.client_id),
                        "hlc": candidate.hlc,
                        "at": self.now.isoformat(),
                    }
                )
        conflict.base_version = min(conflict.base_version, write.base_version)
        conflict.touched = True
        self.out.conflicts[conflict.id] = conflict
        return conflict.id

    def _resolve(self, op: Op, hlc: str) -> OpResult:
        conflict = self.ctx.conflicts_by_id.get(op.entity_id)
        if conflict is None:
            raise _Rejected(reject("unknown_entity", "No such conflict.", "entity_id"))
        if not is_reviewer(self.actor.role):
            raise _Rejected(reject("not_reviewer", "Only a reviewer resolves a conflict.", "entity_id"))
        if conflict.agency_id is not None and conflict.agency_id not in self.ctx.agencies_in_scope:
            raise _Rejected(reject("out_of_scope", "This agency is outside your scope."))
        if conflict.status == "resolved":
            same = conflict.resolution is not None and conflict.resolution.get("value") == op.value
            if same:
                return OpResult(op_id=op.op_id, outcome="noop", conflict_id=conflict.id)
            raise _Rejected(reject("already_resolved", "This conflict was already resolved.", "entity_id"))
        key = conflict.key
        current = self.ctx.states.get(key)
        # The reviewer's decision is final: it wins whatever the clocks say, with a new version.
        stamp = max(hlc, current.hlc) if current else hlc
        state = FieldState(
            value=op.value,
            version=(current.version if current else 0) + 1,
            hlc=stamp,
            client_id=self.actor.client_id,
            author=self.actor.user_id,
            op_id=op.op_id,
        )
        self.ctx.states[key] = self.out.changed[key] = state
        conflict.status = "resolved"
        conflict.resolution = {
            "value": op.value,
            "author": str(self.actor.user_id),
            "hlc": stamp,
            "at": self.now.isoformat(),
        }
        conflict.touched = True
        self.out.conflicts[conflict.id] = conflict
        self.out.touched.add((key[0], key[1]))
        return OpResult(op_id=op.op_id, outcome="applied", version=state.version, conflict_id=conflict.id)
