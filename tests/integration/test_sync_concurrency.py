"""Concurrent pushers and a puller through the real server: the pull cursor misses no change.

DESIGN.md promises that a change which commits late is never skipped by a puller (on PostgreSQL two
transactions can take change numbers 7 and 8 and commit 8 first). Here eight devices push small
visits for several seconds while a reviewer's device pulls over and over; then every change the
pushers' acknowledged ops produced must have reached the puller, and its copy must equal what the
server holds in the end, field by field. The server is the production one: ``rasd migrate``,
``rasd demo`` and ``rasd serve`` in a subprocess on a free port, on a fresh database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.db.engine import make_engine
from backend.db.tables import SyncField
from backend.demo.seed import agency_uuid
from backend.settings import sqlite_url
from sync.client import SyncClient
from sync.replica import Key
from sync.wire import Op, OpResult
from tests.support.clients import DEMO_PASSWORD
from tests.support.databases import PG_ENV, PostgresDatabase, skip_or_fail
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.slow

PUSHERS = 8
# Agencies of wilaya 16, where both demo inspectors work.
ALGER = [agency_uuid(f"{body}-16") for body in ("CNAS", "CASNOS", "CNR", "CNAC", "ANEM")]
SIMPLE_ANSWERS: dict[str, Any] = {"yes_no": "yes", "rating": 4, "number": 3, "text": "RAS"}
DEVICE_ENTITIES = ("visit", "finding", "action", "attachment")


# -- the real server in a subprocess ---------------------------------------------------------------
@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path, sqlite_url(tmp_path / "rasd.db"))
    yield server
    server.stop()


@pytest.fixture
def postgres_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The server on a PostgreSQL database of its own, created for this test and dropped after it."""
    url = os.environ.get(PG_ENV)
    if not url:
        skip_or_fail(f"{PG_ENV} is not set")
        raise AssertionError("unreachable")
    database = PostgresDatabase(url)
    try:
        database.create()
    except Exception as exc:  # the server is down or refuses us
        with contextlib.suppress(Exception):
            database.drop()  # in case it was created and the migration failed
        skip_or_fail(f"PostgreSQL at {url} is not usable: {exc}")
    try:
        server = start_live_server(tmp_path, database.url)
        yield server
        server.stop()
    finally:
        database.drop()


# -- the scenario ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    acknowledged: list[tuple[Op, OpResult]] = field(default_factory=list)
    visits: int = 0
    pushes: int = 0
    pulls: int = 0
    pulls_with_changes: int = 0
    seen: dict[Key, int] = field(default_factory=dict)  # the greatest version the puller saw per field


async def signed_in(url: str, username: str, label: str, encoding: str = "json") -> SyncClient:
    client = SyncClient(url, username, DEMO_PASSWORD, device_label=label, encoding=encoding)  # type: ignore[arg-type]
    await client.login()
    return client


async def template_items(client: SyncClient) -> tuple[uuid.UUID, list[tuple[str, Any]]]:
    """The demo template a device pulled, and the items a test can answer simply."""
    await client.pull_all()
    template = next(change for change in client.state.values() if change.entity == "template_version")
    items = [
        (item["key"], SIMPLE_ANSWERS[item["type"]])
        for section in template.value["document"]["sections"]
        for item in section["items"]
        if item["type"] in SIMPLE_ANSWERS
    ]
    return template.entity_id, items


