"""Following corrective actions on /dashboard/actions, on SQLite and PostgreSQL: the list (overdue
first, filters, counts), status changes with notes, evidence and history, whoever made them, and what
the inspectors' phones pull."""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Action, ActionEvent, SyncOp, TemplateVersion
from backend.db.types import utcnow
from backend.demo.seed import agency_uuid
from backend.localtime import local_today
from tests.support.clients import sign_in
from tests.support.ops import Device
from tests.support.pages import open_page, page_sign_in, rows, submit, text

ALGER = agency_uuid("CNAS-16")
ORAN_CNR = agency_uuid("CNR-31")


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@dataclass
class Visit:
    visit_id: uuid.UUID
    late: uuid.UUID  # deadline 10 days ago
    later: uuid.UUID  # deadline in 20 days
    finding_id: uuid.UUID


async def record_visit(
    client: AsyncClient, phone: Device, template_id: uuid.UUID, agency: uuid.UUID = ALGER
) -> Visit:
    """A visit with a finding and two actions, submitted through the real sync push."""
    today = local_today(utcnow())
    visit = Visit(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    fields = {
        "agency_id": str(agency),
        "template_version_id": str(template_id),
        "started_at": utcnow().isoformat(),
    }
    action = {"visit_id": str(visit.visit_id), "finding_id": str(visit.finding_id)}
    ops = [
        phone.op("create", "visit", visit.visit_id, value=fields),
        phone.op(
            "create",
            "finding",
            visit.finding_id,
            value={
                "visit_id": str(visit.visit_id),
                "severity": "major",
                "description": "Délais non affichés",
            },
        ),
        phone.op(
            "create",
            "action",
            visit.late,
            value=action
            | {
                "title": "Afficher les délais",
                "owner_name": "Benali",
                "deadline": str(today - timedelta(days=10)),
            },
        ),
        phone.op(
            "create",
            "action",
            visit.later,
            value=action
            | {
                "title": "Former les agents",
                "owner_name": "Kaci",
                "deadline": str(today + timedelta(days=20)),
            },
        ),
        phone.op("submit", "visit", visit.visit_id),
    ]
    results = (await client.post("/api/sync/push", json=phone.push_body(ops))).json()["results"]
    assert {r["outcome"] for r in results} == {"applied"}, results
    return visit


@pytest.fixture
async def template_id(seeded: Database) -> uuid.UUID:
    async with seeded.read() as session:
        return (await session.execute(select(TemplateVersion.id))).scalar_one()


@pytest.fixture
async def clients(make_client: Callable[[], AsyncClient]) -> AsyncIterator[Callable[[str], Any]]:
    opened: list[AsyncClient] = []

    async def signed(username: str, *, pages: bool = False) -> AsyncClient:
        client = make_client()
        await client.__aenter__()
        opened.append(client)
        await (page_sign_in(client, username) if pages else sign_in(client, username))
        return client

    yield signed
    for client in opened:
        await client.aclose()


async def pull_all(client: AsyncClient) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 500})).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes


def field_of(changes: list[dict[str, Any]], entity_id: uuid.UUID, name: str) -> Any:
    values = [c["value"] for c in changes if c["entity_id"] == str(entity_id) and c["field"] == name]
    return values[-1] if values else None


def action_ids(soup: BeautifulSoup) -> list[str]:
    return [str(row["data-action-id"]) for row in soup.select("table#actions tbody tr")]


def history(soup: BeautifulSoup) -> list[list[str]]:
    return rows(soup, "table#history")


async def state(db: Database, action_id: uuid.UUID) -> tuple[str, int, int]:
    """The action's status, its history length, and the op log's length."""
    async with db.read() as session:
        action = await session.get(Action, action_id)
        assert action is not None
        events = (
            await session.execute(
                select(func.count()).select_from(ActionEvent).where(col(ActionEvent.action_id) == action_id)
            )
        ).scalar_one()
        ops = (await session.execute(select(func.count()).select_from(SyncOp))).scalar_one()
    return action.status, events, ops


