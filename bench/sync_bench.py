"""Sync benchmark: simulated devices push visits through the real HTTP server, then a device pulls.

The app is the production one (``create_app``) served by uvicorn in a background thread of this
process, so that a SQLAlchemy ``before_cursor_execute`` listener on its engine counts the SQL
statements each push costs. The devices are :class:`sync.client.SyncClient` instances on this
process's event loop: they share one interpreter (and its GIL) with the server, so the figures are a
floor for what a server process of its own does.

In the same run, on the same database, the raw ceiling: the same answer rows upserted directly with
SQLAlchemy core (one ``INSERT … ON CONFLICT DO UPDATE … WHERE`` per visit, no HTTP, no merge, no op
log) by as many concurrent writers, and our throughput as a share of it.

    python bench/sync_bench.py [--db sqlite|postgres] [--devices 8] [--visits 5] [--answers 250]

PostgreSQL is the server named by ``RASD_TEST_PG_URL``; a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import logging
import os
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
from sqlalchemy import JSON, BigInteger, Column, Integer, MetaData, String, Table, Uuid, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend.app import create_app
from backend.db.engine import Database, make_database
from backend.db.migrate import upgrade_async
from backend.demo.seed import TEMPLATES_DIR, agency_uuid, seed_demo
from backend.settings import Settings, sqlite_url
from backend.sync_server.feed import publish_template
from sync.client import SyncClient

PASSWORD = "rasd-demo"  # noqa: S105 - the documented public demo password
PG_ENV = "RASD_TEST_PG_URL"
ITEMS_PER_SECTION = 25
# Item types whose answers are plain values, cycled through the generated template.
ANSWER_VALUES: dict[str, Any] = {"yes_no": "yes", "rating": 4, "number": 12, "text": "RAS, accueil correct."}
AGENCIES = [agency_uuid(f"{body}-16") for body in ("CNAS", "CASNOS", "CNR", "CNAC", "ANEM", "CACOBATPH")]


# -- set-up ------------------------------------------------------------------------------------------
def big_template(answers: int) -> dict[str, Any]:
    """A valid template of ``answers`` items, made from the demo template's simple items."""
    demo = json.loads((TEMPLATES_DIR / "quality_public_service.json").read_text(encoding="utf-8"))
    prototypes: dict[str, dict[str, Any]] = {}
    for section in demo["sections"]:
        for item in section["items"]:
            if item["type"] in ANSWER_VALUES and item["type"] not in prototypes:
                kept = {k: v for k, v in item.items() if k not in ("relevant", "finding_on", "guidance")}
                prototypes[item["type"]] = kept
    kinds = list(ANSWER_VALUES)
    sections = []
    for start in range(0, answers, ITEMS_PER_SECTION):
        items = []
        for number in range(start, min(answers, start + ITEMS_PER_SECTION)):
            item = copy.deepcopy(prototypes[kinds[number % len(kinds)]])
            item["key"] = f"q{number:04d}"
            items.append(item)
        title = dict.fromkeys(("ar", "fr", "en"), f"Section {start // ITEMS_PER_SECTION + 1}")
        sections.append(
            {"key": f"s{start // ITEMS_PER_SECTION:03d}", "title": title, "weight": 1, "items": items}
        )
    return {"key": f"bench_{answers}", "version": 1, "title": demo["title"], "sections": sections}


def answers_of(template: dict[str, Any]) -> dict[str, Any]:
    """One answer (``{value, note}``) per item of the template; every tenth carries a note."""
    answers = {}
    for number, item in enumerate(i for s in template["sections"] for i in s["items"]):
        note = f"Observation {number}: vérifié sur place." if number % 10 == 0 else None
        answers[item["key"]] = {"value": ANSWER_VALUES[item["type"]], "note": note}
    return answers


@contextlib.asynccontextmanager
async def scratch_database(kind: str, directory: Path) -> AsyncIterator[str]:
    """A fresh database URL: a SQLite file under ``directory``, or a PostgreSQL database dropped after."""
    if kind == "sqlite":
        yield sqlite_url(directory / "rasd.db")
        return
    server = os.environ.get(PG_ENV)
    if not server:
        raise SystemExit(f"--db postgres needs {PG_ENV}, e.g. postgresql://postgres@127.0.0.1:5432/test")
    dsn = "postgresql://" + server.split("://", 1)[1]
    name = f"rasd_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield "postgresql+asyncpg://" + dsn.split("://", 1)[1].rsplit("/", 1)[0] + f"/{name}"
    finally:
        conn = await asyncpg.connect(dsn, timeout=5)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def prepare(url: str, template: dict[str, Any]) -> uuid.UUID:
    """Migrate, seed the demo (users, agencies) and publish the big template; return its version id."""
    db = make_database(url)
    try:
        await upgrade_async(db.engine)
        await seed_demo(db, password=PASSWORD)
        return await publish_template(db, template)
    finally:
        await db.dispose()


