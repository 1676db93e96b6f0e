"""Cycles, schedules and assignments through the pages, and what devices pull of them (both databases)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from bs4 import BeautifulSoup
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Assignment, AuditEvent, EvaluationCycle, Schedule, TemplateVersion, User
from backend.db.types import utcnow
from backend.planning import service
from backend.planning.recurrence import occurrences
from tests.support.clients import sign_in
from tests.support.ops import Device
from tests.support.pages import open_page, page_sign_in, parse, rows, submit

ALGER_CNAS_CASNOS = 6  # CNAS-16 and its 3 centres, CASNOS-16 and its centre


async def user_ids(db: Database) -> dict[str, uuid.UUID]:
    async with db.read() as session:
        return dict((await session.execute(select(col(User.username), col(User.id)))).all())


async def count(db: Database, table: type, *where: Any) -> int:
    async with db.read() as session:
        return int(
            (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
        )


async def pull_all(client: AsyncClient, cursor: str = "") -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 500})).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, cursor


async def open_page_from(response: Response) -> BeautifulSoup:
    """A page shown again after a refused form: parsed, with its one heading."""
    soup = parse(response)
    assert len(soup.find_all("h1")) == 1
    return soup


def assignments_of(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last record pulled of each assignment."""
    return {c["entity_id"]: c["value"] for c in changes if c["entity"] == "assignment"}


async def create_alger_schedule(client: AsyncClient, db: Database, **changes: Any) -> tuple[Response, date]:
    """The central inspector's schedule: CNAS and CASNOS of wilaya 16, quarterly, started 120 days ago
    (so that its first occurrences are late), for inspector and inspector2."""
    ids = await user_ids(db)
    soup = await open_page(client, "/manage/schedules/new")
    template = soup.select_one("select#template_id option")
    assert template is not None
    dtstart = service.local_today() - timedelta(days=120)
    data: dict[str, Any] = {
        "name": "Contrôle trimestriel Alger",
        "template_id": template["value"],
        "frequency": "quarterly",
        "interval": "1",
        "month_day": "",
        "until": "",
        "rrule": "",
        "dtstart": dtstart.isoformat(),
        "due_days": "14",
        "bodies": ["CNAS", "CASNOS"],
        "wilayas": ["16"],
        "assignees": [str(ids["inspector"]), str(ids["inspector2"])],
        **changes,
    }
    return await submit(client, soup, "form[action='/manage/schedules']", data), dtstart


