"""The demo history (``rasd demo``): past quarters of visits, findings, actions, assignments and
readings, consistent with the scoring rules, written once, and pulled by the demo inspectors."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlmodel import col

from backend.checklists import parse_template
from backend.checklists.scoring import measures, score
from backend.db.engine import Database
from backend.db.tables import (
    Action,
    ActionEvent,
    Agency,
    Answer,
    Assignment,
    Finding,
    IndicatorReading,
    SyncField,
    TemplateVersion,
    User,
    Visit,
)
from backend.demo.history import HistoryReport, seed_history
from backend.demo.history_setting import HISTORY_USER
from backend.demo.seed import agency_uuid
from tests.support.clients import sign_in

# Agencies of the two demo inspectors' wilayas (their recent visits go through the sync pipeline)
# and one elsewhere (written straight into the tables).
AGENCIES = ("CNAS-16", "CNAS-16-C1", "CNAS-16-C2", "CASNOS-16", "ANEM-16", "CNAS-31", "CASNOS-05")
TABLES = (Visit, Answer, Finding, Action, ActionEvent, Assignment, IndicatorReading, SyncField, User)


@pytest.fixture
async def history(seeded: Database) -> HistoryReport:
    return await seed_history(seeded, agencies=AGENCIES)


async def counts(db: Database) -> dict[str, int]:
    async with db.read() as session:
        return {
            table.__name__: (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in TABLES
        }


async def test_a_consistent_history_written_once(seeded: Database, history: HistoryReport) -> None:
    await _visits_span_several_quarters_with_the_scores_the_pwa_computes(seeded, history)
    await _findings_actions_assignments_and_readings(seeded, history)
    await _running_it_twice_changes_nothing(seeded)


async def _visits_span_several_quarters_with_the_scores_the_pwa_computes(
    seeded: Database, history: HistoryReport
) -> None:
    assert len(history.quarters) >= 5 and history.visits > 5 * len(AGENCIES) * 0.8
    async with seeded.read() as session:
        document = parse_template((await session.execute(select(col(TemplateVersion.document)))).scalar_one())
        visits = list((await session.execute(select(Visit))).scalars())
        answers: dict[uuid.UUID, dict[str, Any]] = defaultdict(dict)
        for row in (await session.execute(select(Answer))).scalars():
            answers[row.visit_id][row.item_key] = row.value
    assert len(visits) == history.visits
    assert {visit.agency_id for visit in visits} == {agency_uuid(code) for code in AGENCIES}
    quarters = {
        (visit.visit_day.year, (visit.visit_day.month - 1) // 3) for visit in visits if visit.visit_day
    }
    assert len(quarters) >= 5
    for visit in visits:
        expected = score(document, answers[visit.id])
        assert visit.score == msgspec.to_builtins(expected), visit.id
        assert visit.score_pct == expected.score_pct
        measured = measures(document, answers[visit.id])
        assert (visit.delay_samples, visit.satisfaction_count) == (
            measured.delay_samples,
            measured.satisfaction_count,
        )
        assert visit.status in ("submitted", "approved", "returned")
    spread = [visit.score_pct for visit in visits if visit.score_pct is not None]
    assert max(spread) - min(spread) > 20  # agencies and quarters differ: the ranking has structure
    latest = max(v.visit_day for v in visits if v.visit_day)
    current = (latest.year, (latest.month - 1) // 3)
    older = {
        v.status for v in visits if v.visit_day and (v.visit_day.year, (v.visit_day.month - 1) // 3) < current
    }
    assert "approved" in older and "returned" not in older  # only the current quarter has returned visits


async def _findings_actions_assignments_and_readings(seeded: Database, history: HistoryReport) -> None:
    async with seeded.read() as session:
        findings = list((await session.execute(select(Finding))).scalars())
        actions = list((await session.execute(select(Action))).scalars())
        events: dict[uuid.UUID, list[ActionEvent]] = defaultdict(list)
        for event in (await session.execute(select(ActionEvent).order_by(col(ActionEvent.at)))).scalars():
            events[event.action_id].append(event)
        assignments = list((await session.execute(select(Assignment))).scalars())
        readings = list((await session.execute(select(IndicatorReading))).scalars())
        visits = {v.id: v for v in (await session.execute(select(Visit))).scalars()}
    assert {f.severity for f in findings} >= {"critical"}
    critical = {(f.visit_id, f.item_key) for f in findings if f.severity == "critical"}
    assert all(key[1] in visits[key[0]].score["critical_failed"] for key in critical)  # type: ignore[index]
    assert len(actions) == history.actions and all(a.owner_name and a.deadline for a in actions)
    statuses = {a.status for a in actions}
    assert "verified" in statuses and statuses & {"open", "in_progress"}
    for action in actions:
        history_of = events[action.id]
        assert history_of and history_of[0].to_status == "open", action.id
        assert history_of[-1].to_status == action.status
    assert any(len(e) >= 3 for e in events.values())
    # One assignment per agency and quarter; done ones name their visit, made in that quarter.
    assert len(assignments) == len(AGENCIES) * len(history.quarters)
    done = [a for a in assignments if a.status == "done"]
    assert done and all(a.visit_id in visits for a in done)
    assert all(visits[a.visit_id].assignment_id == a.id for a in done if a.visit_id)
    assert {r.indicator for r in readings} == {
        "processing_delay_days",
        "satisfaction",
        "collection_rate",
        "debt_collection_rate",
    }
    assert {r.source for r in readings} == {"import"}
    anem = agency_uuid("ANEM-16")  # the employment agency collects no contributions
    assert {r.indicator for r in readings if r.agency_id == anem} == {"processing_delay_days", "satisfaction"}


async def _running_it_twice_changes_nothing(seeded: Database) -> None:
    before = await counts(seeded)
    again = await seed_history(seeded, agencies=AGENCIES)
    assert again.visits == 0 and again.skipped_agencies == len(AGENCIES)
    assert await counts(seeded) == before
    async with seeded.read() as session:
        user = (await session.execute(select(User).where(col(User.username) == HISTORY_USER))).scalar_one()
    assert user.active is False  # the history's generic inspector cannot sign in


async def pull_all(client: AsyncClient) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 500})).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes


async def test_the_inspectors_pull_the_open_actions_of_their_agencies(
    seeded: Database, history: HistoryReport, make_client: Callable[[], AsyncClient]
) -> None:
    assert history.synced_visits > 0
    async with seeded.read() as session:
        rows = await session.execute(
            select(col(Action.id), col(Action.status), col(Agency.wilaya_code))
            .join(Agency, col(Agency.id) == col(Action.agency_id))
            .where(col(Action.status).in_(("open", "in_progress")))
        )
        recent = {(wilaya, action_id): status for action_id, status, wilaya in rows.all()}
    algiers = {action_id: status for (wilaya, action_id), status in recent.items() if wilaya == 16}
    assert algiers, "the demo inspectors of wilaya 16 have open actions on their phones"
    async with make_client() as inspector, make_client() as oran:
        await sign_in(inspector, "inspector")
        await sign_in(oran, "inspector.oran")
        pulled = await pull_all(inspector)
        statuses = {
            uuid.UUID(c["entity_id"]): c["value"]
            for c in pulled
            if c["entity"] == "action" and c["field"] == "status"
        }
        created = {uuid.UUID(c["entity_id"]) for c in pulled if c["entity"] == "action"}
        assert set(algiers) <= created
        for action_id, status in algiers.items():
            assert statuses.get(action_id, "open") == status
        assignments = [c for c in pulled if c["entity"] == "assignment"]
        assert assignments and all(c["value"]["agency_id"] for c in assignments)
        seen_by_oran = {uuid.UUID(c["entity_id"]) for c in await pull_all(oran) if c["entity"] == "action"}
    assert not seen_by_oran & set(algiers)
