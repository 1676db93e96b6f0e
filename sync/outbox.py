"""A device's outbox: ops numbered 1, 2, 3 … with stamps of its clock, dropped only once acknowledged.

Pure (no I/O): :mod:`sync.client` sends it over HTTP, and the PWA's IndexedDB outbox follows the
same rules. Each op is recorded with the next seq and a new stamp of the device's
:class:`~sync.hlc.Clock`; a push answer acknowledges every op at or below its ``last_seq``
(:meth:`Outbox.acknowledge`), and only those leave the outbox.

A 409 ``seq_gap`` names the seq the server expects (:meth:`Outbox.realign`): ops below it that are
still here are held by the server already and leave; when the server expects a seq *below* the
outbox (it lost ops it had acknowledged, e.g. a restore from backup), the ops still here were never
stored, so they are renumbered from the expected seq with their op ids unchanged. Nothing is dropped.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal

import msgspec

from sync.errors import SyncError
from sync.hlc import Clock
from sync.wire import (
    MAX_OPS,
    MAX_PUSH_BYTES,
    PROTOCOL,
    Op,
    OpKind,
    OpResult,
    PushRequest,
    PushResponse,
    check_value,
    json_encoder,
    msgpack_encoder,
)

log = logging.getLogger("rasd.sync.outbox")

Encoding = Literal["json", "msgpack"]
# Room left in a push body for the envelope around the ops.
ENVELOPE_BYTES: Final = 1024


class ClientError(SyncError):
    """The base of what a client raises; the outbox is intact whenever one is raised."""

    code: ClassVar[str] = "client_error"


class ProtocolViolation(ClientError):
    """The server answered something the protocol does not allow (e.g. no progress on a push)."""

    code: ClassVar[str] = "protocol_violation"


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter: attempt n waits ``min(cap, base * 2**n)`` times 0.5–1.

    Args:
        base: the first delay, in seconds.
        cap: the longest delay, in seconds; a server's ``Retry-After`` is honoured up to it.
        attempts: how many times a request is sent in all before giving up.
    """

    base: float = 0.05
    cap: float = 5.0
    attempts: int = 12

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2.0**attempt)
        # Jitter spreads devices that failed together; it needs no cryptographic randomness.
        jittered = ceiling * (0.5 + random.random() / 2)  # noqa: S311
        if retry_after is not None:
            return min(self.cap, max(jittered, retry_after))
        return jittered


def encode_push(request: PushRequest, encoding: Encoding) -> bytes:
    return msgpack_encoder.encode(request) if encoding == "msgpack" else json_encoder.encode(request)


class Outbox:
    """The unacknowledged ops of one client, in seq order.

    Args:
        clock: the client's clock (its ``client_id`` is the outbox's).
        next_seq: the seq of the next op (1 for a new device; restored from storage otherwise).
    """

    def __init__(self, clock: Clock, *, next_seq: int = 1) -> None:
        self.clock = clock
        self.client_id = uuid.UUID(clock.client_id)
        self.next_seq = next_seq
        self.ops: list[Op] = []
        self.server_last_seq = next_seq - 1  # the server's last_seq for this client, as last heard

    def __len__(self) -> int:
        return len(self.ops)

    def record(
        self,
        entity: str,
        entity_id: uuid.UUID,
        kind: OpKind,
        field: str | None = None,
        value: Any = None,
        base_version: int = 0,
    ) -> Op:
        """Append one op with the next seq and a new stamp; return it.

        Raises:
            ValueError: ``value`` is not portable JSON data, or too big to ever fit in a push; such an
                op would wedge the outbox, so it is refused before it enters.
        """
        problem = check_value(value)
        if problem is not None:
            raise ValueError(f"{entity}.{field}: {problem}")
        op = Op(
            op_id=uuid.uuid4(),
            seq=self.next_seq,
            entity=entity,
            entity_id=entity_id,
            kind=kind,
            field=field,
            value=value,
            base_version=base_version,
            hlc=self.clock.now(),
        )
        if len(json_encoder.encode(op)) > MAX_PUSH_BYTES - ENVELOPE_BYTES:
            raise ValueError(f"{entity}.{field}: an op of this size can never fit in a push")
        self.next_seq += 1
        self.ops.append(op)
        return op

    def batch(self, max_ops: int = MAX_OPS, encoding: Encoding = "json") -> tuple[list[Op], bytes]:
        """The first ops that fit in one push (``max_ops`` and 2 MiB), and the encoded request."""
        if not self.ops:
            raise ValueError("the outbox is empty")
        count = min(max_ops, MAX_OPS, len(self.ops))
        while True:
            batch = self.ops[:count]
            body = encode_push(PushRequest(protocol=PROTOCOL, client_id=self.client_id, ops=batch), encoding)
            if len(body) <= MAX_PUSH_BYTES or count == 1:
                return batch, body
            count = max(1, count // 2)

    def acknowledge(self, batch: list[Op], answer: PushResponse) -> list[tuple[Op, OpResult]]:
        """Drop the ops of ``batch`` at or below ``answer.last_seq``; return them with their results.

        Raises:
            ProtocolViolation: the answer acknowledges none of the batch, or misses a result.
        """
        if not batch or answer.last_seq < batch[0].seq:
            first = batch[0].seq if batch else None
            raise ProtocolViolation(
                f"The server acknowledged up to seq {answer.last_seq}, below the batch's first seq {first}."
            )
        by_id = {result.op_id: result for result in answer.results}
        acknowledged: list[tuple[Op, OpResult]] = []
        for op in batch:
            if op.seq > answer.last_seq:
                break
            result = by_id.get(op.op_id)
            if result is None:
                raise ProtocolViolation(f"The server gave no result for op {op.op_id} (seq {op.seq}).")
            acknowledged.append((op, result))
        held = {op.op_id for op, _ in acknowledged}
        self.ops = [op for op in self.ops if op.op_id not in held]
        self.server_last_seq = answer.last_seq
        return acknowledged

    def realign(self, expected_seq: int) -> None:
        """Follow a 409 ``seq_gap``: see the module docstring."""
        if not self.ops:
            self.server_last_seq = expected_seq - 1
            return
        first, last = self.ops[0].seq, self.ops[-1].seq
        if first < expected_seq <= last + 1:
            held = sum(1 for op in self.ops if op.seq < expected_seq)
            log.warning("seq gap: the server already holds %d ops of the outbox", held)
            del self.ops[:held]
        else:
            log.warning("seq gap: renumbering %d ops from seq %d", len(self.ops), expected_seq)
            self.ops = [
                msgspec.structs.replace(op, seq=expected_seq + index) for index, op in enumerate(self.ops)
            ]
            self.next_seq = expected_seq + len(self.ops)
        self.server_last_seq = expected_seq - 1
