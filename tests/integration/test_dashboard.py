"""The directors' dashboard on SQLite and PostgreSQL, with visits made through the real sync push.

The story: inspectors visit CNAS and CASNOS agencies of Alger and a CNR agency of Oran this quarter
(one CNAS visit last quarter, one draft that must not count), some of them for assignments; a few
readings and corrective actions are recorded. The pages are parsed; their figures must equal what
this test computes, and the list behind each figure must hold exactly the visits it counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup, Tag
from httpx import AsyncClient
from sqlalchemy import select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Assignment, ChecklistTemplate, IndicatorReading, TemplateVersion, Visit
from backend.demo.seed import agency_uuid
from tests.support.clients import sign_in
from tests.support.ops import Device
from tests.support.pages import open_page, page_sign_in, rows

CNAS_ALGER = agency_uuid("CNAS-16")
CASNOS_ALGER = agency_uuid("CASNOS-16")
CNR_ORAN = agency_uuid("CNR-31")
TODAY = datetime.now(ZoneInfo("Africa/Algiers")).date()
QUARTER = (TODAY.month - 1) // 3
CYCLE = f"{TODAY.year}-Q{QUARTER + 1}"
START = date(TODAY.year, 3 * QUARTER + 1, 1)
LAST_QUARTER = date(TODAY.year - (QUARTER == 0), 12 if QUARTER == 0 else 3 * QUARTER - 1, 10)
# The last day of the quarter: a visit submitted today is on time for it.
DUE_LATER = date(TODAY.year + (QUARTER == 3), 1 if QUARTER == 3 else 3 * QUARTER + 4, 1) - timedelta(days=1)


def _in_quarter(day: int) -> str:
    """A start time on day ``day`` of the quarter (never after today)."""
    chosen = min(START.replace(day=day), TODAY)
    return f"{chosen.isoformat()}T09:00:00+01:00"


@dataclass
class Story:
    visits: dict[str, uuid.UUID]
    template_version: uuid.UUID


async def _assignment(db: Database, agency: uuid.UUID, due_on: date, status: str = "planned") -> uuid.UUID:
    async with db.write() as session, session.begin():
        template_id = (await session.execute(select(col(ChecklistTemplate.id)))).scalars().first()
        assert template_id is not None
        assignment = Assignment(
            template_id=template_id, agency_id=agency, occurs_on=START, due_on=due_on, status=status
        )
        session.add(assignment)
    return assignment.id


async def _push(
    make_client: Callable[[], AsyncClient], username: str, ops: Callable[[Device], list[Any]]
) -> None:
    device = Device()
    async with make_client() as phone:
        await sign_in(phone, username)
        response = await phone.post("/api/sync/push", json=device.push_body(ops(device)))
        assert response.status_code == 200, response.text
        outcomes = [result["outcome"] for result in response.json()["results"]]
        assert set(outcomes) == {"applied"}, response.text


def _visit(
    device: Device,
    visit_id: uuid.UUID,
    template: uuid.UUID,
    agency: uuid.UUID,
    started: str,
    answers: dict[str, Any],
    *,
    assignment: uuid.UUID | None = None,
    submit: bool = True,
) -> list[dict[str, Any]]:
    fields = {"agency_id": str(agency), "template_version_id": str(template), "started_at": started}
    if assignment:
        fields["assignment_id"] = str(assignment)
    ops = [device.op("create", "visit", visit_id, value=fields)]
    ops += [
        device.op("set", "visit", visit_id, f"answers.{key}", {"value": value, "note": None})
        for key, value in answers.items()
    ]
    return ops + ([device.op("submit", "visit", visit_id)] if submit else [])


@pytest.fixture
async def story(make_client: Callable[[], AsyncClient], seeded: Database) -> Story:
    async with seeded.read() as session:
        template = (await session.execute(select(col(TemplateVersion.id)))).scalar_one()
    on_time = await _assignment(seeded, CNAS_ALGER, DUE_LATER)  # submitted today: on time
    late = await _assignment(seeded, CASNOS_ALGER, START)  # due on the first day: late
    await _assignment(seeded, CNAS_ALGER, DUE_LATER)  # planned, not done
    await _assignment(seeded, CNR_ORAN, DUE_LATER, status="cancelled")  # never counted
    visits = {name: uuid.uuid4() for name in ("cnas", "cnas_before", "casnos", "draft", "cnr")}
    files = [
        {"received": "2026-01-01", "processed": "2026-01-11"},
        {"received": "2026-01-01", "processed": "2026-01-21"},
    ]
    citizens = [{"satisfaction": 4, "service": "x"}, {"satisfaction": 2, "service": "y"}]
    action_late, action_open = uuid.uuid4(), uuid.uuid4()

    def alger(device: Device) -> list[Any]:
        answers = {
            "signage": "yes",
            "reception_desk": "no",
            "processing_sample": files,
            "citizen_interviews": citizens,
        }
        ops = _visit(
            device,
            visits["cnas"],
            template,
            CNAS_ALGER,
            _in_quarter(3),
            answers,
            assignment=on_time,
            submit=False,
        )
        # Actions are recorded before the visit is sent: afterwards, changes go to its reviewer.
        for action_id, deadline, owner in (
            (action_late, "2020-01-31", "Chef d'agence"),
            (action_open, "2099-12-31", ""),
        ):
            value = {"visit_id": str(visits["cnas"]), "title": "Ouvrir les guichets", "deadline": deadline}
            ops.append(device.op("create", "action", action_id, value=value | {"owner_name": owner}))
        ops.append(device.op("submit", "visit", visits["cnas"]))
        last_quarter = f"{LAST_QUARTER}T09:00:00+01:00"
        ops += _visit(device, visits["cnas_before"], template, CNAS_ALGER, last_quarter, {"signage": "no"})
        ops += _visit(
            device,
            visits["casnos"],
            template,
            CASNOS_ALGER,
            _in_quarter(2),
            {"signage": "yes", "reception_desk": "yes"},
            assignment=late,
        )
        draft = {"signage": "yes"}
        return ops + _visit(
            device, visits["draft"], template, CNAS_ALGER, _in_quarter(2), draft, submit=False
        )

    await _push(make_client, "inspector", alger)
    await _push(
        make_client,
        "inspector.oran",
        lambda device: _visit(device, visits["cnr"], template, CNR_ORAN, _in_quarter(4), {"signage": "no"}),
    )
    async with seeded.write() as session, session.begin():
        for agency, indicator, first, last, value in (
            (CNAS_ALGER, "collection_rate", START, START.replace(day=28), 70.0),
            (
                CNAS_ALGER,
                "collection_rate",
                START.replace(month=START.month + 1),
                START.replace(month=START.month + 1, day=28),
                90.0,
            ),
            (CNAS_ALGER, "processing_delay_days", date(TODAY.year, 1, 1), date(TODAY.year, 12, 31), 12.0),
            (CNAS_ALGER, "satisfaction", LAST_QUARTER, LAST_QUARTER, 1.0),  # last quarter: not counted
            (CNR_ORAN, "collection_rate", START, START.replace(day=28), 50.0),
        ):
            session.add(
                IndicatorReading(
                    agency_id=agency, indicator=indicator, period_start=first, period_end=last, value=value
                )
            )
    return Story(visits=visits, template_version=template)


async def _scores(db: Database, *ids: uuid.UUID) -> list[float]:
    async with db.read() as session:
        found = await session.execute(select(col(Visit.score_pct)).where(col(Visit.id).in_(ids)))
        return [value for value in found.scalars() if value is not None]


def _cells(soup: BeautifulSoup, code: str) -> dict[str, Tag]:
    row = soup.select_one(f"table#places tr[data-code='{code}']")
    assert isinstance(row, Tag), f"no row {code}"
    return {str(cell["data-col"]): cell for cell in row.select("[data-col]")}


def _href(cell: Tag) -> str:
    anchor = cell.find("a")
    assert isinstance(anchor, Tag)
    return str(anchor["href"])


def _number(text: str) -> float | None:
    cleaned = text.replace("\u202f", "").replace("%", "").replace("+", "").strip()
    return None if cleaned == "—" else float(cleaned)


async def _listed(client: AsyncClient, href: str) -> set[str]:
    soup = await open_page(client, href + "&per_page=200")
    return {str(row["data-visit"]) for row in soup.select("table#visit-list tr[data-visit]")}


async def test_national_page_lists_the_bodies_in_scope_with_their_figures(
    client: AsyncClient, seeded: Database, story: Story
) -> None:
    await page_sign_in(client, "director")
    soup = await open_page(client, "/dashboard")
    assert soup.html is not None and soup.html["lang"] == "ar" and soup.html["dir"] == "rtl"
    assert [row[0] for row in rows(soup, "table#places")] and len(rows(soup, "table#places")) == 6
    assert soup.select_one(f"select[name=cycle] option[value='{CYCLE}'][selected]") is not None
    cnas = _cells(soup, "CNAS")
    assert _number(cnas["visits"].text) == 1  # the draft and last quarter's visit do not count
    assert _number(cnas["planned"].text) == 2 and _number(cnas["completion"].text) == 50
    assert _number(cnas["on_time"].text) == 100
    (score,) = await _scores(seeded, story.visits["cnas"])
    (before,) = await _scores(seeded, story.visits["cnas_before"])
    assert _number(cnas["score"].text) == round(score, 1)
    assert _number(cnas["change"].text) == round(score - before, 1)
    assert _number(cnas["delay"].text) == 15.0 and _number(cnas["satisfaction"].text) == 3.0
    assert _number(cnas["reading_delay"].text) == 12.0 and _number(cnas["collection"].text) == 80.0
    assert cnas["reading_satisfaction"].text.strip() == "—"
    assert _number(cnas["open_actions"].text) == 2 and _number(cnas["overdue_actions"].text) == 1
    flags = {str(flag["data-flag"]) for flag in cnas["flags"].select("[data-flag]")}
    assert {"completion", "overdue_actions"} <= flags and "on_time" not in flags
    casnos = _cells(soup, "CASNOS")
    assert _number(casnos["on_time"].text) == 0 and "on_time" in {
        str(flag["data-flag"]) for flag in casnos["flags"].select("[data-flag]")
    }
    cnr = _cells(soup, "CNR")
    assert cnr["completion"].text.strip() == "—"  # its only assignment was cancelled
    assert _number(soup.select_one("[data-kpi=visits] .value").text) == 3  # type: ignore[union-attr]


async def test_every_figure_links_to_exactly_the_visits_it_counts(
    client: AsyncClient, seeded: Database, story: Story
) -> None:
    await page_sign_in(client, "director")
    soup = await open_page(client, "/dashboard?lang=fr")
    assert soup.html is not None and soup.html["lang"] == "fr" and soup.html["dir"] == "ltr"
    v = story.visits
    expected = {
        "visits": {v["cnas"], v["casnos"], v["cnr"]},
        "planned": {v["cnas"], v["casnos"]},
        "done": {v["cnas"], v["casnos"]},
        "on_time": {v["cnas"]},
        "score": {v["cnas"], v["casnos"], v["cnr"]},
        "delay": {v["cnas"]},
        "satisfaction": {v["cnas"]},
        "open_actions": {v["cnas"]},
        "overdue_actions": {v["cnas"]},
    }
    for kpi, visits in expected.items():
        anchor = soup.select_one(f"[data-kpi={kpi}] a")
        assert isinstance(anchor, Tag), kpi
        href = str(anchor["href"])
        assert href.startswith("/dashboard/visits?") and parse_qs(urlsplit(href).query)["cycle"] == [CYCLE]
        assert await _listed(client, href) == {str(visit) for visit in visits}, kpi
    cnas_visits = _href(_cells(soup, "CNAS")["visits"])
    assert parse_qs(urlsplit(cnas_visits).query)["body"] == ["CNAS"]
    assert await _listed(client, cnas_visits) == {str(v["cnas"])}
    listing = await open_page(client, cnas_visits)
    review = listing.select_one("table#visit-list a[href^='/manage/review/']")
    assert isinstance(review, Tag) and review["href"] == f"/manage/review/{v['cnas']}"


async def test_drill_down_from_body_to_wilaya_to_agency(client: AsyncClient, story: Story) -> None:
    await page_sign_in(client, "director.cnas")
    national = await open_page(client, "/dashboard")
    assert [str(tr["data-code"]) for tr in national.select("table#places tr[data-code]")] == ["CNAS"]
    body = await open_page(client, _href(_cells(national, "CNAS")["name"]))
    wilaya_codes = [str(tr["data-code"]) for tr in body.select("table#places tr[data-code]")]
    assert "16" in wilaya_codes and "31" in wilaya_codes
    assert _number(_cells(body, "16")["visits"].text) == 1
    wilaya = await open_page(client, _href(_cells(body, "16")["name"]))
    agency_rows = wilaya.select("table#places tr[data-code]")
    assert str(agency_rows[0]["data-code"]) == str(CNAS_ALGER)  # the only scored agency ranks first
    assert _number(_cells(wilaya, str(CNAS_ALGER))["rank"].text) == 1
    agency = await open_page(client, _href(_cells(wilaya, str(CNAS_ALGER))["name"]))
    assert {str(tr["data-visit"]) for tr in agency.select("table#visits tr[data-visit]")} == {
        str(story.visits["cnas"])
    }
    actions = agency.select("table#actions tr[data-action]")
    assert len(actions) == 2 and "overdue" in (actions[0].get("class") or [])  # overdue first
    owners = rows(agency, "table#owners")
    assert owners[0][0] == "Chef d'agence" and owners[0][1:] == ["1", "1"]
    assert _number(agency.select_one("[data-kpi=overdue_actions] .value").text) == 1  # type: ignore[union-attr]
    assert agency.select_one("#evaluation") is not None


async def test_charts_are_svg_images_without_script(client: AsyncClient, story: Story) -> None:
    await page_sign_in(client, "director")
    soup = await open_page(client, f"/dashboard/agency/{CNAS_ALGER}?cycle={CYCLE}&lang=fr")
    images = soup.select("img.chart")
    assert len(images) == 4 and all(image.get("alt") for image in images)
    for image in images:
        response = await client.get(str(image["src"]))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert "<script" not in response.text and "<svg" in response.text
    score = await client.get(f"/dashboard/charts/score.svg?cycle={CYCLE}&lang=fr")
    assert "Score moyen" in score.text
    assert (await client.get("/dashboard/charts/nothing.svg")).status_code == 404


async def test_scope_roles_and_bad_input(
    client: AsyncClient, make_client: Callable[[], AsyncClient], story: Story
) -> None:
    await page_sign_in(client, "director.cnas")
    for url in (
        "/dashboard/body/CNR",
        "/dashboard/wilaya/31?body=CNR",
        f"/dashboard/agency/{CNR_ORAN}",
        f"/dashboard/visits?agency={CNR_ORAN}",
        "/dashboard/charts/score.svg?body=CNR",
    ):
        response = await client.get(url)
        assert response.status_code == 404, url
    assert await _listed(client, f"/dashboard/visits?cycle={CYCLE}") == {str(story.visits["cnas"])}
    missing = await open_page(client, "/dashboard?cycle=1999-Q9", status=404)
    assert missing.select_one("[data-problem-code=not_found]") is not None
    wrong = await client.get("/dashboard/visits?indicator=bogus")
    assert wrong.status_code == 422
    async with make_client() as inspector:
        await page_sign_in(inspector, "inspector")
        assert (await inspector.get("/dashboard")).status_code == 403


async def test_figures_follow_new_data_at_once(
    client: AsyncClient, make_client: Callable[[], AsyncClient], seeded: Database, story: Story
) -> None:
    await page_sign_in(client, "director.cnas")
    before = await open_page(client, "/dashboard")
    assert _number(_cells(before, "CNAS")["visits"].text) == 1
    another = uuid.uuid4()
    await _push(
        make_client,
        "inspector",
        lambda device: _visit(
            device, another, story.template_version, CNAS_ALGER, _in_quarter(5), {"signage": "yes"}
        ),
    )
    after = await open_page(client, "/dashboard")
    assert _number(_cells(after, "CNAS")["visits"].text) == 2
    async with seeded.write() as session, session.begin():
        session.add(
            IndicatorReading(
                agency_id=CNAS_ALGER,
                indicator="debt_collection_rate",
                period_start=START,
                period_end=START,
                value=40.0,
            )
        )
    again = await open_page(client, "/dashboard")
    cnas = _cells(again, "CNAS")
    assert _number(cnas["debt_collection"].text) == 40.0
    assert "collection" in {str(flag["data-flag"]) for flag in cnas["flags"].select("[data-flag]")}
