"""A central inspector manages checklist templates: upload a draft, preview, publish, retire.

Pages are parsed, never compared as strings; what devices see is read through ``/api/sync/pull``, and
answers reach the server through ``/api/sync/push``, as a phone sends them.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import Answer, AuditEvent, ChecklistTemplate, TemplateVersion
from backend.demo.seed import TEMPLATES_DIR, agency_uuid
from backend.i18n import translate
from tests.support.clients import sign_in
from tests.support.ops import Device
from tests.support.pages import open_page, page_sign_in, parse, submit, text

DEMO = json.loads((TEMPLATES_DIR / "quality_public_service.json").read_text(encoding="utf-8"))
ALGER = agency_uuid("CNAS-16")
VERSION_URL = "/manage/templates/versions/"


def next_version(version: int = 2, key: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(DEMO)
    document["version"] = version
    if key:
        document["key"] = key
    return document


def broken_document() -> dict[str, Any]:
    """Three mistakes in three items, and one in a section title."""
    document = next_version(3)
    waiting = document["sections"][2]
    waiting["title"]["fr"] = ""
    items = document["sections"][1]["items"]
    items[0]["relevant"] = f"answer('{items[2]['key']}') == 'yes'"  # a later item
    items[1]["options"] = [{"key": "a", "label": {"ar": "أ", "fr": "a", "en": "a"}, "points": 1}]
    items[3]["label"]["ar"] = ""
    return document


@pytest.fixture
async def central(client: AsyncClient) -> AsyncClient:
    await page_sign_in(client, "central")
    return client


async def count(db: Database, table: type, *where: Any) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def upload(client: AsyncClient, document: dict[str, Any] | str, *, as_file: bool = False) -> Any:
    soup = await open_page(client, "/manage/templates/new")
    raw = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    if as_file:
        files = {"file": ("template.json", raw.encode("utf-8"), "application/json")}
        return await submit(client, soup, "form#upload", {"document": ""}, files=files)
    return await submit(client, soup, "form#upload", {"document": raw})


def version_id_of(response: Any) -> uuid.UUID:
    assert response.status_code == 303, response.text[:1000]
    location = response.headers["location"]
    assert location.startswith(VERSION_URL)
    return uuid.UUID(location.removeprefix(VERSION_URL))


async def pull_all(client: AsyncClient, cursor: str = "") -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 500})).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, cursor


def template_changes(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["entity_id"]: c["value"] for c in changes if c["entity"] == "template_version"}


async def test_uploads_by_file_and_by_paste_become_drafts_in_the_list(
    central: AsyncClient, seeded: Database
) -> None:
    by_file = version_id_of(await upload(central, next_version(2), as_file=True))
    pasted = version_id_of(await upload(central, next_version(1, key="mini_audit")))

    soup = await open_page(central, "/manage/templates")
    listed = {row["data-version-id"]: row for row in soup.select("table#versions tbody tr")}
    assert listed[str(by_file)]["data-status"] == "draft" and listed[str(pasted)]["data-status"] == "draft"
    cells = [cell.get_text(" ", strip=True) for cell in listed[str(by_file)].find_all("td")]
    assert cells[1] == "2" and cells[5] == "52"  # version, items
    assert listed[str(by_file)].select_one(f"a[href='{VERSION_URL}{by_file}']") is not None
    assert soup.select_one("a[href='/manage/templates/new']") is not None
    published = [row for row in listed.values() if row["data-status"] == "published"]
    assert len(published) == 1  # the demo's version 1

    async with seeded.read() as session:
        stored = (
            await session.execute(select(TemplateVersion).where(col(TemplateVersion.id) == pasted))
        ).scalar_one()
        assert stored.status == "draft" and stored.published_at is None and stored.created_by is not None
        assert (await session.execute(select(col(ChecklistTemplate.key)))).scalars().all().count(
            "mini_audit"
        ) == 1
    assert await count(seeded, AuditEvent, col(AuditEvent.kind) == "template_uploaded") == 2


async def test_a_document_with_several_item_errors_is_refused_in_the_page_language(
    central: AsyncClient, seeded: Database
) -> None:
    home = await open_page(central, "/manage/templates")
    await submit(central, home, "form[action='/account/language']", {"language": "fr"})
    raw = json.dumps(broken_document(), ensure_ascii=False, indent=2)

    response = await upload(central, raw)

    assert response.status_code == 422
    soup = parse(response)
    assert soup.html is not None and soup.html["lang"] == "fr"
    problems = {li["data-path"]: li for li in soup.select("#problems li.problem")}
    assert {
        "sections[1].items[0].relevant",
        "sections[1].items[1].options",
        "sections[1].items[3].label.ar",
        "sections[2].title.fr",
    } <= set(problems)
    reason = translate("templates.problem.forward_reference", "fr")
    assert reason in problems["sections[1].items[0].relevant"].get_text(" ", strip=True)
    # Grouped per item, each group named by the item's key.
    groups = soup.select("#problems li.problem-group")
    item_keys = [code.get_text() for g in groups if g["data-item"] and (code := g.select_one("h3 code"))]
    items = broken_document()["sections"][1]["items"]
    assert item_keys == [items[0]["key"], items[1]["key"], items[3]["key"]]
    textarea = soup.select_one("textarea#document")
    assert textarea is not None and json.loads(textarea.get_text()) == json.loads(raw)
    assert await count(seeded, TemplateVersion) == 1 and await count(seeded, ChecklistTemplate) == 1


async def test_a_version_number_already_taken_is_refused_on_the_version_field(
    central: AsyncClient, seeded: Database
) -> None:
    response = await upload(central, next_version(1), as_file=True)  # the demo holds version 1

    assert response.status_code == 422
    problem = parse(response).select_one("#problems li.problem[data-path='version']")
    assert problem is not None and problem["data-code"] == "version_exists"
    assert await count(seeded, TemplateVersion) == 1


async def test_empty_not_json_and_too_large_uploads_are_refused(
    central: AsyncClient, seeded: Database
) -> None:
    for raw, code in (("  ", "empty"), ("{not json", "malformed"), (" " * 600_000 + "{}", "too_large")):
        response = await upload(central, raw)
        assert response.status_code == 422, code
        problem = parse(response).select_one("#problems li.problem")
        assert problem is not None and problem["data-code"] == code
    assert await count(seeded, TemplateVersion) == 1


async def test_the_preview_shows_sections_items_and_their_rules(central: AsyncClient) -> None:
    version_id = version_id_of(await upload(central, next_version(2)))
    soup = await open_page(central, f"{VERSION_URL}{version_id}")

    assert soup.html is not None and soup.html["lang"] == "ar"
    assert text(soup, "h1") == DEMO["title"]["ar"]
    headings = [h.get_text(" ", strip=True) for h in soup.select("section.template-section > h2")]
    assert headings == [f"{n}. {s['title']['ar']}" for n, s in enumerate(DEMO["sections"], start=1)]
    items = [item for section in DEMO["sections"] for item in section["items"]]
    shown = soup.select("li.template-item")
    assert [li["data-key"] for li in shown] == [item["key"] for item in items]
    assert len(soup.select("[data-mark=critical]")) == sum(1 for item in items if item.get("critical"))
    assert text(soup, "#summary [data-count=items] .value") == str(len(items))
    conditional = next(item for item in items if item.get("relevant"))
    assert text(soup, f"#item-{conditional['key']} .relevant code") == conditional["relevant"]
    choice = next(item for item in items if item.get("options"))
    assert len(soup.select(f"#item-{choice['key']} .options li")) == len(choice["options"])
    assert soup.select_one("form#publish") is not None and soup.select_one("form#retire") is None
    assert text(soup, "#status") == translate("templates.status.draft", "ar")


async def test_publishing_reaches_devices_once_and_the_version_is_then_immutable(
    central: AsyncClient, make_client: Callable[[], AsyncClient], seeded: Database
) -> None:
    version_id = version_id_of(await upload(central, next_version(2)))
    async with make_client() as phone:
        await sign_in(phone, "inspector")
        before, cursor = await pull_all(phone)
        assert str(version_id) not in template_changes(before)  # a draft never leaves the server

        preview = await open_page(central, f"{VERSION_URL}{version_id}")
        response = await submit(central, preview, "form#publish", {})
        assert response.status_code == 303

        after, cursor = await pull_all(phone, cursor)
        record = template_changes(after)[str(version_id)]
        assert record["status"] == "published" and record["version"] == 2
        assert record["template_key"] == DEMO["key"] and len(record["document"]["sections"]) == 11

        # Publishing twice is refused with a clear error, and changes nothing.
        again = await submit(central, preview, "form#publish", {})
        assert again.status_code == 409
        refused = parse(again)
        assert translate("templates.cannot_publish", "ar").split("«")[0] in text(refused, ".notice--error")
        assert refused.select_one("form#retire") is not None  # the page shows the version as it is
        assert template_changes((await pull_all(phone, cursor))[0]) == {}
    async with seeded.read() as session:
        stored = await session.get(TemplateVersion, version_id)
        assert stored is not None and stored.status == "published" and stored.published_at is not None
    assert await count(seeded, AuditEvent, col(AuditEvent.kind) == "template_published") == 1
    assert (await central.post(f"{VERSION_URL}{version_id}", data={})).status_code == 405  # no edit route


async def test_retiring_reaches_devices_and_started_visits_keep_syncing(
    central: AsyncClient, make_client: Callable[[], AsyncClient], seeded: Database
) -> None:
    async with seeded.read() as session:
        demo_id = (await session.execute(select(col(TemplateVersion.id)))).scalar_one()
    keys = [item["key"] for section in DEMO["sections"] for item in section["items"]]
    device = Device()
    visit_id = uuid.uuid4()
    async with make_client() as phone:
        await sign_in(phone, "inspector")
        started = [
            device.op(
                "create",
                "visit",
                visit_id,
                value={
                    "agency_id": str(ALGER),
                    "template_version_id": str(demo_id),
                    "started_at": "2026-11-23T09:00:00Z",
                },
            ),
            device.op("set", "visit", visit_id, f"answers.{keys[3]}", {"value": "yes", "note": None}),
        ]
        pushed = await phone.post("/api/sync/push", json=device.push_body(started))
        assert [r["outcome"] for r in pushed.json()["results"]] == ["applied", "applied"]
        _changes, cursor = await pull_all(phone)

        preview = await open_page(central, f"{VERSION_URL}{demo_id}")
        assert (await submit(central, preview, "form#retire", {})).status_code == 303

        record = template_changes((await pull_all(phone, cursor))[0])[str(demo_id)]
        assert record["status"] == "retired"
        later = device.op("set", "visit", visit_id, f"answers.{keys[4]}", {"value": "no", "note": "fermé"})
        pushed = await phone.post("/api/sync/push", json=device.push_body([later]))
        assert [r["outcome"] for r in pushed.json()["results"]] == ["applied"]
    async with seeded.read() as session:
        answers = (await session.execute(select(col(Answer.item_key), col(Answer.value)))).all()
        assert set(answers) == {(keys[3], "yes"), (keys[4], "no")}
        retired = await session.get(TemplateVersion, demo_id)
        assert retired is not None and retired.status == "retired"
    assert await count(seeded, AuditEvent, col(AuditEvent.kind) == "template_retired") == 1
    # A retired version is not retired twice, and a draft is not retired.
    again = await central.post(
        f"{VERSION_URL}{demo_id}/retire", data={"_csrf_token": central.cookies["csrftoken"]}
    )
    assert again.status_code == 409


async def test_a_director_is_refused_and_a_post_without_csrf_token_is_refused(
    make_client: Callable[[], AsyncClient], central: AsyncClient, seeded: Database
) -> None:
    async with make_client() as director:
        await page_sign_in(director, "director")
        assert (await director.get("/manage/templates")).status_code == 403
        assert (await director.get("/manage/templates/new")).status_code == 403
    forged = await central.post("/manage/templates", data={"document": json.dumps(next_version(2))})
    assert forged.status_code == 403
    assert await count(seeded, TemplateVersion) == 1
