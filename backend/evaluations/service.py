"""Computing, storing and deciding on evaluations.

``compute_cycle`` evaluates every agency of the network for one cycle and stores the result with
exactly what it used (``Evaluation.inputs``: the visits, readings, action counts, previous score and
configuration), so that ``rules.evaluate(inputs)`` gives the same result again. A row is rewritten
only when something in it changed, and never loses the director's decision.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.db.engine import Database
from backend.db.tables import Agency, AuditEvent, Evaluation, EvaluationCycle
from backend.db.upsert import upsert
from backend.errors import Forbidden, Invalid, NotFound
from backend.evaluations.config import EvaluationConfig, load_config, to_json
from backend.evaluations.inputs import Gathered, gather
from backend.evaluations.rules import Result, change, competition_ranks, evaluate, ranks_within
from backend.localtime import local_today

DECIDERS = frozenset({"director", "admin"})
DECISION_MAX = 2000
# What makes a stored evaluation: when all of these are equal, the row is left alone.
_COMPARED = ("score", "components", "flags", "rank_wilaya", "rank_national", "change", "inputs")


def inputs_document(gathered: Gathered, agency_id: uuid.UUID, config: EvaluationConfig) -> dict[str, Any]:
    """What an evaluation used, as JSON: enough to compute it again with ``rules.evaluate``."""
    document: dict[str, Any] = msgspec.to_builtins(gathered.inputs[agency_id])
    document["config"] = to_json(config)
    document["previous"] = {
        "cycle": gathered.previous_code,
        "score": gathered.previous_scores.get(agency_id),
    }
    return document


def rows_of(
    gathered: Gathered, config: EvaluationConfig, cycle_id: uuid.UUID, now: datetime
) -> list[dict[str, Any]]:
    """Evaluations of every agency, ranked nationally and in their wilaya."""
    results: dict[uuid.UUID, Result] = {
        agency_id: evaluate(inputs, config) for agency_id, inputs in gathered.inputs.items()
    }
    scores = {agency_id: result.score for agency_id, result in results.items()}
    national = competition_ranks(scores)
    in_wilaya = ranks_within(scores, gathered.wilaya_of)
    return [
        {
            "agency_id": agency_id,
            "cycle_id": cycle_id,
            "score": result.score,
            "components": result.components,
            "flags": result.flags,
            "rank_wilaya": in_wilaya[agency_id],
            "rank_national": national[agency_id],
            "change": change(result.score, gathered.previous_scores.get(agency_id)),
            "inputs": inputs_document(gathered, agency_id, config),
            "computed_at": now,
        }
        for agency_id, result in results.items()
    ]


async def compute_cycle(db: Database, cycle_id: uuid.UUID, now: datetime) -> int:
    """Evaluate every agency for the cycle; return how many rows were written (new or changed)."""
    async with db.read() as session:
        cycle = await session.get(EvaluationCycle, cycle_id)
        if cycle is None:
            raise NotFound("cycle")
        config = await load_config(session)
        gathered = await gather(session, cycle, local_today(now))
    rows = rows_of(gathered, config, cycle_id, now)
    async with db.write() as session, session.begin():
        stored = {
            row.agency_id: row
            for row in (
                await session.execute(
                    select(
                        col(Evaluation.agency_id), *(col(getattr(Evaluation, name)) for name in _COMPARED)
                    ).where(col(Evaluation.cycle_id) == cycle_id)
                )
            )
        }
        changed = [row for row in rows if _differs(stored.get(row["agency_id"]), row)]
        for row in changed:
            # A stable id per agency and cycle: the same evaluation across recomputations.
            row["id"] = uuid.uuid5(uuid.NAMESPACE_URL, f"rasd:evaluation:{row['agency_id']}:{cycle_id}")
        # decision, decided_by and decided_at are never in the update: the director's word stays.
        await upsert(
            session,
            Evaluation,
            changed,
            keys=("agency_id", "cycle_id"),
            update=(*_COMPARED, "computed_at"),
        )
    return len(changed)


def _differs(stored: Any, row: dict[str, Any]) -> bool:
    if stored is None:
        return True
    return any(getattr(stored, name) != row[name] for name in _COMPARED)


async def recompute_open_cycles(db: Database, now: datetime) -> int:
    """Recompute every cycle that started within the last year, oldest first (a cycle's change reads
    the previous cycle's scores, so those are brought up to date before)."""
    today = local_today(now)
    async with db.read() as session:
        cycles = (
            await session.execute(
                select(col(EvaluationCycle.id))
                .where(
                    col(EvaluationCycle.starts_on) >= today - timedelta(days=366),
                    col(EvaluationCycle.starts_on) <= today,
                )
                .order_by(col(EvaluationCycle.starts_on), col(EvaluationCycle.ends_on))
            )
        ).scalars()
        cycle_ids = list(cycles)
    written = 0
    for cycle_id in cycle_ids:
        written += await compute_cycle(db, cycle_id, now)
    return written


async def cycle_by_code(session: AsyncSession, code: str) -> EvaluationCycle:
    cycle = (
        await session.execute(select(EvaluationCycle).where(col(EvaluationCycle.code) == code))
    ).scalar_one_or_none()
    if cycle is None:
        raise NotFound("cycle")
    return cycle


async def recompute(db: Database, code: str, now: datetime) -> EvaluationCycle:
    """Recompute one cycle chosen by its code."""
    async with db.read() as session:
        cycle = await cycle_by_code(session, code)
    await compute_cycle(db, cycle.id, now)
    return cycle


async def decide(
    db: Database, principal: Principal, evaluation_id: uuid.UUID, text: str, now: datetime
) -> str:
    """Record a director's decision on an evaluation in scope; return its cycle's code."""
    if principal.role not in DECIDERS:
        raise Forbidden()
    text = text.strip()
    if len(text) > DECISION_MAX:
        raise Invalid("decision", code="evaluations.error.too_long", limit=DECISION_MAX)
    async with db.write() as session, session.begin():
        found = (
            await session.execute(
                select(col(Evaluation.id), col(EvaluationCycle.code))
                .join(Agency, col(Agency.id) == col(Evaluation.agency_id))
                .join(EvaluationCycle, col(EvaluationCycle.id) == col(Evaluation.cycle_id))
                .where(col(Evaluation.id) == evaluation_id, agency_scope_clause(principal.scope))
            )
        ).first()
        if found is None:
            raise NotFound("evaluation")
        await session.execute(
            update(Evaluation)
            .where(col(Evaluation.id) == evaluation_id)
            .values(decision=text or None, decided_by=principal.id, decided_at=now)
        )
        session.add(
            AuditEvent(
                actor_id=principal.id,
                kind="evaluation_decision",
                subject=str(evaluation_id),
                detail={"length": len(text)},
                at=now,
            )
        )
    return str(found.code)
