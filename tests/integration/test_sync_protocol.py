"""Sync protocol v1 over HTTP, on SQLite and PostgreSQL: nothing lost or duplicated, conflicts kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from backend.checklists import parse_template
from backend.checklists.scoring import score
from backend.db.engine import Database
from backend.db.tables import Action, Answer, Attachment, Finding, SyncField, SyncOp, TemplateVersion, Visit
from backend.demo.seed import agency_uuid
from tests.support.clients import sign_in
from tests.support.ops import Device

ALGER = agency_uuid("CNAS-16")
ORAN = agency_uuid("CNAS-31")


@pytest.fixture
async def template_id(seeded: Database) -> uuid.UUID:
    async with seeded.read() as session:
        return (await session.execute(select(TemplateVersion.id))).scalar_one()


@pytest.fixture
async def item_keys(seeded: Database) -> list[str]:
    async with seeded.read() as session:
        document = (await session.execute(select(TemplateVersion.document))).scalar_one()
    return [item["key"] for section in document["sections"] for item in section["items"]]


async def count(db: Database, table: type, *where: Any) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def signed(make_client: Callable[[], AsyncClient], username: str, device: Device) -> AsyncClient:
    client = make_client()
    await client.__aenter__()
    await sign_in(client, username)
    return client


def new_visit(
    device: Device, template_id: uuid.UUID, agency: uuid.UUID = ALGER
) -> tuple[uuid.UUID, dict[str, Any]]:
    visit_id = uuid.uuid4()
    fields = {
        "agency_id": str(agency),
        "template_version_id": str(template_id),
        "started_at": "2026-11-23T09:00:00Z",
    }
    return visit_id, device.op("create", "visit", visit_id, value=fields)


async def pull_all(
    client: AsyncClient, cursor: str = ""
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 200})).json()
        changes += page["changes"]
        conflicts += page["conflicts"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, conflicts, cursor


async def test_a_whole_visit_is_stored_projected_and_pulled_in_scope(
    make_client: Any, seeded: Database, template_id: uuid.UUID, item_keys: list[str]
) -> None:
    phone = Device()
    inspector = await signed(make_client, "inspector", phone)
    visit_id, create = new_visit(phone, template_id)
    finding_id, action_id, photo_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ops = [
        create,
        phone.op("set", "visit", visit_id, "location", {"lat": 36.75, "lon": 3.06, "accuracy_m": 12}),
        phone.op(
            "set", "visit", visit_id, f"answers.{item_keys[3]}", {"value": "yes", "note": "لافتات واضحة"}
        ),
        phone.op("set", "visit", visit_id, f"answers.{item_keys[4]}", {"value": "no", "note": None}),
        phone.op(
            "create",
            "attachment",
            photo_id,
            value={
                "visit_id": str(visit_id),
                "sha256": "a" * 64,
                "size": 1000,
                "mime": "image/jpeg",
                "item_key": item_keys[4],
            },
        ),
        phone.op(
            "create",
            "finding",
            finding_id,
            value={
                "visit_id": str(visit_id),
                "severity": "major",
                "description": "Guichets fermés",
                "item_key": item_keys[4],
            },
        ),
        phone.op(
            "create",
            "action",
            action_id,
            value={
                "visit_id": str(visit_id),
                "finding_id": str(finding_id),
                "title": "Ouvrir trois guichets",
                "deadline": "2026-12-31",
                "owner_name": "Chef d'agence",
            },
        ),
        phone.op("submit", "visit", visit_id),
    ]
    response = await inspector.post("/api/sync/push", json=phone.push_body(ops))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_seq"] == 8
    assert [r["outcome"] for r in body["results"]] == ["applied"] * 8

    async with seeded.read() as session:
        visit = await session.get(Visit, visit_id)
        assert visit is not None and visit.status == "submitted" and visit.submitted_at is not None
        assert visit.agency_id == ALGER and visit.location == {"lat": 36.75, "lon": 3.06, "accuracy_m": 12}
        answers = {a.item_key: (a.value, a.note) for a in (await session.execute(select(Answer))).scalars()}
        assert answers == {item_keys[3]: ("yes", "لافتات واضحة"), item_keys[4]: ("no", None)}
        document = parse_template((await session.execute(select(TemplateVersion.document))).scalar_one())
        expected = score(document, {key: value for key, (value, _note) in answers.items()})
        assert visit.score == msgspec.to_builtins(expected) and visit.score_pct == expected.score_pct
        assert visit.score["max_points"] > 0
        action = await session.get(Action, action_id)
        assert action is not None and action.status == "open" and action.finding_id == finding_id
        assert (await session.get(Finding, finding_id)) is not None
        assert (await session.get(Attachment, photo_id)) is not None

    colleague = await signed(make_client, "inspector2", Device())
    changes, _conflicts, _cursor = await pull_all(colleague)
    mine = {(c["entity"], c["field"]) for c in changes if c["entity_id"] == str(visit_id)}
    assert ("visit", f"answers.{item_keys[3]}") in mine and ("visit", "status") in mine
    assert {c["entity"] for c in changes} >= {
        "agency",
        "template_version",
        "visit",
        "finding",
        "action",
        "attachment",
    }
    assert all(c["value"]["wilaya_code"] == 16 for c in changes if c["entity"] == "agency")

    oran = await signed(make_client, "inspector.oran", Device())
    oran_changes, _, _ = await pull_all(oran)
    assert not [c for c in oran_changes if c["entity_id"] in {str(visit_id), str(finding_id), str(action_id)}]
    assert {c["value"]["wilaya_code"] for c in oran_changes if c["entity"] == "agency"} == {31}
    for client in (inspector, colleague, oran):
        await client.aclose()


async def test_a_replayed_push_answers_the_same_and_writes_nothing(
    make_client: Any, seeded: Database, template_id: uuid.UUID, item_keys: list[str]
) -> None:
    phone = Device()
    client = await signed(make_client, "inspector", phone)
    visit_id, create = new_visit(phone, template_id)
    body = phone.push_body(
        [create, phone.op("set", "visit", visit_id, f"answers.{item_keys[1]}", {"value": "yes"})]
    )
    first = await client.post("/api/sync/push", json=body)
    ops_before, fields_before = await count(seeded, SyncOp), await count(seeded, SyncField)
    async with seeded.read() as session:
        changes_before = sorted((await session.execute(select(SyncField.change_no))).scalars())
    again = await client.post("/api/sync/push", json=body)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert (await count(seeded, SyncOp), await count(seeded, SyncField)) == (ops_before, fields_before)
    async with seeded.read() as session:
        assert sorted((await session.execute(select(SyncField.change_no))).scalars()) == changes_before
    await client.aclose()


async def test_a_gap_answers_409_with_the_expected_seq(make_client: Any, template_id: uuid.UUID) -> None:
    phone = Device()
    client = await signed(make_client, "inspector", phone)
    _visit, create = new_visit(phone, template_id)
    phone.seq = 5
    late = phone.op("set", "visit", uuid.uuid4(), "location", None)
    response = await client.post("/api/sync/push", json=phone.push_body([late]))
    assert response.status_code == 409
    assert response.json()["code"] == "seq_gap" and response.json()["expected_seq"] == 1
    assert (await client.post("/api/sync/push", json=phone.push_body([create]))).status_code == 200
    await client.aclose()


async def test_a_rejected_op_is_acknowledged_and_does_not_wedge_the_outbox(
    make_client: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    phone = Device()
    client = await signed(make_client, "inspector", phone)
    visit_id, create = new_visit(phone, template_id)
    ops = [
        create,
        phone.op("set", "visit", visit_id, "location", {"lat": 300, "lon": 3}),
        phone.op("set", "visit", visit_id, "no_such_field", 1),
        phone.op("set", "gadget", uuid.uuid4(), "x", 1),
        phone.op("set", "agency", ALGER, "name_fr", "hacked"),
        phone.op("set", "visit", uuid.uuid4(), "location", None),
        phone.op("set", "visit", visit_id, "answers.not_an_item", {"value": 1}),
        phone.op("set", "visit", visit_id, "location", {"lat": 36.7, "lon": 3.1}),
    ]
    body = (await client.post("/api/sync/push?lang=fr", json=phone.push_body(ops))).json()
    outcomes = [(r["outcome"], (r["reason"] or {}).get("code")) for r in body["results"]]
    assert outcomes == [
        ("applied", None),
        ("rejected", "invalid_value"),
        ("rejected", "unknown_field"),
        ("rejected", "unknown_entity_type"),
        ("rejected", "read_only"),
        ("rejected", "unknown_entity"),
        ("rejected", "unknown_field"),
        ("applied", None),
    ]
    assert body["last_seq"] == 8
    assert body["results"][1]["reason"]["field"] == "location"
    # The raw values stay in the op log for a human.
    assert await count(seeded, SyncOp, SyncOp.outcome == "rejected") == 6
    await client.aclose()


async def test_two_inspectors_answering_the_same_item_offline_make_one_conflict_for_a_reviewer(
    make_client: Any, seeded: Database, template_id: uuid.UUID, item_keys: list[str]
) -> None:
    first_phone, second_phone, reviewer_device = Device(), Device(), Device()
    first = await signed(make_client, "inspector", first_phone)
    second = await signed(make_client, "inspector2", second_phone)
    reviewer = await signed(make_client, "central", reviewer_device)
    visit_id, create = new_visit(first_phone, template_id)
    field = f"answers.{item_keys[3]}"
    await first.post("/api/sync/push", json=first_phone.push_body([create]))
    # Both saw the visit before the item was answered (base_version 0); both answer offline.
    a = first_phone.op("set", "visit", visit_id, field, {"value": "yes", "note": "vu"})
    b = second_phone.op("set", "visit", visit_id, field, {"value": "no", "note": "pas vu"})
    assert (await first.post("/api/sync/push", json=first_phone.push_body([a]))).json()["results"][0][
        "outcome"
    ] == "applied"
    result = (await second.post("/api/sync/push", json=second_phone.push_body([b]))).json()["results"][0]
    assert result["outcome"] == "conflict" and result["conflict_id"]

    listing = (await reviewer.get("/api/sync/conflicts")).json()
    assert listing["total"] == 1
    conflict = listing["items"][0]
    assert conflict["field"] == field and conflict["status"] == "open"
    assert {(c["value"]["value"], c["author"]) for c in conflict["candidates"]} == {
        ("yes", (await first.get("/api/auth/me")).json()["user"]["id"]),
        ("no", (await second.get("/api/auth/me")).json()["user"]["id"]),
    }
    _changes, pulled, _ = await pull_all(reviewer)
    assert [c["id"] for c in pulled] == [conflict["id"]]

    resolve = reviewer_device.op(
        "resolve", "conflict", uuid.UUID(conflict["id"]), value={"value": "no", "note": "tranché"}
    )
    resolved = (await reviewer.post("/api/sync/push", json=reviewer_device.push_body([resolve]))).json()[
        "results"
    ][0]
    assert resolved["outcome"] == "applied"
    assert (await reviewer.get("/api/sync/conflicts")).json()["total"] == 0
    async with seeded.read() as session:
        answer = await session.get(Answer, (visit_id, item_keys[3]))
        assert answer is not None and answer.value == "no" and answer.note == "tranché"
    changes, pulled, _ = await pull_all(first)
    assert [c["status"] for c in pulled] == ["resolved"]
    assert [c["value"] for c in changes if c["field"] == field] == [{"value": "no", "note": "tranché"}]

    # An inspector may not resolve.
    sneaky = first_phone.op("resolve", "conflict", uuid.UUID(conflict["id"]), value={"value": "yes"})
    refused = (await first.post("/api/sync/push", json=first_phone.push_body([sneaky]))).json()["results"][0]
    assert refused["outcome"] == "rejected" and refused["reason"]["code"] == "not_reviewer"
    for client in (first, second, reviewer):
        await client.aclose()


async def test_a_late_op_on_a_submitted_visit_becomes_a_conflict_never_an_overwrite(
    make_client: Any, seeded: Database, template_id: uuid.UUID, item_keys: list[str]
) -> None:
    phone, tablet = Device(), Device()
    client = await signed(make_client, "inspector", phone)
    other = await signed(make_client, "inspector2", tablet)
    visit_id, create = new_visit(phone, template_id)
    field = f"answers.{item_keys[1]}"
    ops = [
        create,
        phone.op("set", "visit", visit_id, field, {"value": "yes"}),
        phone.op("submit", "visit", visit_id),
    ]
    assert [
        r["outcome"]
        for r in (await client.post("/api/sync/push", json=phone.push_body(ops))).json()["results"]
    ] == ["applied", "applied", "applied"]
    late = tablet.op("set", "visit", visit_id, field, {"value": "no"}, base_version=1)
    result = (await other.post("/api/sync/push", json=tablet.push_body([late]))).json()["results"][0]
    assert result["outcome"] == "conflict"
    own_late = phone.op("set", "visit", visit_id, field, {"value": "na"}, base_version=1)
    assert (await client.post("/api/sync/push", json=phone.push_body([own_late]))).json()["results"][0][
        "outcome"
    ] == "conflict"
    async with seeded.read() as session:
        answer = await session.get(Answer, (visit_id, item_keys[1]))
        assert answer is not None and answer.value == "yes"
    conflicts = (await (await signed(make_client, "central", Device())).get("/api/sync/conflicts")).json()[
        "items"
    ]
    assert len(conflicts) == 1 and len(conflicts[0]["candidates"]) == 3
    await client.aclose()
    await other.aclose()


async def test_out_of_scope_and_wrong_role_ops_are_rejected(
    make_client: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    oran_phone, director_phone = Device(), Device()
    oran = await signed(make_client, "inspector.oran", oran_phone)
    _visit, create = new_visit(oran_phone, template_id, agency=ALGER)
    result = (await oran.post("/api/sync/push", json=oran_phone.push_body([create]))).json()["results"][0]
    assert result["outcome"] == "rejected" and result["reason"]["code"] == "out_of_scope"

    director = await signed(make_client, "director.cnas", director_phone)
    _visit, create = new_visit(director_phone, template_id)
    result = (await director.post("/api/sync/push", json=director_phone.push_body([create]))).json()[
        "results"
    ][0]
    assert result["outcome"] == "rejected" and result["reason"]["code"] == "forbidden"
    assert await count(seeded, Visit) == 0
    await oran.aclose()
    await director.aclose()


async def test_a_device_of_another_user_cannot_push(make_client: Any, template_id: uuid.UUID) -> None:
    phone = Device()
    owner = await signed(make_client, "inspector", phone)
    _visit, create = new_visit(phone, template_id)
    await owner.post("/api/sync/push", json=phone.push_body([create]))
    thief = await signed(make_client, "inspector2", Device())
    phone.seq = 1
    response = await thief.post(
        "/api/sync/push", json=phone.push_body([phone.op("set", "visit", _visit, "location", None)])
    )
    assert response.status_code == 403 and response.json()["code"] == "device_revoked"
    await owner.aclose()
    await thief.aclose()


async def test_a_clock_far_in_the_future_is_clamped(
    make_client: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    phone = Device(wall=lambda: 4_000_000_000_000)  # the year 2096
    client = await signed(make_client, "inspector", phone)
    _visit_id, create = new_visit(phone, template_id)
    assert (await client.post("/api/sync/push", json=phone.push_body([create]))).json()["results"][0][
        "outcome"
    ] == "applied"
    async with seeded.read() as session:
        stored = (await session.execute(select(SyncOp.hlc, SyncOp.hlc_applied))).one()
    assert stored[0].startswith("4000000000000") and stored[1] < "2100000000000"
    await client.aclose()


async def test_messagepack_round_trip(make_client: Any, template_id: uuid.UUID) -> None:
    phone = Device()
    client = await signed(make_client, "inspector", phone)
    _visit, create = new_visit(phone, template_id)
    response = await client.post(
        "/api/sync/push",
        content=msgspec.msgpack.encode(phone.push_body([create])),
        headers={"content-type": "application/msgpack", "accept": "application/msgpack"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/msgpack")
    assert msgspec.msgpack.decode(response.content)["results"][0]["outcome"] == "applied"
    pulled = await client.get("/api/sync/pull?limit=5", headers={"accept": "application/msgpack"})
    assert len(msgspec.msgpack.decode(pulled.content)["changes"]) == 5
    await client.aclose()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "malformed_payload"),
        (
            b'{"protocol": 2, "client_id": "7c1f0f3e-1111-4111-8111-111111111111", "ops": []}',
            400,
            "unsupported_protocol",
        ),
        (b'{"protocol": 1, "client_id": "nope", "ops": []}', 400, "invalid_payload"),
        (
            b'{"protocol": 1, "client_id": "7c1f0f3e-1111-4111-8111-111111111111", "ops": [{"seq": "x"}]}',
            400,
            "invalid_payload",
        ),
        (b"[" * 10000, 400, "invalid_payload"),
        (
            b'{"protocol": 1, "client_id": "7c1f0f3e-1111-4111-8111-111111111111", "ops": [{"op_id": '
            b'"7c1f0f3e-1111-4111-8111-111111111112", "seq": 1, "entity": "visit", "entity_id": '
            b'"7c1f0f3e-1111-4111-8111-111111111113", "kind": "set", "field": "location", "hlc": '
            b'"1700000000000-0000-7c1f0f3e-1111-4111-8111-111111111111", "value": '
            + b"[" * 5000
            + b"]" * 5000
            + b"}]}",
            400,
            "malformed_payload",
        ),
    ],
)
async def test_hostile_push_bodies_are_4xx_problems_that_write_nothing(
    client: AsyncClient, seeded: Database, body: bytes, status: int, code: str
) -> None:
    await sign_in(client, "inspector")
    response = await client.post("/api/sync/push", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await count(seeded, SyncOp) == 0


async def test_too_many_ops_and_too_large_bodies(client: AsyncClient, template_id: uuid.UUID) -> None:
    await sign_in(client, "inspector")
    phone = Device()
    ops = [phone.op("set", "visit", uuid.uuid4(), "location", None) for _ in range(1001)]
    assert (await client.post("/api/sync/push", json=phone.push_body(ops))).json()["code"] == "too_many_ops"
    big = phone.push_body([phone.op("set", "visit", uuid.uuid4(), "review_comment", "x" * (3 * 1024 * 1024))])
    response = await client.post("/api/sync/push", json=big)
    assert response.status_code == 413


async def test_a_cursor_from_another_database_resets_the_device(client: AsyncClient) -> None:
    from sync.cursor import encode

    await sign_in(client, "inspector")
    page = (await client.get("/api/sync/pull", params={"cursor": encode("another-db", 5)})).json()
    assert page["reset"] is True and page["changes"]
    bad = await client.get("/api/sync/pull", params={"cursor": "garbage!"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"


async def test_a_big_push_costs_a_handful_of_statements(
    make_client: Any, seeded: Database, template_id: uuid.UUID, item_keys: list[str], app: Any
) -> None:
    from sqlalchemy import event

    phone = Device()
    client = await signed(make_client, "inspector", phone)
    ops = []
    for _ in range(20):  # 20 visits of 49 answers: 1,000 ops in one push
        visit_id, create = new_visit(phone, template_id)
        ops.append(create)
        ops += [phone.op("set", "visit", visit_id, f"answers.{key}", {"value": 1}) for key in item_keys[1:50]]
    statements: list[str] = []
    engine = app.state.db.engine.sync_engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = await client.post("/api/sync/push", json=phone.push_body(ops[:1000]))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    assert {r["outcome"] for r in response.json()["results"]} == {"applied"}
    writes = [s for s in statements if not s.lstrip().upper().startswith(("SELECT", "BEGIN", "PRAGMA"))]
    # Chunked multi-row statements: a constant number per table, not one per op.
    assert len(statements) <= 40, len(statements)
    assert len(writes) <= 25, writes
    assert await count(seeded, Answer) == 20 * 49
    await client.aclose()


async def test_an_action_is_followed_up_after_its_visit_is_submitted(
    make_client: Any, seeded: Database, template_id: uuid.UUID
) -> None:
    phone, later = Device(), Device()
    client = await signed(make_client, "inspector", phone)
    other = await signed(make_client, "inspector2", later)
    visit_id, create = new_visit(phone, template_id)
    action_id = uuid.uuid4()
    ops = [
        create,
        phone.op(
            "create", "action", action_id, value={"visit_id": str(visit_id), "title": "Afficher les délais"}
        ),
        phone.op("submit", "visit", visit_id),
    ]
    assert {
        r["outcome"]
        for r in (await client.post("/api/sync/push", json=phone.push_body(ops))).json()["results"]
    } == {"applied"}
    follow_up = [
        later.op("set", "action", action_id, "status", "in_progress", base_version=1),  # seen via pull
        later.op("set", "action", action_id, "note", "Affichage commandé"),
        later.op("set", "action", action_id, "description", "Autre chose", base_version=1),
    ]
    results = (await other.post("/api/sync/push", json=later.push_body(follow_up))).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied", "conflict"]
    async with seeded.read() as session:
        action = await session.get(Action, action_id)
        assert action is not None and action.status == "in_progress"
    await client.aclose()
    await other.aclose()