async def test_a_schedule_made_through_the_form_generates_once_and_reaches_the_inspectors(
    make_client: Any, seeded: Database
) -> None:
    ids = await user_ids(seeded)
    async with make_client() as central, make_client() as inspector, make_client() as inspector2:
        await page_sign_in(central, "central")
        await sign_in(inspector, "inspector")
        await sign_in(inspector2, "inspector2")
        _before, cursor2 = await pull_all(inspector2)

        response, dtstart = await create_alger_schedule(central, seeded)
        assert response.status_code == 303, response.text[:1000]
        location = response.headers["location"]
        assert location.startswith("/manage/schedules/")
        days = occurrences(
            "FREQ=MONTHLY;INTERVAL=3", dtstart, dtstart, service.local_today() + timedelta(days=90)
        )
        expected = ALGER_CNAS_CASNOS * len(days)
        assert len(days) >= 2
        assert await count(seeded, Assignment) == expected
        async with seeded.read() as session:
            made = list((await session.execute(select(Assignment))).scalars())
            quarters = {c.id: c for c in (await session.execute(select(EvaluationCycle))).scalars()}
        assert {a.assignee_id for a in made} == {ids["inspector"], ids["inspector2"]}
        assert all(a.due_on == a.occurs_on + timedelta(days=14) for a in made)
        for a in made:  # the quarter holding the occurrence, when the demo has it
            if a.cycle_id:
                cycle = quarters[a.cycle_id]
                assert cycle.kind == "quarter" and cycle.starts_on <= a.occurs_on <= cycle.ends_on

        # The schedule's page lists them; generating again creates nothing.
        page = await open_page(central, location)
        assert len(rows(page, "table#assignments")) == expected
        again = await submit(central, page, "form[action$='/generate']", {})
        assert again.status_code == 303 and again.headers["location"].endswith("created=0")
        assert await count(seeded, Assignment) == expected

        # Devices of wilaya 16 pull them, whole, in the shape the work list reads.
        pulled = assignments_of((await pull_all(inspector))[0])
        assert len(pulled) == expected
        mine = [v for v in pulled.values() if v["assignee_id"] == str(ids["inspector"])]
        assert mine
        sample = mine[0]
        assert sample["status"] == "planned" and sample["template_key"] and sample["due_on"]
        assert {"agency_id", "template_id", "visit_id", "occurs_on", "cycle_id"} <= sample.keys()
        async with make_client() as oran:
            await sign_in(oran, "inspector.oran")
            assert not assignments_of((await pull_all(oran))[0]), "Oran sees nothing of Alger"

        # The planning page counts them.
        home = await open_page(central, "/manage/planning")
        schedule_row = rows(home, "table#schedules")[0]
        assert "Contrôle trimestriel Alger" in schedule_row[0]

        # Reassigning to an inspector of Oran is refused beside the field, in Arabic; nothing changes.
        target = next(a for a in made if a.assignee_id == ids["inspector"] and a.occurs_on == days[-1])
        listing = await open_page(central, "/manage/assignments")
        refused = await submit(
            central,
            listing,
            f"form[action='/manage/assignments/{target.id}/reassign']",
            {"assignee_id": str(ids["inspector.oran"])},
        )
        assert refused.status_code == 422
        soup = await open_page_from(refused)
        error = soup.select_one(f"tr#a-{target.id} #assignee_id-error")
        assert error is not None and "المفتش" in error.get_text()
        async with seeded.read() as session:
            unchanged = await session.get(Assignment, target.id)
        assert unchanged is not None and unchanged.assignee_id == ids["inspector"]

        # To inspector2: done, audited, and inspector2's next pull brings it.
        moved = await submit(
            central,
            listing,
            f"form[action='/manage/assignments/{target.id}/reassign']",
            {"assignee_id": str(ids["inspector2"])},
        )
        assert moved.status_code == 303, moved.text[:500]
        async with seeded.read() as session:
            changed = await session.get(Assignment, target.id)
        assert changed is not None and changed.assignee_id == ids["inspector2"]
        assert await count(seeded, AuditEvent, col(AuditEvent.kind) == "assignment_reassigned") == 1
        news = assignments_of((await pull_all(inspector2, cursor2))[0])
        assert news[str(target.id)]["assignee_id"] == str(ids["inspector2"])


async def test_late_assignments_come_first_and_filters_narrow_the_list(
    make_client: Any, seeded: Database
) -> None:
    async with make_client() as central:
        await page_sign_in(central, "central")
        response, _dtstart = await create_alger_schedule(central, seeded)
        assert response.status_code == 303
        today = service.local_today()
        async with seeded.read() as session:
            late = (
                await session.execute(
                    select(func.count()).select_from(Assignment).where(col(Assignment.due_on) < today)
                )
            ).scalar_one()
        assert late > 0
        soup = await open_page(central, "/manage/assignments?per_page=200")
        statuses = [str(tr["data-status"]) for tr in soup.select("table#assignments tbody tr")]
        assert statuses[:late] == ["late"] * late and "late" not in statuses[late:]
        only_late = await open_page(central, "/manage/assignments?status=late&per_page=200")
        assert len(rows(only_late, "table#assignments")) == late
        other_wilaya = await open_page(central, "/manage/assignments?wilaya=31")
        assert not other_wilaya.select("table#assignments tbody tr")


async def test_a_refused_schedule_keeps_what_was_typed_and_changes_nothing(
    make_client: Any, seeded: Database
) -> None:
    async with make_client() as central:
        await page_sign_in(central, "central")
        response, _ = await create_alger_schedule(central, seeded, name="", rrule="FREQ=HOURLY;INTERVAL=2")
        assert response.status_code == 422
        soup = await open_page_from(response)
        assert soup.select_one("#name-error") is not None
        rule_error = soup.select_one("#rrule-error")
        assert rule_error is not None and "RRULE" in rule_error.get_text()
        kept = soup.select_one("input#rrule")
        assert kept is not None and kept["value"] == "FREQ=HOURLY;INTERVAL=2"
        assert [o["value"] for o in soup.select("#wilayas option[selected]")] == ["16"]
        assert await count(seeded, Schedule) == 0 and await count(seeded, Assignment) == 0

        # A rule that cannot be read, in French for a user who asks for it.
        response, _ = await create_alger_schedule(central, seeded, rrule="FREQ=SOMETIMES")
        assert response.status_code == 422
        soup = await open_page_from(response)
        assert soup.select_one("#rrule-error") is not None
        assert await count(seeded, Schedule) == 0


