"""A device's copy of what it may see: the latest change of every field pulled, conflicts, the cursor.

Pure (no I/O): :mod:`sync.client` fills it from pull pages; the PWA keeps the same in IndexedDB
and applies a page and its cursor in one transaction. The version of each field seen (pulled, or
acknowledged for the device's own write) is the ``base_version`` of the device's next write to it.
"""

from __future__ import annotations

import logging
import uuid

from sync.errors import InvalidHlc
from sync.hlc import Clock
from sync.wire import Change, ConflictView, Op, OpResult, PullResponse

log = logging.getLogger("rasd.sync.replica")

Key = tuple[str, uuid.UUID, str | None]  # entity, entity_id, field (None: the record itself)
FieldKey = tuple[str, uuid.UUID, str]


class Replica:
    def __init__(self) -> None:
        self.state: dict[Key, Change] = {}
        self.conflicts: dict[uuid.UUID, ConflictView] = {}
        self.versions: dict[FieldKey, int] = {}
        self.cursor: str | None = None
        self.last_seq = 0  # the server's last_seq for this device, as the last page said

    def version(self, entity: str, entity_id: uuid.UUID, field: str) -> int:
        """The version of a field last seen, 0 when never seen."""
        return self.versions.get((entity, entity_id, field), 0)

    def apply(self, page: PullResponse, clock: Clock | None = None) -> None:
        """Apply one page and take its cursor; ``clock`` observes every stamp received.

        ``reset`` (the cursor was made on another database, e.g. before a restore) empties the copy
        first: the page starts a new snapshot. A device's outbox is not part of the copy and stays.
        """
        if page.reset:
            self.state.clear()
            self.conflicts.clear()
            self.versions.clear()
        for change in page.changes:
            self.state[(change.entity, change.entity_id, change.field)] = change
            if change.field is not None:
                self.versions[(change.entity, change.entity_id, change.field)] = change.version
            if clock is not None:
                try:
                    clock.observe(change.hlc)
                except InvalidHlc:
                    log.warning("ignoring the malformed stamp of %s %s", change.entity, change.entity_id)
        for conflict in page.conflicts:
            self.conflicts[conflict.id] = conflict
        self.cursor = page.cursor
        self.last_seq = page.last_seq

    def note_write(self, op: Op, result: OpResult) -> None:
        """An acknowledged write of this device is a version it has seen."""
        if result.version is None or result.outcome not in ("applied", "noop"):
            return
        if op.kind == "set" and op.field is not None:
            self.versions[(op.entity, op.entity_id, op.field)] = result.version
        elif op.kind == "create" and result.version == 1 and isinstance(op.value, dict):
            # Version 1 for the whole create: every field it carried is new.
            for name in op.value:
                self.versions[(op.entity, op.entity_id, name)] = 1