class ServerThread:
    """uvicorn serving ``app`` on a free port from a background thread of this process."""

    def __init__(self, app: Any) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self.thread.join, 15)


class StatementCounter:
    """Counts the SQL statements an engine sends (it runs in the server's thread; reads happen after)."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


# -- the measured phases -----------------------------------------------------------------------------
@dataclass
class PushPhase:
    seconds: float = 0.0
    visits: int = 0
    ops: int = 0
    statements: int = 0
    latencies: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


async def push_phase(
    devices: Sequence[SyncClient],
    visits: int,
    template_id: uuid.UUID,
    answers: dict[str, Any],
    sql: StatementCounter,
) -> PushPhase:
    """Every device records its visits (untimed), then all push at once, one visit per request."""
    phase = PushPhase()
    per_visit = len(answers) + 2  # create, the answers, submit
    for number, device in enumerate(devices):
        for visit in range(visits):
            device.record_visit(
                agency_id=AGENCIES[(number + visit) % len(AGENCIES)],
                template_version_id=template_id,
                answers=answers,
                started_at="2026-11-23T09:00:00Z",
            )
    phase.ops = sum(len(device.outbox) for device in devices)
    phase.visits = len(devices) * visits

    async def push(device: SyncClient) -> None:
        report = await device.push(max_ops=min(per_visit, 1000))
        phase.latencies.extend(report.seconds)
        for result in report.results:
            phase.outcomes[result.outcome] = phase.outcomes.get(result.outcome, 0) + 1

    before = sql.count
    started = time.perf_counter()
    await asyncio.gather(*(push(device) for device in devices))
    phase.seconds = time.perf_counter() - started
    phase.statements = sql.count - before
    return phase


@dataclass
class PullPhase:
    seconds: float = 0.0
    changes: int = 0
    pages: int = 0
    statements: int = 0
    latencies: list[float] = field(default_factory=list)


async def pull_pages(device: SyncClient, limit: int, phase: PullPhase) -> None:
    """Pull until the device is up to date, timing each page."""
    while True:
        started = time.perf_counter()
        page = await device.pull(limit)
        phase.latencies.append(time.perf_counter() - started)
        phase.pages += 1
        phase.changes += len(page.changes)
        if not page.more:
            return


async def pull_phase(devices: Sequence[SyncClient], limit: int, sql: StatementCounter) -> PullPhase:
    """Every device pulls at once until it is up to date (the visits of all, as they share a wilaya)."""
    phase = PullPhase()
    before = sql.count
    started = time.perf_counter()
    await asyncio.gather(*(pull_pages(device, limit, phase) for device in devices))
    phase.seconds = time.perf_counter() - started
    phase.statements = sql.count - before
    return phase


async def raw_ceiling(url: str, devices: int, visits: int, answers: dict[str, Any]) -> float:
    """The same answer rows upserted straight into a scratch table: one transaction per visit, as
    many concurrent writers as devices. Returns the wall time."""
    db = make_database(url)
    table = Table(
        "bench_raw_answer",
        MetaData(),
        Column("visit_id", Uuid, primary_key=True),
        Column("item_key", String(80), primary_key=True),
        Column("value", JSON),
        Column("version", Integer, nullable=False),
        Column("hlc", String(64), nullable=False),
        Column("author_id", Uuid),
        Column("change_no", BigInteger, nullable=False),
    )
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    # One statement compiled once, run with a list of rows: SQLAlchemy batches them into multi-row
    # VALUES ("insertmanyvalues") within the driver's limits. Building ``.values(rows)`` instead
    # would compile a new statement for every batch, which costs more than the database does.
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["visit_id", "item_key"],
        set_={name: statement.excluded[name] for name in ("value", "version", "hlc", "change_no")},
        where=statement.excluded.hlc > table.c.hlc,
    )
    author = uuid.uuid4()
    async with db.engine.begin() as conn:
        await conn.run_sync(table.create)

    async def writer(device: int) -> None:
        for visit in range(visits):
            visit_id = uuid.uuid4()
            hlc = f"{int(time.time() * 1000):013d}-{visit:04d}-{author}"
            rows = [
                {
                    "visit_id": visit_id,
                    "item_key": key,
                    "value": answer,
                    "version": 1,
                    "hlc": hlc,
                    "author_id": author,
                    "change_no": device * 1_000_000 + visit * 10_000 + index,
                }
                for index, (key, answer) in enumerate(answers.items())
            ]
            async with db.write() as session, session.begin():
                await session.execute(statement, rows)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(writer(device) for device in range(devices)))
        return time.perf_counter() - started
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(table.drop)
        await db.dispose()


# -- report ------------------------------------------------------------------------------------------
def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def report(
    args: argparse.Namespace,
    push: PushPhase,
    snapshot: PullPhase,
    catch_up: PullPhase,
    raw_seconds: float,
    setup_seconds: float,
) -> None:
    per_visit = args.answers + 2
    requests = len(push.latencies)
    print(
        f"Rasd sync benchmark: {args.db}, {args.devices} devices × {args.visits} visits × "
        f"{args.answers} answers ({per_visit} ops per visit), {args.encoding}; set-up {setup_seconds:.1f} s"
    )
    print(
        f"push   {push.visits} visits, {push.ops:,} ops in {push.seconds:.2f} s: "
        f"{push.visits / push.seconds:,.1f} visits/s, {push.ops / push.seconds:,.0f} ops/s"
    )
    print(
        f"       latency per push request ({requests}): p50 {ms(percentile(push.latencies, 0.50))}, "
        f"p95 {ms(percentile(push.latencies, 0.95))}, p99 {ms(percentile(push.latencies, 0.99))}"
    )
    print(
        f"       SQL statements: {push.statements / max(1, requests):.1f} per push request "
        f"({push.statements:,} in all, {push.statements / max(1, push.ops):.3f} per op)"
    )
    print(f"       outcomes: {', '.join(f'{k} {v:,}' for k, v in sorted(push.outcomes.items()))}")
    for label, pull in (
        ("pull   snapshot, 1 new device (national):", snapshot),
        ("       catch-up,", catch_up),
    ):
        devices = "" if pull is snapshot else f" {args.devices} devices at once:"
        print(
            f"{label}{devices} {pull.changes:,} changes in {pull.pages} pages of ≤{args.pull_limit}, "
            f"{pull.seconds:.2f} s ({pull.changes / pull.seconds:,.0f} changes/s)"
        )
        print(
            f"         page latency p50 {ms(percentile(pull.latencies, 0.50))}, "
            f"p95 {ms(percentile(pull.latencies, 0.95))}, max {ms(max(pull.latencies))}; "
            f"SQL statements: {pull.statements / pull.pages:.1f} per page"
        )
    raw_rows = push.visits * args.answers
    print(
        f"raw    the {raw_rows:,} answer rows upserted with SQLAlchemy core, {args.devices} writers, one "
        f"transaction per visit (no HTTP, no merge, no op log): {raw_seconds:.2f} s, "
        f"{push.visits / raw_seconds:,.1f} visits/s, {raw_rows / raw_seconds:,.0f} rows/s"
    )
    print(f"ratio  ours / raw ceiling (visits/s): {raw_seconds / push.seconds:.1%}")


def quiet_logs() -> None:
    """No access log line per request, nor httpx's line per request (Alembic's set-up turns it on)."""
    for name in ("rasd", "httpx", "httpcore", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def main(args: argparse.Namespace) -> None:
    load = os.getloadavg()[0]  # other work on the machine skews every figure: say how busy it was
    template = big_template(args.answers)
    answers = answers_of(template)
    with tempfile.TemporaryDirectory(prefix="rasd-bench-") as tmp:
        async with scratch_database(args.db, Path(tmp)) as url:
            started = time.perf_counter()
            template_id = await prepare(url, template)
            settings = Settings(
                data_dir=Path(tmp) / "var", database_url=url, secret_key=uuid.uuid4().hex, log_json=True
            )
            app = create_app(settings)
            quiet_logs()
            sql = StatementCounter(app.state.db)
            async with ServerThread(app) as server:
                devices = [
                    SyncClient(
                        server.url,
                        ("inspector", "inspector2")[number % 2],
                        PASSWORD,
                        encoding=args.encoding,
                        device_label=f"bench device {number}",
                    )
                    for number in range(args.devices)
                ]
                try:
                    for device in devices:  # sign in one by one: a password hash each, not measured
                        await device.login()
                    setup_seconds = time.perf_counter() - started
                    push = await push_phase(devices, args.visits, template_id, answers, sql)
                    # A new device of the reviewer (national scope) takes a snapshot of everything …
                    async with SyncClient(server.url, "central", PASSWORD, encoding=args.encoding) as central:
                        await central.login()
                        snapshot = await pull_phase([central], args.pull_limit, sql)
                    # … then every inspector's device catches up at once.
                    catch_up = await pull_phase(devices, args.pull_limit, sql)
                finally:
                    await asyncio.gather(*(device.close() for device in devices))
            raw_seconds = await raw_ceiling(url, args.devices, args.visits, answers)
    if push.outcomes.get("rejected"):
        print(f"warning: {push.outcomes['rejected']} ops were rejected; the figures are not meaningful")
    report(args, push, snapshot, catch_up, raw_seconds, setup_seconds)
    now = os.getloadavg()[0]
    print(f"load   1-minute load average {load:.2f} at start, {now:.2f} at the end, {os.cpu_count()} CPUs")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--visits", type=int, default=5, help="visits per device")
    parser.add_argument("--answers", type=int, default=250, help="answers per visit (template items)")
    parser.add_argument("--encoding", choices=("json", "msgpack"), default="json")
    parser.add_argument("--pull-limit", type=int, default=1000, help="changes per pull page")
    args = parser.parse_args(argv)
    if min(args.devices, args.visits, args.answers) < 1:
        parser.error("--devices, --visits and --answers are at least 1")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