async def test_the_list_shows_overdue_first_with_days_late_and_filters(
    clients: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    phone = Device()
    visit = await record_visit(await clients("inspector"), phone, template_id)
    central = await clients("central", pages=True)

    soup = await open_page(central, "/dashboard/actions?lang=fr")
    assert text(soup, "h1")
    assert action_ids(soup) == [str(visit.late), str(visit.later)]
    first = soup.select_one("table#actions tbody tr")
    assert first is not None and "overdue" in (first.get("class") or [])
    assert first.select_one("[data-days-late]")["data-days-late"] == "10"  # type: ignore[index]
    assert "Benali" in rows(soup, "table#actions")[0][2]
    assert soup.select_one(f"a[href='/manage/review/{visit.visit_id}']") is not None
    counts = {li["data-status"]: text(li, ".value") for li in soup.select("#status-counts li")}
    assert counts == {"open": "2", "in_progress": "0", "done": "0", "verified": "0", "overdue": "1"}
    overdue_link = soup.select_one("#status-counts li[data-status=overdue] a")
    assert overdue_link is not None and "status=overdue" in str(overdue_link["href"])

    # Sorting by deadline, latest first, puts the later one first.
    soup = await open_page(central, "/dashboard/actions?sort=deadline&order=desc")
    assert action_ids(soup) == [str(visit.later), str(visit.late)]

    expectations = {
        "status=overdue": [visit.late],
        "status=open": [visit.late, visit.later],
        "status=done": [],
        "owner=kaci": [visit.later],
        "body=CNAS": [visit.late, visit.later],
        "body=CNR": [],
        "wilaya=16": [visit.late, visit.later],
        "wilaya=31": [],
        "agency=CNAS-16": [visit.late, visit.later],
        "agency=CNAS-31": [],
        f"deadline_before={local_today(utcnow())}": [visit.late],
    }
    for query, expected in expectations.items():
        soup = await open_page(central, f"/dashboard/actions?{query}")
        assert action_ids(soup) == [str(a) for a in expected], query
        if not expected:
            assert soup.select_one("#no-actions") is not None


async def test_central_moves_an_action_with_a_note_and_evidence_and_the_phone_sees_it(
    clients: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    phone = Device()
    inspector = await clients("inspector")
    visit = await record_visit(inspector, phone, template_id)
    central = await clients("central", pages=True)
    url = f"/dashboard/actions/{visit.late}"

    soup = await open_page(central, url + "?lang=fr")
    assert soup.select_one("[data-field=status]")["data-status"] == "open"  # type: ignore[index]
    assert soup.select_one(f"[data-field=visit] a[href='/manage/review/{visit.visit_id}']") is not None
    assert "Délais non affichés" in text(soup, "[data-field=finding]")
    assert [o["value"] for o in soup.select("select#status option")] == ["in_progress", "done"]
    assert [r[2] for r in history(soup)] == ["— → Ouverte"]  # the creation, by the inspector's phone

    response = await submit(central, soup, "form#change-status", {"status": "in_progress", "note": ""})
    assert response.status_code == 303, response.text[:300]
    soup = await open_page(central, url)
    response = await submit(
        central,
        soup,
        "form#change-status",
        {"status": "done", "note": "Délais affichés au guichet"},
        files={"evidence": ("preuve.png", png(), "image/png")},
    )
    assert response.status_code == 303, response.text[:300]

    soup = await open_page(central, url + "?lang=fr")
    assert soup.select_one("[data-field=status]")["data-status"] == "done"  # type: ignore[index]
    events = history(soup)
    assert [e[2] for e in events] == ["— → Ouverte", "Ouverte → En cours", "En cours → Réalisée"]
    assert [e[1] for e in events] == ["مفتش الجزائر 1", "المفتش المركزي", "المفتش المركزي"]
    assert events[2][3] == "Délais affichés au guichet"
    photo = soup.select_one("table#history tbody tr[data-to-status=done] a")
    assert photo is not None
    image = await central.get(str(photo["href"]))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == png()
    async with seeded.read() as session:
        action = await session.get(Action, visit.late)
        assert action is not None and action.done_at is not None
    # Another director outside nothing: director.cnas sees CNAS-16 and its photo too.
    director = await clients("director.cnas", pages=True)
    assert (await director.get(str(photo["href"]))).status_code == 200

    # The inspector's phone pulls the new status and note.
    changes = await pull_all(inspector)
    assert field_of(changes, visit.late, "status") == "done"
    assert field_of(changes, visit.late, "note") == "Délais affichés au guichet"


async def test_illegal_moves_are_refused_on_the_page_and_change_nothing(
    clients: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    visit = await record_visit(await clients("inspector"), Device(), template_id)
    central = await clients("central", pages=True)
    url = f"/dashboard/actions/{visit.late}"
    before = await state(seeded, visit.late)
    soup = await open_page(central, url)

    # open → verified is no move at all (a form only offers legal ones; this one is forged).
    response = await submit(central, soup, "form#change-status", {"status": "verified", "note": "Vérifiée"})
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("p#status-error") is not None
    assert page.select_one("select#status")["aria-invalid"] == "true"  # type: ignore[index]
    assert page.select_one("textarea#note").get_text() == "Vérifiée"  # type: ignore[union-attr]
    assert page.find("html")["lang"] == "ar"  # type: ignore[index]  # central reads Arabic
    assert await state(seeded, visit.late) == before

    # done needs a note; the error is on the note, in the user's language.
    response = await submit(central, soup, "form#change-status", {"status": "done", "note": "  "})
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert "الملاحظة" in text(page, "p#note-error")
    assert page.select_one("p#status-error") is None
    assert await state(seeded, visit.late) == before

    # Evidence that is not a photo is refused before anything is stored.
    response = await submit(
        central,
        soup,
        "form#change-status",
        {"status": "in_progress"},
        files={"evidence": ("x.svg", b"<svg onload='alert(1)'/>", "image/png")},
    )
    assert response.status_code == 422
    assert BeautifulSoup(response.text, "html.parser").select_one("p#evidence-error") is not None
    assert await state(seeded, visit.late) == before


async def test_a_change_pushed_by_a_phone_is_in_the_history(
    clients: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    phone = Device()
    inspector = await clients("inspector")
    visit = await record_visit(inspector, phone, template_id)
    ops = [
        phone.op("set", "action", visit.later, "status", "done", base_version=1),
        phone.op("set", "action", visit.later, "note", "Formation faite le 3"),
    ]
    results = (await inspector.post("/api/sync/push", json=phone.push_body(ops))).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied"]

    central = await clients("central", pages=True)
    soup = await open_page(central, f"/dashboard/actions/{visit.later}?lang=en")
    events = history(soup)
    assert [e[2] for e in events] == ["— → Open", "Open → Done"]
    assert events[1][1] == "مفتش الجزائر 1" and events[1][3] == "Formation faite le 3"
    # Only a reviewer verifies on a page: central may, so verified and reopen are offered.
    assert [o["value"] for o in soup.select("select#status option")] == ["open", "verified"]


async def test_scope_and_roles(clients: Any, seeded: Database, template_id: uuid.UUID) -> None:
    alger = await record_visit(await clients("inspector"), Device(), template_id)
    oran = await record_visit(await clients("inspector.oran"), Device(), template_id, agency=ORAN_CNR)

    director = await clients("director.cnas", pages=True)
    soup = await open_page(director, "/dashboard/actions")
    assert set(action_ids(soup)) == {str(alger.late), str(alger.later)}
    await open_page(director, f"/dashboard/actions/{alger.late}")
    response = await director.get(f"/dashboard/actions/{oran.late}")
    assert response.status_code == 404
    soup = await open_page(director, f"/dashboard/actions/{alger.late}")
    response = await submit(director, soup, "form#change-status", {"status": "in_progress"})
    assert response.status_code == 303
    forged = await director.post(
        f"/dashboard/actions/{oran.late}/status",
        data={"status": "in_progress", "_csrf_token": soup.select_one("input[name=_csrf_token]")["value"]},  # type: ignore[index]
    )
    assert forged.status_code == 404
    assert (await state(seeded, oran.late))[0] == "open"

    central = await clients("central", pages=True)
    soup = await open_page(central, "/dashboard/actions")
    assert set(action_ids(soup)) == {str(a) for a in (alger.late, alger.later, oran.late, oran.later)}

    inspector = await clients("inspector", pages=False)
    assert (await inspector.get("/dashboard/actions")).status_code == 403
    assert (await inspector.get(f"/dashboard/actions/{alger.late}")).status_code == 403


async def test_the_next_visit_to_the_agency_is_seeded_with_its_open_actions(
    clients: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    """Another inspector of the wilaya, on a new phone, pulls the open actions of the earlier visit and
    the visit's agency, which is what the PWA's findings screen lists under "earlier actions"."""
    visit = await record_visit(await clients("inspector"), Device(), template_id)
    changes = await pull_all(await clients("inspector2"))
    assert field_of(changes, visit.visit_id, "agency_id") == str(ALGER)
    for action_id in (visit.late, visit.later):
        assert field_of(changes, action_id, "visit_id") == str(visit.visit_id)
        assert field_of(changes, action_id, "status") == "open"
    # A later visit verifies one on site: done then verified, as the PWA's "carried out? yes" sends.
    later_phone = Device()
    colleague = await clients("inspector2")
    ops = [
        later_phone.op("set", "action", visit.late, "status", "done", base_version=1),
        later_phone.op("set", "action", visit.late, "status", "verified", base_version=1),
    ]
    results = (await colleague.post("/api/sync/push", json=later_phone.push_body(ops))).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied"]
    async with seeded.read() as session:
        events = (
            (
                await session.execute(
                    select(ActionEvent)
                    .where(col(ActionEvent.action_id) == visit.late)
                    .order_by(col(ActionEvent.id))
                )
            )
            .scalars()
            .all()
        )
        action = await session.get(Action, visit.late)
    # One push, one event: from where it was to where it ends.
    assert [(e.from_status, e.to_status) for e in events] == [(None, "open"), ("open", "verified")]
    assert action is not None and action.verified_at is not None and action.done_at is not None
