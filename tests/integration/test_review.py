"""Reviewing submitted visits on the pages, on SQLite and PostgreSQL: the queue, a visit, returning it
to its inspector (who gets it on the next pull), approving it, scope, and resolving conflicts."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from httpx import AsyncClient
from sqlalchemy import select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Answer, SyncConflict, TemplateVersion, User, Visit
from backend.db.types import utcnow
from backend.demo.seed import agency_uuid
from backend.notifications.facts import load_facts
from backend.notifications.rules import Policy
from tests.support.clients import sign_in
from tests.support.ops import Device
from tests.support.pages import open_page, parse, submit, text

ALGER = agency_uuid("CNAS-16")
CNR_ORAN = agency_uuid("CNR-31")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + hashlib.shake_256(b"review-photo").digest(3000)
PHOTO_SHA = hashlib.sha256(JPEG).hexdigest()

Clients = Callable[[str], Any]


@pytest.fixture
async def template(seeded: Database) -> tuple[uuid.UUID, dict[str, Any]]:
    async with seeded.read() as session:
        row = (await session.execute(select(col(TemplateVersion.id), col(TemplateVersion.document)))).one()
    return row[0], row[1]


@pytest.fixture
async def clients(make_client: Callable[[], AsyncClient]) -> AsyncIterator[Clients]:
    """``await clients("central")``: a browser signed in as that demo user, closed after the test."""
    opened: list[AsyncClient] = []

    async def open_for(username: str) -> AsyncClient:
        client = make_client()
        await client.__aenter__()
        opened.append(client)
        await sign_in(client, username)
        return client

    yield open_for
    for client in opened:
        await client.aclose()


async def push(client: AsyncClient, device: Device, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = await client.post("/api/sync/push", json=device.push_body(ops))
    assert response.status_code == 200, response.text
    return response.json()["results"]  # type: ignore[no-any-return]


def visit_create(
    device: Device, template_id: uuid.UUID, agency: uuid.UUID = ALGER
) -> tuple[uuid.UUID, dict[str, Any]]:
    visit_id = uuid.uuid4()
    started = (utcnow() - timedelta(hours=2)).isoformat()
    fields = {"agency_id": str(agency), "template_version_id": str(template_id), "started_at": started}
    return visit_id, device.op("create", "visit", visit_id, value=fields)


async def upload_photo(client: AsyncClient) -> None:
    response = await client.patch(
        f"/api/blobs/{PHOTO_SHA}",
        content=JPEG,
        headers={
            "Upload-Offset": "0",
            "Upload-Length": str(len(JPEG)),
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert response.status_code == 204, response.text


async def a_whole_visit(client: AsyncClient, phone: Device, template_id: uuid.UUID) -> uuid.UUID:
    """What an inspector records on site, with a photo, a finding and an action, then submits."""
    await upload_photo(client)
    visit_id, create = visit_create(phone, template_id)
    photo_id, finding_id, action_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def answer(key: str, value: Any, note: str | None = None) -> dict[str, Any]:
        return phone.op("set", "visit", visit_id, f"answers.{key}", {"value": value, "note": note})

    ops = [
        create,
        phone.op("set", "visit", visit_id, "location", {"lat": 36.75, "lon": 3.06, "accuracy_m": 12}),
        answer("reception_desk", "yes"),
        answer("signage", "no", "لافتات غائبة"),
        answer("queue_system", "electronic"),
        answer("measured_waiting_time", 25),
        answer(
            "processing_sample",
            [
                {"file": "D-1", "received": "2026-01-05", "processed": "2026-01-15"},
                {"file": "D-2", "received": "2026-01-10", "processed": None},
            ],
        ),
        phone.op(
            "create",
            "attachment",
            photo_id,
            value={
                "visit_id": str(visit_id),
                "sha256": PHOTO_SHA,
                "size": len(JPEG),
                "mime": "image/jpeg",
                "item_key": "premises_photos",
            },
        ),
        answer("premises_photos", [{"attachment_id": str(photo_id), "sha256": PHOTO_SHA}]),
        answer("arrival_location", {"lat": 36.7501, "lon": 3.0601, "accuracy_m": 8}),
        answer("staff_courtesy", 4),
        answer("arrival_time", "08:30"),
        answer(
            "citizen_interviews",
            [{"service": "Carte Chifa", "waiting_minutes": 40, "satisfaction": 2, "comment": "long"}],
        ),
        answer("manager_signature", {"sha256": PHOTO_SHA, "attachment_id": str(photo_id)}),
        phone.op("set", "visit", visit_id, "signature", {"sha256": PHOTO_SHA, "signed_by": "Chef d'agence"}),
        phone.op(
            "create",
            "finding",
            finding_id,
            value={
                "visit_id": str(visit_id),
                "severity": "major",
                "description": "Signalétique absente",
                "item_key": "signage",
                "evidence": [str(photo_id)],
            },
        ),
        phone.op(
            "create",
            "action",
            action_id,
            value={
                "visit_id": str(visit_id),
                "finding_id": str(finding_id),
                "title": "Poser une signalétique",
                "deadline": "2026-12-31",
                "owner_name": "Chef d'agence",
            },
        ),
        phone.op("submit", "visit", visit_id),
    ]
    assert {r["outcome"] for r in await push(client, phone, ops)} == {"applied"}
    return visit_id


async def visit_row(db: Database, visit_id: uuid.UUID) -> Visit:
    async with db.read() as session:
        visit = await session.get(Visit, visit_id)
    assert visit is not None
    return visit


def queue_ids(soup: BeautifulSoup) -> list[str]:
    return [str(row["data-visit-id"]) for row in soup.select("table#review-queue tbody tr")]


async def pull_all(client: AsyncClient) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 500})).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes


async def test_a_visit_is_returned_resubmitted_and_approved(
    clients: Clients, seeded: Database, template: tuple[uuid.UUID, dict[str, Any]]
) -> None:
    template_id, document = template
    phone = Device()
    inspector = await clients("inspector")
    visit_id = await a_whole_visit(inspector, phone, template_id)

    central = await clients("central")
    queue = await open_page(central, "/manage/review?lang=fr")
    assert str(visit_id) in queue_ids(queue)
    page = await open_page(central, f"/manage/review/{visit_id}?lang=fr")
    headings = [h.get_text(strip=True) for h in page.select("section.answers-section h3")]
    assert headings == [section["title"]["fr"] for section in document["sections"]]
    assert text(page, "tr[data-item=signage] .answer-value") == "Non"
    assert "لافتات غائبة" in text(page, "tr[data-item=signage]")
    assert text(page, "tr[data-item=queue_system] .answer-value") == next(
        option["label"]["fr"]
        for section in document["sections"]
        for item in section["items"]
        if item["key"] == "queue_system"
        for option in item["options"]
        if option["key"] == "electronic"
    )
    assert text(page, "tr[data-item=measured_waiting_time] .answer-value") == "25\u00a0minutes"
    sample = [
        [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in page.select("tr[data-item=processing_sample] table tbody tr")
    ]
    assert sample[0] == ["D-1", "2026-01-05", "2026-01-15", "10 jours"]
    visit = await visit_row(seeded, visit_id)
    assert visit.score_pct is not None
    assert text(page, "#score-total").startswith(f"{visit.score_pct:.1f}")
    photo = page.select_one(f"tr[data-item=premises_photos] img[src='/api/blobs/{PHOTO_SHA}']")
    assert isinstance(photo, Tag)
    assert page.select_one(f"table#findings img[src='/api/blobs/{PHOTO_SHA}']") is not None
    assert (await central.get(f"/api/blobs/{PHOTO_SHA}")).status_code == 200
    assert len(page.select("table#actions tbody tr")) == 1
    assert text(page, "tr[data-item=staff_courtesy] .answer-value") == "4 sur 5"
    assert text(page, "tr[data-item=arrival_location] .answer-value").startswith("36.75010, 3.06010")
    assert page.select_one(f"#visit-facts img[src='/api/blobs/{PHOTO_SHA}']") is not None
    assert page.select_one(f"tr[data-item=manager_signature] img[src='/api/blobs/{PHOTO_SHA}']") is not None
    assert "Carte Chifa" in text(page, "tr[data-item=citizen_interviews] table")

    # Returning without a comment: refused, the field named, nothing changed.
    refused = await submit(central, page, "form#return-form", {"comment": "   "})
    assert refused.status_code == 422
    again = parse(refused)
    assert again.select_one("#comment-error") is not None
    assert again.select_one("textarea#comment[aria-invalid=true]") is not None
    assert (await visit_row(seeded, visit_id)).status == "submitted"

    comment = "Photos de la signalétique manquantes ; merci de compléter."
    returned = await submit(central, page, "form#return-form", {"comment": comment})
    assert returned.status_code == 303 and returned.headers["location"].startswith("/manage/review?")
    visit = await visit_row(seeded, visit_id)
    assert (visit.status, visit.review_comment) == ("returned", comment)
    assert visit.reviewed_at is not None and visit.reviewer_id is not None
    notice = await open_page(central, returned.headers["location"])
    assert notice.select_one(".notice--ok") is not None
    assert str(visit_id) not in queue_ids(notice)
    assert str(visit_id) in queue_ids(await open_page(central, "/manage/review?status=returned"))

    # The inspector's next pull carries the decision and the comment.
    mine = [c for c in await pull_all(inspector) if c["entity_id"] == str(visit_id)]
    assert {c["field"]: c["value"] for c in mine}["status"] == "returned"
    assert {c["field"]: c["value"] for c in mine}["review_comment"] == comment
    facts = await load_facts(seeded, Policy(), utcnow())
    assert [v.comment for v in facts.returned_visits if v.visit_id == visit_id] == [comment]

    # The inspector corrects and resubmits (based on the status version it pulled); the director approves.
    seen = next(c["version"] for c in mine if c["field"] == "status")
    fix = phone.op("set", "visit", visit_id, "answers.signage", {"value": "yes", "note": "posée"})
    resubmit = phone.op("submit", "visit", visit_id, base_version=seen)
    assert [r["outcome"] for r in await push(inspector, phone, [fix, resubmit])] == ["applied", "applied"]
    director = await clients("director")
    page = await open_page(director, f"/manage/review/{visit_id}")
    assert text(page, "#review-comment") == comment  # the comment of the earlier return stays visible
    approved = await submit(director, page, "form#approve-form", {})
    assert approved.status_code == 303
    visit = await visit_row(seeded, visit_id)
    assert visit.status == "approved"
    async with seeded.read() as session:
        reviewer = await session.get(User, visit.reviewer_id)
    assert reviewer is not None and reviewer.username == "director"

    # The same form posted again: refused with a clear message, nothing changed.
    twice = await submit(director, page, "form#approve-form", {})
    assert twice.status_code == 409
    shown = parse(twice)
    assert shown.select_one(".notice--error") is not None
    assert shown.select_one("#visit-status")["data-status"] == "approved"  # type: ignore[index]
    assert (await visit_row(seeded, visit_id)).reviewed_at == visit.reviewed_at


async def test_reviewers_see_only_their_scope_and_inspectors_nothing(
    clients: Clients, seeded: Database, template: tuple[uuid.UUID, dict[str, Any]]
) -> None:
    template_id, _document = template
    phone = Device()
    oran = await clients("inspector.oran")
    visit_id, create = visit_create(phone, template_id, CNR_ORAN)
    await push(oran, phone, [create, phone.op("submit", "visit", visit_id)])

    cnas = await clients("director.cnas")
    await open_page(cnas, f"/manage/review/{visit_id}", status=404)
    assert str(visit_id) not in queue_ids(await open_page(cnas, "/manage/review"))
    central = await clients("central")
    assert str(visit_id) in queue_ids(await open_page(central, "/manage/review"))
    for sort in ("agency", "wilaya", "inspector", "score", "submitted"):
        ordered = await open_page(central, f"/manage/review?sort={sort}&order=desc&wilaya=31")
        assert queue_ids(ordered) == [str(visit_id)]
    assert queue_ids(await open_page(central, "/manage/review?wilaya=16")) == []
    # Out of scope, a decision is not found and changes nothing.
    refused = await cnas.post(f"/manage/review/{visit_id}/approve", data={})
    assert refused.status_code == 404
    assert (await visit_row(seeded, visit_id)).status == "submitted"

    inspector = await clients("inspector")
    assert (await inspector.get("/manage/review")).status_code == 403
    assert (await inspector.get(f"/manage/review/{visit_id}")).status_code == 403


async def test_a_conflict_is_shown_and_resolved_from_the_visit_page(
    clients: Clients, seeded: Database, template: tuple[uuid.UUID, dict[str, Any]]
) -> None:
    template_id, _document = template
    first_phone, second_phone = Device(), Device()
    first, second = await clients("inspector"), await clients("inspector2")
    visit_id, create = visit_create(first_phone, template_id)
    await push(first, first_phone, [create])
    field = "answers.reception_desk"
    a = first_phone.op("set", "visit", visit_id, field, {"value": "yes", "note": "vu"})
    b = second_phone.op("set", "visit", visit_id, field, {"value": "no", "note": "pas vu"})
    assert (await push(first, first_phone, [a]))[0]["outcome"] == "applied"
    assert (await push(second, second_phone, [b]))[0]["outcome"] == "conflict"
    await push(first, first_phone, [first_phone.op("submit", "visit", visit_id)])

    central = await clients("central")
    queue = await open_page(central, "/manage/review")
    row = queue.select_one(f"tr[data-visit-id='{visit_id}']")
    assert row is not None and row.select_one(".badge") is not None
    page = await open_page(central, f"/manage/review/{visit_id}?lang=en")
    forms = page.select("form.conflict")
    assert len(forms) == 1
    choices = forms[0].select("input[name=candidate]")
    assert len(choices) == 2
    labels = [label.get_text(" ", strip=True) for label in forms[0].select(".candidate")]
    assert any("No" in label and "pas vu" in label for label in labels)
    conflict_id = str(forms[0]["data-conflict-id"])
    async with seeded.read() as session:
        conflict = await session.get(SyncConflict, uuid.UUID(conflict_id))
    assert conflict is not None
    chosen = next(c["op_id"] for c in conflict.candidates if c["value"]["value"] == "no")

    # While it is open the visit cannot be approved: the page says why, and a post anyway is refused.
    approve = page.select_one("form#approve-form button")
    assert approve is not None and approve.has_attr("disabled")
    assert "open conflicts (1)" in page.select_one("#approve-blocked").get_text()  # type: ignore[union-attr]
    blocked = await submit(central, page, "form#approve-form", {})
    assert blocked.status_code == 409
    assert "لا يمكن المصادقة على الزيارة ما دامت فيها تعارضات مفتوحة (1)" in parse(blocked).get_text()
    assert (await visit_row(seeded, visit_id)).status == "submitted"

    # A candidate that is not one of the conflict's is refused on the page.
    wrong = await submit(central, page, "form.conflict", {"candidate": str(uuid.uuid4())})
    assert wrong.status_code == 422
    resolved = await submit(central, page, "form.conflict", {"candidate": chosen})
    assert resolved.status_code == 303
    assert resolved.headers["location"].startswith(f"/manage/review/{visit_id}")
    assert (await central.get("/api/sync/conflicts")).json()["total"] == 0
    async with seeded.read() as session:
        answer = await session.get(Answer, (visit_id, "reception_desk"))
    assert answer is not None and (answer.value, answer.note) == ("no", "pas vu")
    after = await open_page(central, resolved.headers["location"])
    assert after.select("form.conflict") == []
    assert after.select_one(".notice--ok") is not None

    # Resolving it again from the stale page: a clear refusal, nothing changed.
    late = await submit(central, page, "form.conflict", {"candidate": chosen})
    assert late.status_code == 409
    assert parse(late).select_one(".notice--error") is not None

    # Settled, the visit can be approved.
    approve = after.select_one("form#approve-form button")
    assert approve is not None and not approve.has_attr("disabled")
    approved = await submit(central, after, "form#approve-form", {})
    assert approved.status_code == 303
    assert (await visit_row(seeded, visit_id)).status == "approved"
