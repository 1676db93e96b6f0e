"""Pausing, resuming and changing a schedule through its page; who may (both databases).

A paused schedule generates nothing, from its page or from the periodic run; what it generated is kept.
A change of name, delay or inspectors applies to the assignments generated afterwards only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup
from httpx import AsyncClient
from sqlalchemy import select
from sqlmodel import col

from backend.authz.principal import Principal, Scope
from backend.db.engine import Database
from backend.db.tables import Assignment, AuditEvent, Schedule
from backend.db.types import utcnow
from backend.housekeeping import Housekeeping
from backend.i18n import translate
from backend.localtime import local_today
from backend.planning import service
from backend.planning.recurrence import occurrences
from tests.integration.test_planning import (
    ALGER_CNAS_CASNOS,
    count,
    create_alger_schedule,
    open_page_from,
    user_ids,
)
from tests.support.clients import sign_in
from tests.support.pages import open_page, page_sign_in, rows, submit

# A periodic run this far ahead has new occurrences of a quarterly schedule to generate.
LATER = timedelta(days=250)
NEW_NAME = "Contrôle trimestriel Alger (révisé)"

Snapshot = dict[uuid.UUID, tuple[str, uuid.UUID | None, date, date]]


async def make_schedule(client: AsyncClient, db: Database, **changes: Any) -> tuple[str, uuid.UUID]:
    """The Alger schedule made through the form: its page and its id."""
    response, _dtstart = await create_alger_schedule(client, db, **changes)
    assert response.status_code == 303, response.text[:1000]
    page = response.headers["location"].split("?")[0]
    return page, uuid.UUID(page.rsplit("/", 1)[1])


async def assignments_of(db: Database, schedule_id: uuid.UUID) -> Snapshot:
    """Each assignment of the schedule as it stands: status, inspector, occurrence, due date."""
    async with db.read() as session:
        found = (
            await session.execute(select(Assignment).where(col(Assignment.schedule_id) == schedule_id))
        ).scalars()
        return {a.id: (a.status, a.assignee_id, a.occurs_on, a.due_on) for a in found}


async def schedule_row(db: Database, schedule_id: uuid.UUID) -> Schedule:
    async with db.read() as session:
        schedule = await session.get(Schedule, schedule_id)
    assert schedule is not None
    return schedule


async def audited(db: Database, kind: str, schedule_id: uuid.UUID) -> list[AuditEvent]:
    async with db.read() as session:
        query = select(AuditEvent).where(
            col(AuditEvent.kind) == kind, col(AuditEvent.subject) == str(schedule_id)
        )
        return list((await session.execute(query)).scalars())


def state_of(soup: BeautifulSoup) -> str:
    state = soup.select_one("#schedule-state")
    assert state is not None
    return str(state["data-active"])


async def central_principal(db: Database) -> Principal:
    ids = await user_ids(db)
    return Principal(
        id=ids["central"],
        username="central",
        display_name="central",
        role="central_inspector",
        scope=Scope(kind="national"),
        language="ar",
        session_id=uuid.uuid4(),
    )


async def test_a_paused_schedule_generates_nothing_and_generates_again_once_resumed(
    make_client: Any, seeded: Database
) -> None:
    async with make_client() as central:
        await page_sign_in(central, "central")
        page, paused_id = await make_schedule(central, seeded)
        _other_page, running_id = await make_schedule(central, seeded, name="Contrôle témoin")
        generated = await assignments_of(seeded, paused_id)
        assert generated

        before_pause = await open_page(central, page)
        assert state_of(before_pause) == "true"
        paused = await submit(central, before_pause, "form[action$='/pause']", {})
        assert paused.status_code == 303 and paused.headers["location"].endswith("?changed=paused")
        soup = await open_page(central, paused.headers["location"])
        assert state_of(soup) == "false"
        assert soup.select_one("#paused-note") is not None, "the page says what was generated is kept"
        assert soup.select_one("form[action$='/generate']") is None
        assert soup.select_one("form[action$='/resume']") is not None
        assert not (await schedule_row(seeded, paused_id)).active
        # Every assignment is still listed on its page, as it was.
        assert len(rows(await open_page(central, f"{page}?per_page=200"), "table#assignments")) == len(
            generated
        )

        # The list of schedules tells which one is paused.
        home = await open_page(central, "/manage/planning")
        states = {
            row.select_one("a").get_text(strip=True): (str(row["data-active"]), row.get_text(" ", strip=True))  # type: ignore[union-attr]
            for row in home.select("table#schedules tbody tr")
        }
        assert states["Contrôle témoin"][0] == "true"
        assert states["Contrôle trimestriel Alger"][0] == "false"
        assert translate("planning.state.paused", "ar") in states["Contrôle trimestriel Alger"][1]

        # The button of a page opened before the pause generates nothing; neither does the periodic run,
        # which does generate the schedule still running.
        again = await submit(central, before_pause, "form[action$='/generate']", {})
        assert again.status_code == 303 and again.headers["location"].endswith("created=0")
        running_before = len(await assignments_of(seeded, running_id))
        await Housekeeping(seeded, 60).tick(utcnow() + LATER)
        assert len(await assignments_of(seeded, running_id)) > running_before
        assert await assignments_of(seeded, paused_id) == generated

        # Pausing twice changes nothing more.
        twice = await submit(central, before_pause, "form[action$='/pause']", {})
        assert twice.status_code == 303
        assert len(await audited(seeded, "schedule_paused", paused_id)) == 1

        # Resumed today: nothing new is due before the horizon (made when it was created), and the
        # periodic run generates it again; what was there is untouched.
        resumed = await submit(central, soup, "form[action$='/resume']", {})
        assert resumed.status_code == 303
        assert resumed.headers["location"].endswith("?changed=resumed&created=0")
        assert state_of(await open_page(central, resumed.headers["location"])) == "true"
        await Housekeeping(seeded, 60).tick(utcnow() + LATER)
        after = await assignments_of(seeded, paused_id)
        new = {key: value for key, value in after.items() if key not in generated}
        assert new, "the resumed schedule generates again"
        assert {key: after[key] for key in generated} == generated
        assert all(occurs_on > local_today() for _s, _a, occurs_on, _d in new.values())


async def test_occurrences_that_fell_while_paused_are_not_made_up(make_client: Any, seeded: Database) -> None:
    async with make_client() as central:
        await page_sign_in(central, "central")
        _page, schedule_id = await make_schedule(central, seeded)
    principal = await central_principal(seeded)
    schedule = await schedule_row(seeded, schedule_id)
    today = local_today()
    assert await service.pause(seeded, principal, schedule_id)
    assert not await service.pause(seeded, principal, schedule_id)
    resumed_at: datetime = utcnow() + LATER
    generated = await assignments_of(seeded, schedule_id)
    # What the page's button asks, on a day when new occurrences would be due: nothing while paused.
    assert await service.generate(seeded, principal, schedule_id, resumed_at) == 0
    assert await assignments_of(seeded, schedule_id) == generated

    resumed_on = local_today(resumed_at)
    created = await service.resume(seeded, principal, schedule_id, resumed_at)

    def days(start: date, end: date) -> list[date]:
        return occurrences(schedule.rrule, schedule.dtstart, start, end)

    skipped = days(today + timedelta(days=91), resumed_on - timedelta(days=1))
    assert skipped, "the pause spans an occurrence"
    resumed_days = days(resumed_on, resumed_on + timedelta(days=service.HORIZON_DAYS))
    assert created == ALGER_CNAS_CASNOS * len(resumed_days)
    made = {occurs_on for _s, _a, occurs_on, _d in (await assignments_of(seeded, schedule_id)).values()}
    assert made == set(days(schedule.dtstart, today + timedelta(days=90))) | set(resumed_days)
    assert not made & set(skipped)
    # Later runs keep to it, and resuming a running schedule does nothing.
    assert await service.generate_due(seeded, resumed_at) == 0
    assert await service.resume(seeded, principal, schedule_id, resumed_at) == 0
    assert len(await audited(seeded, "schedule_resumed", schedule_id)) == 1


async def test_a_change_applies_to_the_assignments_generated_afterwards(
    make_client: Any, seeded: Database
) -> None:
    ids = await user_ids(seeded)
    async with make_client() as central:
        await page_sign_in(central, "central")
        page, schedule_id = await make_schedule(central, seeded)
        generated = await assignments_of(seeded, schedule_id)
        assert {assignee for _s, assignee, _o, _d in generated.values()} == {
            ids["inspector"],
            ids["inspector2"],
        }

        detail = await open_page(central, page)
        link = detail.select_one(f"a[href='{page}/edit']")
        assert link is not None
        form = await open_page(central, str(link["href"]))
        assert form.select_one("input#name")["value"] == "Contrôle trimestriel Alger"  # type: ignore[index]
        assert form.select_one("input#due_days")["value"] == "14"  # type: ignore[index]
        checked = {str(box["value"]) for box in form.select("input[name=assignees][checked]")}
        assert checked == {str(ids["inspector"]), str(ids["inspector2"])}
        assert form.select_one("#edit-applies") is not None, "the form says generated ones stay"
        assert form.select_one("#fixed-hint") is not None, "and how to change what cannot change"
        assert form.select_one("#schedule-edit-form [name=template_id]") is None
        assert form.select_one("#schedule-edit-form [name=rrule]") is None

        changed = await submit(
            central,
            form,
            "#schedule-edit-form",
            {"name": NEW_NAME, "due_days": "30", "assignees": [str(ids["inspector"])]},
        )
        assert changed.status_code == 303 and changed.headers["location"].endswith("?changed=edited")
        shown = await open_page(central, changed.headers["location"])
        assert shown.select_one("#schedule-name").get_text(strip=True) == NEW_NAME  # type: ignore[union-attr]

    schedule = await schedule_row(seeded, schedule_id)
    assert (schedule.name, schedule.due_days, schedule.assignee_ids) == (
        NEW_NAME,
        30,
        [str(ids["inspector"])],
    )
    events = await audited(seeded, "schedule_changed", schedule_id)
    assert len(events) == 1 and events[0].detail["due_days"] == {"from": 14, "to": 30}
    assert await assignments_of(seeded, schedule_id) == generated, "generated ones are not rewritten"

    assert await service.generate_due(seeded, utcnow() + LATER) > 0
    new = {k: v for k, v in (await assignments_of(seeded, schedule_id)).items() if k not in generated}
    assert new
    assert all(assignee == ids["inspector"] for _s, assignee, _o, _d in new.values())
    assert all(due == occurs + timedelta(days=30) for _s, _a, occurs, due in new.values())


async def test_a_refused_change_keeps_what_was_typed_and_changes_nothing(
    make_client: Any, seeded: Database
) -> None:
    ids = await user_ids(seeded)
    async with make_client() as central:
        await page_sign_in(central, "central")
        page, schedule_id = await make_schedule(central, seeded)
        form = await open_page(central, f"{page}/edit")

        bad = await submit(
            central, form, "#schedule-edit-form", {"name": " ", "due_days": "400", "assignees": []}
        )
        assert bad.status_code == 422
        soup = await open_page_from(bad)
        for name in ("name", "due_days", "assignees"):
            error = soup.select_one(f"#{name}-error")
            assert error is not None, name
            assert translate(f"planning.field.{name}", "ar") in error.get_text()
        assert soup.select_one("input#due_days")["value"] == "400"  # type: ignore[index]

        # An inspector of Oran covers none of the schedule's agencies (Alger): refused beside the field,
        # what was typed kept.
        oran = await submit(
            central,
            form,
            "#schedule-edit-form",
            {
                "name": NEW_NAME,
                "due_days": "20",
                "assignees": [str(ids["inspector"]), str(ids["inspector.oran"])],
            },
        )
        assert oran.status_code == 422
        soup = await open_page_from(oran)
        error = soup.select_one("#assignees-error")
        assert error is not None and "مفتش وهران" in error.get_text()
        assert soup.select_one("input#name")["value"] == NEW_NAME  # type: ignore[index]
        checked = {str(box["value"]) for box in soup.select("input[name=assignees][checked]")}
        assert checked == {str(ids["inspector"]), str(ids["inspector.oran"])}

        # Making a schedule refuses the same inspector the same way.
        made, _ = await create_alger_schedule(
            central, seeded, assignees=[str(ids["inspector"]), str(ids["inspector.oran"])]
        )
        assert made.status_code == 422
        assert (await open_page_from(made)).select_one("#assignees-error") is not None
        assert await count(seeded, Schedule) == 1

    schedule = await schedule_row(seeded, schedule_id)
    assert (schedule.name, schedule.due_days) == ("Contrôle trimestriel Alger", 14)
    assert schedule.assignee_ids == [str(ids["inspector"]), str(ids["inspector2"])]
    assert not await audited(seeded, "schedule_changed", schedule_id)


async def test_only_planners_whose_scope_holds_the_schedule_may_change_it(
    make_client: Any, seeded: Database
) -> None:
    ids = await user_ids(seeded)
    change = {"name": NEW_NAME, "due_days": "20", "assignees": [str(ids["inspector"])]}
    async with make_client() as central, make_client() as admin:
        await page_sign_in(central, "central")
        page, schedule_id = await make_schedule(central, seeded)
        await sign_in(admin, "admin")
        for username, wilaya in (("central.oran", "31"), ("central.alger", "16")):
            made = await admin.post(
                "/api/users",
                json={
                    "username": username,
                    "password": "longenough",
                    "role": "central_inspector",
                    "scope": {"kind": "wilayas", "ids": [wilaya]},
                },
            )
            assert made.status_code == 201, made.text

    writes = [("post", "pause"), ("post", "resume"), ("post", "generate"), ("get", "edit"), ("post", "edit")]

    async def statuses(browser: AsyncClient) -> list[int]:
        csrf = {"x-csrftoken": browser.cookies["csrftoken"]}
        out = []
        for method, action in writes:
            if method == "get":
                response = await browser.get(f"{page}/{action}")
            else:
                data = change if action == "edit" else {}
                response = await browser.post(f"{page}/{action}", data=data, headers=csrf)
            out.append(response.status_code)
        return out

    for username in ("director", "inspector"):
        async with make_client() as browser:
            await page_sign_in(browser, username)
            await open_page(browser, page, status=403)
            assert await statuses(browser) == [403] * len(writes)

    async with make_client() as oran:
        await page_sign_in(oran, "central.oran", "longenough")
        # The schedule reaches Alger: readable, as every schedule is listed, but not changeable.
        soup = await open_page(oran, page)
        assert soup.select_one("#read-only") is not None
        assert soup.select_one("form[action$='/pause']") is None
        assert soup.select_one(f"a[href='{page}/edit']") is None
        assert await statuses(oran) == [404] * len(writes)
        invalid = await oran.post(
            f"{page}/edit", data={"name": ""}, headers={"x-csrftoken": oran.cookies["csrftoken"]}
        )
        assert invalid.status_code == 404, "a refused form tells nothing of a schedule out of scope"

    schedule = await schedule_row(seeded, schedule_id)
    assert schedule.active and schedule.name == "Contrôle trimestriel Alger" and schedule.due_days == 14

    async with make_client() as alger:
        await page_sign_in(alger, "central.alger", "longenough")
        soup = await open_page(alger, page)
        paused = await submit(alger, soup, "form[action$='/pause']", {})
        assert paused.status_code == 303
    assert not (await schedule_row(seeded, schedule_id)).active
