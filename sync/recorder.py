"""The ops a device records, by name: create, set, delete, submit, resolve, and a whole visit.

Pure (no I/O): each helper appends to the device's :class:`~sync.outbox.Outbox`, and ``set`` reads
the version last seen of a field from its :class:`~sync.replica.Replica`. :class:`~sync.client.SyncClient`
inherits them and sends what they recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sync.outbox import Outbox
from sync.replica import Replica
from sync.wire import Op, OpKind


class OpRecorder:
    """Recording helpers over ``self.outbox`` and ``self.replica``, which the subclass sets."""

    outbox: Outbox
    replica: Replica

    def record(
        self,
        entity: str,
        entity_id: uuid.UUID,
        kind: OpKind,
        field: str | None = None,
        value: Any = None,
        base_version: int = 0,
    ) -> Op:
        """Append one op to the outbox (see :meth:`Outbox.record`)."""
        return self.outbox.record(entity, entity_id, kind, field, value, base_version)

    def create(self, entity: str, entity_id: uuid.UUID, fields: Mapping[str, Any]) -> Op:
        """Create ``entity`` with its first fields (a visit's ``agency_id``, a finding's ``visit_id`` …)."""
        return self.record(entity, entity_id, "create", None, dict(fields))

    def set(
        self, entity: str, entity_id: uuid.UUID, field: str, value: Any, base_version: int | None = None
    ) -> Op:
        """Set one field. ``base_version`` None uses the version last seen of that field (0: never)."""
        if base_version is None:
            base_version = self.replica.version(entity, entity_id, field)
        return self.record(entity, entity_id, "set", field, value, base_version)

    def delete(self, entity: str, entity_id: uuid.UUID) -> Op:
        return self.record(entity, entity_id, "delete")

    def submit_visit(self, visit_id: uuid.UUID) -> Op:
        """Submit a visit for review (the server moves its status to ``submitted``)."""
        return self.record("visit", visit_id, "submit")

    def resolve(self, conflict_id: uuid.UUID, value: Any) -> Op:
        """As a reviewer, resolve a conflict with the chosen value."""
        return self.record("conflict", conflict_id, "resolve", None, value)

    def record_visit(
        self,
        *,
        agency_id: uuid.UUID,
        template_version_id: uuid.UUID,
        answers: Mapping[str, Any],
        started_at: str,
        visit_id: uuid.UUID | None = None,
        submit: bool = True,
    ) -> uuid.UUID:
        """A whole visit as a device records it: create, one ``answers.<key>`` op per answer
        (each ``{value, note}``), then submit unless told not to. Returns the visit id."""
        visit_id = visit_id or uuid.uuid4()
        self.create(
            "visit",
            visit_id,
            {
                "agency_id": str(agency_id),
                "template_version_id": str(template_version_id),
                "started_at": started_at,
            },
        )
        for key, answer in answers.items():
            self.set("visit", visit_id, f"answers.{key}", answer)
        if submit:
            self.submit_visit(visit_id)
        return visit_id
