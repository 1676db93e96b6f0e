"""Building protocol-v1 ops in tests, as a device's outbox would."""

from __future__ import annotations

import uuid
from typing import Any

from sync.hlc import Clock


class Device:
    """One device's outbox: seq 1, 2, 3 … and a hybrid logical clock."""

    def __init__(self, client_id: uuid.UUID | None = None, *, wall: Any = None) -> None:
        self.client_id = client_id or uuid.uuid4()
        self.clock = Clock(self.client_id, wall=wall) if wall else Clock(self.client_id)
        self.seq = 0

    def op(
        self,
        kind: str,
        entity: str,
        entity_id: uuid.UUID,
        field: str | None = None,
        value: Any = None,
        base_version: int = 0,
        *,
        hlc: str | None = None,
    ) -> dict[str, Any]:
        self.seq += 1
        return {
            "op_id": str(uuid.uuid4()),
            "seq": self.seq,
            "entity": entity,
            "entity_id": str(entity_id),
            "kind": kind,
            "field": field,
            "value": value,
            "base_version": base_version,
            "hlc": hlc or self.clock.now(),
        }

    def push_body(self, ops: list[dict[str, Any]]) -> dict[str, Any]:
        return {"protocol": 1, "client_id": str(self.client_id), "ops": ops}
