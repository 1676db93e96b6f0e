"""The reference client against the real app (in-process, SQLite and PostgreSQL): sign-in, push in
both encodings, a real 409 gap, replays, base versions, conflicts and a reset of the pull cursor."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar

from backend.db.engine import Database
from backend.demo.seed import agency_uuid
from sync import cursor as cursors
from sync.client import Refused, SyncClient
from sync.wire import Op
from tests.support.clients import DEMO_PASSWORD

ALGER = agency_uuid("CNAS-16")
Devices = Callable[..., SyncClient]


@pytest.fixture
async def devices(app: Litestar, seeded: Database) -> AsyncIterator[Devices]:
    made: list[SyncClient] = []

    def make(username: str = "inspector", password: str = DEMO_PASSWORD, **options: Any) -> SyncClient:
        transport = httpx.ASGITransport(app=app)
        client = SyncClient("http://testserver.local", username, password, transport=transport, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


async def ready(device: SyncClient) -> tuple[uuid.UUID, list[str]]:
    """Sign in, pull, and return the demo template's id and the keys of its yes/no items."""
    await device.login()
    await device.pull_all()
    template = next(change for change in device.state.values() if change.entity == "template_version")
    keys = [
        item["key"]
        for section in template.value["document"]["sections"]
        for item in section["items"]
        if item["type"] == "yes_no"
    ]
    return template.entity_id, keys


def visit(device: SyncClient, template_id: uuid.UUID, keys: list[str]) -> uuid.UUID:
    return device.record_visit(
        agency_id=ALGER,
        template_version_id=template_id,
        answers={key: {"value": "yes", "note": None} for key in keys},
        started_at="2026-11-23T09:00:00Z",
        submit=False,
    )


@pytest.mark.parametrize("encoding", ["json", "msgpack"])
async def test_push_in_batches_then_pull_it_back(devices: Devices, encoding: str) -> None:
    device = devices(encoding=encoding)
    template_id, keys = await ready(device)
    visit_id = visit(device, template_id, keys)
    device.submit_visit(visit_id)
    report = await device.push(max_ops=7)
    assert report.requests == -(-(len(keys) + 2) // 7)
    assert {result.outcome for result in report.results} == {"applied"}
    assert len(device.outbox) == 0 and report.last_seq == len(keys) + 2

    reviewer = devices("central", encoding=encoding)
    await reviewer.login()
    await reviewer.pull_all(limit=10)
    assert reviewer.state[("visit", visit_id, "status")].value == "submitted"
    assert reviewer.state[("visit", visit_id, f"answers.{keys[0]}")].value == {"value": "yes", "note": None}


async def test_a_real_gap_is_followed_and_nothing_is_lost(devices: Devices) -> None:
    device = devices()
    template_id, keys = await ready(device)
    device.outbox.next_seq = 5  # as if seqs 1-4 had been acknowledged by a database since restored
    visit(device, template_id, keys[:3])
    report = await device.push()
    assert report.gaps == 1 and report.last_seq == 4  # renumbered 1-4: the server expected seq 1
    assert [result.outcome for result in report.results] == ["applied"] * 4


async def test_a_replayed_push_answers_the_same_and_changes_nothing(devices: Devices) -> None:
    device = devices()
    template_id, keys = await ready(device)
    visit(device, template_id, keys[:2])
    sent: list[Op] = list(device.outbox.ops)
    first = await device.push()
    device.outbox.ops = sent  # the answer was lost: the same ops go again
    again = await device.push()
    assert again.results == first.results and again.last_seq == first.last_seq


async def test_a_stale_base_from_someone_else_is_a_conflict_a_reviewer_resolves(devices: Devices) -> None:
    first, second = devices("inspector"), devices("inspector2")
    template_id, keys = await ready(first)
    await ready(second)
    visit_id = visit(first, template_id, keys[:1])
    await first.push()
    await second.pull_all()
    field = f"answers.{keys[0]}"
    assert second.set("visit", visit_id, field, {"value": "no", "note": None}).base_version == 1
    await second.push()
    # The first inspector never saw that version: its edit is concurrent.
    first.set("visit", visit_id, field, {"value": "na", "note": None})
    result = (await first.push()).results[0]
    assert result.outcome == "conflict" and result.conflict_id is not None

    reviewer = devices("central")
    await reviewer.login()
    await reviewer.pull_all()
    assert result.conflict_id in reviewer.conflicts
    reviewer.resolve(result.conflict_id, {"value": "no", "note": "vérifié"})
    assert (await reviewer.push()).results[0].outcome == "applied"
    await first.pull_all()
    assert first.state[("visit", visit_id, field)].value == {"value": "no", "note": "vérifié"}
    assert first.conflicts[result.conflict_id].status == "resolved"


async def test_a_cursor_of_another_database_rebuilds_the_copy_and_keeps_the_outbox(devices: Devices) -> None:
    device = devices()
    template_id, keys = await ready(device)
    before = dict(device.state)
    device.replica.cursor = cursors.encode("a-database-since-restored", 10**6)
    device.replica.state[("visit", uuid.uuid4(), "status")] = next(iter(before.values()))  # stale
    visit(device, template_id, keys[:1])
    report = await device.pull_all()
    assert report.reset
    assert device.state.keys() == before.keys()
    assert len(device.outbox) == 2


async def test_a_wrong_password_is_refused(devices: Devices) -> None:
    device = devices(password="not-the-password")
    with pytest.raises(Refused) as refused:
        await device.login()
    assert refused.value.status == 401