async def test_cycles_are_validated_and_listed(make_client: Any, seeded: Database) -> None:
    async with make_client() as central:
        await page_sign_in(central, "central")
        soup = await open_page(central, "/manage/planning?lang=fr")
        form = "form[action='/manage/cycles']"
        good = {
            "code": "2030-S1",
            "kind": "semester",
            "starts_on": "2030-01-01",
            "ends_on": "2030-06-30",
            "name_ar": "السداسي 1 2030",
            "name_fr": "S1 2030",
            "name_en": "H1 2030",
        }
        wrong_end = await submit(central, soup, form, {**good, "ends_on": "2030-03-31"})
        assert wrong_end.status_code == 422
        page = await open_page_from(wrong_end)
        assert page.select_one("#ends_on-error") is not None
        assert page.select_one("input#code")["value"] == "2030-S1"  # type: ignore[index]
        assert await count(seeded, EvaluationCycle, col(EvaluationCycle.code) == "2030-S1") == 0

        created = await submit(central, soup, form, good)
        assert created.status_code == 303
        listed = await open_page(central, "/manage/planning")
        assert any(row[0] == "2030-S1" for row in rows(listed, "table#cycles"))
        duplicate = await submit(central, soup, form, good)
        assert duplicate.status_code == 422
        assert (await open_page_from(duplicate)).select_one("#code-error") is not None
        assert await count(seeded, EvaluationCycle, col(EvaluationCycle.code) == "2030-S1") == 1


async def test_directors_and_inspectors_may_not_plan(make_client: Any, seeded: Database) -> None:
    for username in ("director", "inspector"):
        async with make_client() as browser:
            await page_sign_in(browser, username)
            await open_page(browser, "/manage/planning", status=403)
            response = await browser.post(
                "/manage/cycles",
                data={
                    "code": "2031-Q1",
                    "kind": "quarter",
                    "starts_on": "2031-01-01",
                    "ends_on": "2031-03-31",
                },
                headers={"x-csrftoken": browser.cookies["csrftoken"]},
            )
            assert response.status_code == 403
    assert await count(seeded, EvaluationCycle, col(EvaluationCycle.code) == "2031-Q1") == 0


async def test_a_submitted_visit_marks_its_assignment_done_on_devices_and_cancel_reaches_them(
    make_client: Any, seeded: Database
) -> None:
    ids = await user_ids(seeded)
    async with make_client() as central, make_client() as inspector:
        await page_sign_in(central, "central")
        await sign_in(inspector, "inspector")
        response, _ = await create_alger_schedule(central, seeded)
        assert response.status_code == 303
        async with seeded.read() as session:
            version_id = (await session.execute(select(col(TemplateVersion.id)))).scalar_one()
            mine = list(
                (
                    await session.execute(
                        select(Assignment)
                        .where(col(Assignment.assignee_id) == ids["inspector"])
                        .order_by(col(Assignment.due_on))
                    )
                ).scalars()
            )
        first, second = mine[0], mine[1]
        _, cursor = await pull_all(inspector)

        phone = Device()
        visit_id = uuid.uuid4()
        fields = {
            "agency_id": str(first.agency_id),
            "template_version_id": str(version_id),
            "assignment_id": str(first.id),
            "started_at": "2026-01-05T09:00:00Z",
        }
        ops = [phone.op("create", "visit", visit_id, value=fields), phone.op("submit", "visit", visit_id)]
        pushed = await inspector.post("/api/sync/push", json=phone.push_body(ops))
        assert [r["outcome"] for r in pushed.json()["results"]] == ["applied", "applied"], pushed.text

        created = await service.generate_due(seeded, utcnow())
        assert created == 0
        listing = await open_page(central, "/manage/assignments?per_page=200")
        cancel = await submit(central, listing, f"form[action='/manage/assignments/{second.id}/cancel']", {})
        assert cancel.status_code == 303
        records = assignments_of((await pull_all(inspector, cursor))[0])
        assert records[str(first.id)]["status"] == "done"
        assert records[str(second.id)]["status"] == "cancelled"
        # A cancelled assignment can no longer be moved.
        again = await submit(
            central,
            listing,
            f"form[action='/manage/assignments/{second.id}/reassign']",
            {"assignee_id": str(ids["inspector2"])},
        )
        assert again.status_code == 422
