"""The merge rule of protocol v1: last writer wins per field, concurrent edits are kept as conflicts.

The value of a field is the value of its op with the greatest :func:`order_key`
``(hlc, client_id, op_id)``. The HLC text already ends with the client id; ``op_id`` only breaks
the tie of a faulty client that issues one stamp twice, so the order is total. Because every
branch of :func:`merge` leaves the field with the op of the greatest key (its value and stamp),
applying any permutation and duplication of a set of ops gives the same final value and stamp on
every server and device. Outcomes (applied, superseded, conflict) depend on arrival order; the
final value does not. Nothing is discarded: the caller keeps every op in its log, and a conflict
carries every candidate value.

Decision table for an op ``w`` arriving on field state ``s`` (``later`` = key(w) > key(s)); the
first row that matches decides:

==========  ===========================================  ==========  =====================================
locked      condition                                    outcome     new state
==========  ===========================================  ==========  =====================================
no          no state yet                                 applied     w, version 1
no          same value, later                            noop        w's value and stamp, same version
no          same value, not later (incl. a replay)       noop        s
no          stale base, other author, later              conflict    w, version + 1
no          stale base, other author, not later          conflict    s
no          otherwise, later                             applied     w, version + 1
no          otherwise, not later                         superseded  s
yes         same value (or no state and value null)      noop        s
yes         value differs                                conflict    s (a reviewer decides)
==========  ===========================================  ==========  =====================================

"Stale base": ``w.base_version < s.version``; "other author": ``w.author != s.author``. ``locked``
is the caller's: e.g. a field of a submitted or approved visit, except a legal status transition
(:mod:`sync.machines`) and a reviewer's ``resolve``, which merge unlocked. Values compare as JSON
data (:func:`same_value`): ``1 == 1.0`` but ``True != 1``.

Versions count the changes of a field's value (1, 2, ...); they are what ``base_version`` refers to.
A caller that numbers versions otherwise (e.g. a global change number) can replace them in the
returned state; only their order per field matters here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal
from uuid import UUID

import msgspec

from sync.wire import Op

MergeOutcome = Literal["applied", "noop", "superseded", "conflict"]
OrderKey = tuple[str, str, str]


class Write(msgspec.Struct, frozen=True, kw_only=True):
    """An incoming op on one field, with the device and the person it came from."""

    op_id: UUID
    value: Any = None
    hlc: str
    client_id: UUID
    author: UUID
    base_version: int = 0

    @classmethod
    def of(cls, op: Op, *, client_id: UUID, author: UUID) -> Write:
        """The write of ``op`` pushed by ``client_id`` for the signed-in user ``author``."""
        return cls(
            op_id=op.op_id,
            value=op.value,
            hlc=op.hlc,
            client_id=client_id,
            author=author,
            base_version=op.base_version,
        )


class FieldState(msgspec.Struct, frozen=True, kw_only=True):
    """The current value of one field and the op that wrote it."""

    value: Any = None
    version: int
    hlc: str
    client_id: UUID
    author: UUID
    op_id: UUID


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    """One value of a conflict, with who wrote it, from which device, and its stamp."""

    op_id: UUID
    value: Any = None
    hlc: str
    client_id: UUID
    author: UUID

    @classmethod
    def of(cls, source: Write | FieldState) -> Candidate:
        return cls(
            op_id=source.op_id,
            value=source.value,
            hlc=source.hlc,
            client_id=source.client_id,
            author=source.author,
        )


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """What one op did to a field. ``candidates`` is empty unless the outcome is a conflict."""

    outcome: MergeOutcome
    state: FieldState | None
    candidates: tuple[Candidate, ...] = ()


class Folded(msgspec.Struct, frozen=True, kw_only=True):
    """The result of a batch on one field: the final state, one decision per op in order, and the
    union of the conflict candidates (each op once, in key order) with the oldest base version among
    the conflicting ops, so that the caller opens or extends one conflict with one base value."""

    state: FieldState | None
    decisions: tuple[Decision, ...]
    candidates: tuple[Candidate, ...] = ()
    base_version: int | None = None


def order_key(source: Write | FieldState | Candidate) -> OrderKey:
    """``(hlc, client_id, op_id)`` as text: the total order of writes (greater wins).

    The texts are fixed-width and lower-case, so SQL can compare the same columns as a row value
    ``(hlc, client_id, op_id) > (:hlc, :client_id, :op_id)`` under a byte-wise collation.
    """
    return (source.hlc, str(source.client_id), str(source.op_id))


def same_value(a: Any, b: Any) -> bool:
    """Equality of JSON data: numbers by value (``1 == 1.0``), booleans apart from numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[name], b[name]) for name in a)
    return type(a) is type(b) and bool(a == b)


def _written(write: Write, version: int) -> FieldState:
    return FieldState(
        value=write.value,
        version=version,
        hlc=write.hlc,
        client_id=write.client_id,
        author=write.author,
        op_id=write.op_id,
    )


def merge(current: FieldState | None, write: Write, *, locked: bool = False) -> Decision:
    """Decide what ``write`` does to a field whose state is ``current`` (None: never written).

    Pure and deterministic; see the decision table in the module docstring.
    """
    if locked:
        unchanged = same_value(write.value, current.value) if current else write.value is None
        if unchanged:
            return Decision(outcome="noop", state=current)
        existing = (Candidate.of(current),) if current else ()
        return Decision(outcome="conflict", state=current, candidates=(*existing, Candidate.of(write)))
    if current is None:
        return Decision(outcome="applied", state=_written(write, 1))
    later = order_key(write) > order_key(current)
    if same_value(write.value, current.value):
        # A later write of the same value still takes the stamp (and the exact representation):
        # otherwise a write between the two stamps arriving last would win in one order only.
        state = _written(write, current.version) if later else current
        return Decision(outcome="noop", state=state)
    winner = _written(write, current.version + 1) if later else current
    if write.base_version < current.version and write.author != current.author:
        return Decision(
            outcome="conflict", state=winner, candidates=(Candidate.of(current), Candidate.of(write))
        )
    return Decision(outcome="applied" if later else "superseded", state=winner)


def fold(current: FieldState | None, writes: Iterable[Write], *, locked: bool = False) -> Folded:
    """Merge a batch of writes on one field in order (a push's order, i.e. by seq).

    The final state does not depend on the order; the per-op outcomes do, as they would one by one.
    """
    state = current
    decisions: list[Decision] = []
    candidates: dict[UUID, Candidate] = {}
    base_version: int | None = None
    for write in writes:
        decision = merge(state, write, locked=locked)
        decisions.append(decision)
        state = decision.state
        if decision.outcome == "conflict":
            for candidate in decision.candidates:
                candidates.setdefault(candidate.op_id, candidate)
            base_version = (
                write.base_version if base_version is None else min(base_version, write.base_version)
            )
    return Folded(
        state=state,
        decisions=tuple(decisions),
        candidates=tuple(sorted(candidates.values(), key=order_key)),
        base_version=base_version,
    )


def winner(writes: Iterable[Write]) -> Write | None:
    """The write whose value a field ends with, unlocked, whatever the order: the greatest key."""
    return max(writes, key=order_key, default=None)
