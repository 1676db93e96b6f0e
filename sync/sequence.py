"""Per-client op sequence numbers: which ops of a push are replays, which are new, and gaps.

A client numbers its ops 1, 2, 3 ... with no gap. The server remembers the client's ``last_seq``:
an op at or below it is a duplicate (already acknowledged: answer its stored result, change
nothing); the new ones must continue at ``last_seq + 1`` without a hole, else the push is refused
with :class:`SeqGap` (HTTP 409 with the expected seq) so the client resends from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import msgspec

from sync.errors import PayloadError, SeqGap
from sync.wire import Op


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """The ops of a push split by seq. ``last_seq`` is the client's last seq after this push."""

    duplicates: tuple[Op, ...]
    fresh: tuple[Op, ...]
    last_seq: int


def plan_push(last_seq: int, ops: Sequence[Op]) -> Plan:
    """Split ``ops`` (in any order) against the client's ``last_seq``.

    Raises:
        PayloadError: two ops of the push share a seq (code ``duplicate_seq``).
        SeqGap: the new ops do not continue ``last_seq`` without a hole.
    """
    ordered = sorted(ops, key=lambda op: op.seq)
    for before, after in pairwise(ordered):
        if before.seq == after.seq:
            raise PayloadError(
                f"Two ops of the push have seq {after.seq}.", code="duplicate_seq", field="ops"
            )
    duplicates = tuple(op for op in ordered if op.seq <= last_seq)
    fresh = tuple(op for op in ordered if op.seq > last_seq)
    expected = last_seq + 1
    for op in fresh:
        if op.seq != expected:
            raise SeqGap(expected, op.seq)
        expected += 1
    return Plan(duplicates=duplicates, fresh=fresh, last_seq=expected - 1)
