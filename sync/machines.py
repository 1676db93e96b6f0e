"""The status state machines the server checks on every status change.

Visit::

    draft ──submit (author)──► submitted ──reviewer──► approved (final)
                                   │  ▲
                          reviewer │  │ submit (author)
                                   ▼  │
                                 returned

Action (corrective action)::

    open ──► in_progress ──► done ──reviewer, or inspector on a later visit──► verified
      └──────────────────────►┘
    done, verified ──reviewer──► open      (reopen)

"Overdue" is not a status: it is derived from the deadline of an action that is not done yet.
Scope and ownership (who may touch this visit or action at all) are checked by the backend
before; these machines only say which moves exist and which kind of actor may make them.

Reason codes (stable; the message is English and the backend translates by code):
``unknown_status``, ``illegal_transition`` (no such move), ``submit_required`` (a visit is
submitted with a ``submit`` op, not by setting its status), ``not_author`` (only the visit's author
submits it), ``not_reviewer`` (only a reviewer approves, returns, verifies or reopens).
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

from sync.wire import Reason

MachineName = Literal["visit", "action"]
# Who may make a move: anyone in scope, the visit's author, a reviewer, or (to verify an action)
# a reviewer or an inspector who checks it on a later visit.
Actor = Literal["anyone", "author", "reviewer", "reviewer_or_later_visit"]

REVIEWER_ROLES: Final = frozenset({"central_inspector", "director", "admin"})


class Move(NamedTuple):
    actor: Actor
    kind: Literal["set", "submit"] = "set"


class Machine(NamedTuple):
    name: MachineName
    initial: str
    statuses: tuple[str, ...]
    moves: dict[tuple[str, str], Move]
    locked: frozenset[str]  # statuses in which changes to the entity become conflicts


VISIT: Final = Machine(
    name="visit",
    initial="draft",
    statuses=("draft", "submitted", "approved", "returned"),
    moves={
        ("draft", "submitted"): Move("author", "submit"),
        ("returned", "submitted"): Move("author", "submit"),
        ("submitted", "approved"): Move("reviewer"),
        ("submitted", "returned"): Move("reviewer"),
    },
    locked=frozenset({"submitted", "approved"}),
)

ACTION: Final = Machine(
    name="action",
    initial="open",
    statuses=("open", "in_progress", "done", "verified"),
    moves={
        ("open", "in_progress"): Move("anyone"),
        ("in_progress", "done"): Move("anyone"),
        ("open", "done"): Move("anyone"),
        ("done", "verified"): Move("reviewer_or_later_visit"),
        ("done", "open"): Move("reviewer"),
        ("verified", "open"): Move("reviewer"),
    },
    locked=frozenset(),
)

MACHINES: Final[dict[str, Machine]] = {VISIT.name: VISIT, ACTION.name: ACTION}

_WHO: Final[dict[Actor, str]] = {
    "anyone": "anyone",
    "author": "the author of the visit",
    "reviewer": "a reviewer",
    "reviewer_or_later_visit": "a reviewer, or an inspector on a later visit,",
}


_NOUN: Final[dict[str, str]] = {"visit": "a visit", "action": "an action"}


def is_reviewer(role: str) -> bool:
    return role in REVIEWER_ROLES


def is_locked(machine: MachineName, status: str) -> bool:
    """Whether changes to an entity in ``status`` must become conflicts for a reviewer."""
    return status in MACHINES[machine].locked


def is_final(machine: MachineName, status: str) -> bool:
    """Whether no move leaves ``status``."""
    return not any(start == status for start, _ in MACHINES[machine].moves)


def check_transition(
    machine: MachineName,
    from_status: str,
    to_status: str,
    role: str,
    *,
    kind: str = "set",
    is_author: bool = False,
    on_later_visit: bool = False,
) -> Reason | None:
    """None if the move is allowed, else the reason to reject the op with.

    Args:
        machine: ``"visit"`` or ``"action"``.
        from_status: the current status.
        to_status: the status the op asks for (``"submitted"`` for a ``submit`` op).
        role: the user's role (``inspector``, ``central_inspector``, ``director``, ``admin``).
        kind: the op's kind: ``"submit"`` or ``"set"``.
        is_author: the user created the visit.
        on_later_visit: the user verifies an action during a later visit of the same agency.

    Staying in the same status is allowed (a replayed or repeated submit is harmless).
    """
    spec = MACHINES[machine]
    noun = _NOUN[machine]
    for status in (from_status, to_status):
        if status not in spec.statuses:
            return Reason(
                code="unknown_status",
                message=f"{status!r} is not a status of {noun} ({', '.join(spec.statuses)}).",
                field="status",
            )
    if from_status == to_status:
        return None
    move = spec.moves.get((from_status, to_status))
    if move is None:
        return Reason(
            code="illegal_transition",
            message=f"{noun.capitalize()} cannot go from {from_status} to {to_status}.",
            field="status",
        )
    if move.kind != kind:
        if move.kind == "submit":
            return Reason(
                code="submit_required",
                message=f"{noun.capitalize()} is submitted with a submit op, not by setting its status.",
                field="status",
            )
        return Reason(
            code="illegal_transition",
            message=f"A {kind} op cannot move {noun} from {from_status} to {to_status}.",
            field="status",
        )
    allowed = {
        "anyone": True,
        "author": is_author,
        "reviewer": is_reviewer(role),
        "reviewer_or_later_visit": is_reviewer(role) or (role == "inspector" and on_later_visit),
    }[move.actor]
    if allowed:
        return None
    return Reason(
        code="not_author" if move.actor == "author" else "not_reviewer",
        message=f"Only {_WHO[move.actor]} can move {noun} from {from_status} to {to_status}.",
        field="status",
    )