async def run(url: str, seconds: float) -> tuple[Outcome, SyncClient]:
    outcome = Outcome()
    puller = await signed_in(url, "central", "puller", "msgpack")
    template_id, items = await template_items(puller)
    stop = asyncio.Event()
    rng = random.Random(2026)

    # Sign every device in first (a sign-in costs a password hash): the clock runs for the pushes only.
    devices = await asyncio.gather(
        *(
            signed_in(
                url,
                ("inspector", "inspector2")[number % 2],
                f"pusher {number}",
                ("json", "msgpack")[number // 2 % 2],
            )
            for number in range(PUSHERS)
        )
    )

    async def push_loop(number: int, device: SyncClient) -> None:
        recorded: dict[uuid.UUID, Op] = {}  # acknowledged ops leave the outbox: keep them here
        async with device:
            while not stop.is_set():
                visit_id = device.record_visit(
                    agency_id=rng.choice(ALGER),
                    template_version_id=template_id,
                    answers={key: {"value": value, "note": None} for key, value in rng.sample(items, 4)},
                    started_at="2026-11-23T09:00:00Z",
                    submit=False,
                )
                finding = uuid.uuid4()
                device.create("finding", finding, {"visit_id": str(visit_id), "severity": "minor"})
                device.set("finding", finding, "description", f"seen by pusher {number}")
                device.submit_visit(visit_id)
                recorded.update((op.op_id, op) for op in device.outbox.ops)
                # Small pushes of uneven sizes: many transactions that interleave on the server.
                while len(device.outbox):
                    report = await device.push(max_ops=rng.randint(2, 5))
                    outcome.pushes += report.requests
                outcome.visits += 1
            assert set(device.results) == set(recorded)
            outcome.acknowledged.extend((recorded[op_id], result) for op_id, result in device.results.items())

    async def pull_loop() -> None:
        while not stop.is_set():
            report = await puller.pull_all(limit=rng.randint(5, 40))
            outcome.pulls += 1
            outcome.pulls_with_changes += bool(report.changes)
            for change in report.changes:
                key = (change.entity, change.entity_id, change.field)
                outcome.seen[key] = max(outcome.seen.get(key, 0), change.version)

    tasks = [asyncio.create_task(push_loop(number, device)) for number, device in enumerate(devices)]
    tasks.append(asyncio.create_task(pull_loop()))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)
    # Everything is committed now: one last pull brings the puller up to date.
    report = await puller.pull_all()
    for change in report.changes:
        key = (change.entity, change.entity_id, change.field)
        outcome.seen[key] = max(outcome.seen.get(key, 0), change.version)
    return outcome, puller


def produced(op: Op, result: OpResult) -> list[tuple[Key, int]]:
    """The fields an acknowledged op wrote, with the version it left each one at (at least)."""
    assert result.outcome == "applied", (op, result)
    assert result.version is not None
    if op.kind == "create":
        return [((op.entity, op.entity_id, name), 1) for name in op.value]
    if op.kind == "submit":
        return [((op.entity, op.entity_id, "status"), result.version)]
    assert op.field is not None
    return [((op.entity, op.entity_id, op.field), result.version)]


async def server_state(database_url: str) -> dict[Key, tuple[int, Any]]:
    """What the server holds in the end for devices' entities, read from its database directly."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(
                    SyncField.entity, SyncField.entity_id, SyncField.field, SyncField.version, SyncField.value
                ).where(SyncField.entity.in_(DEVICE_ENTITIES))  # type: ignore[attr-defined]
            )
            return {(row[0], row[1], row[2] or None): (row[3], row[4]) for row in rows.all()}
    finally:
        await engine.dispose()


async def check_nothing_missed(server: LiveServer, seconds: float) -> Outcome:
    outcome, puller = await run(server.url, seconds)
    try:
        expected: dict[Key, int] = {}
        for op, result in outcome.acknowledged:
            for key, version in produced(op, result):
                expected[key] = max(expected.get(key, 0), version)
        missed = sorted(
            (str(key), version) for key, version in expected.items() if outcome.seen.get(key, 0) < version
        )
        assert missed == [], f"{len(missed)} of {len(expected)} changes never reached the puller"

        final = await server_state(server.database_url)
        copy = {
            key: (change.version, change.value)
            for key, change in puller.state.items()
            if key[0] in DEVICE_ENTITIES
        }
        assert set(expected) <= set(final)
        assert copy == final, "the puller's copy differs from the server's final state"
        # The scenario really ran concurrently: many pushes, pulls that found work mid-flight.
        assert outcome.visits >= PUSHERS and outcome.pushes >= 2 * outcome.visits
        assert outcome.pulls_with_changes >= 3, outcome
        print(  # shown with -s: what the run did
            f"\n{outcome.visits} visits, {outcome.pushes} push requests, {len(expected)} fields, "
            f"{outcome.pulls} pulls ({outcome.pulls_with_changes} with changes), 0 missed"
        )
        return outcome
    finally:
        await puller.close()


@pytest.mark.postgres
async def test_concurrent_pushers_miss_nothing_on_postgresql(postgres_server: LiveServer) -> None:
    await check_nothing_missed(postgres_server, seconds=6)


async def test_concurrent_pushers_miss_nothing_on_sqlite(sqlite_server: LiveServer) -> None:
    await check_nothing_missed(sqlite_server, seconds=2.5)
