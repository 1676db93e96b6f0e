"""Dashboard benchmark: the directors' pages on a national history, through the real server.

Seeds a scratch database with the demo and its history at ``--scale`` (40: about 100,000 visits,
``rasd demo --scale 40``), starts the production server as a subprocess (``rasd serve``, one
worker, as ``make run`` does), signs in as ``director`` (national scope) and requests each
dashboard page ``--requests`` times after a warm-up, for the latest quarter. Prints p50, p95 and
max per page against the target (p95 ≤ 150 ms), next to a raw-database baseline measured in the
same run: the main aggregate of the national page (visits of the quarter by body: count, mean score,
processing delays, satisfaction) run directly through SQLAlchemy, timed the same way.

    python bench/dashboard_bench.py [--db sqlite|postgres] [--scale 40] [--requests 30]
    python bench/dashboard_bench.py --keep /tmp/rasd-bench40.db      # seed once, keep the file
    python bench/dashboard_bench.py --reuse /tmp/rasd-bench40.db --pages actions,visits
    python bench/dashboard_bench.py --db postgres --keep rasd_bench40   # keep a PostgreSQL database
    python bench/dashboard_bench.py --db postgres --reuse rasd_bench40

PostgreSQL is the server named by ``RASD_TEST_PG_URL`` (default postgresql://postgres@127.0.0.1:5432);
a scratch database ``rasd_bench_<pid>`` is created and dropped, unless ``--keep NAME`` names the
database to seed and leave behind, or ``--reuse NAME`` one seeded before (then nothing is written).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select, text
from sqlmodel import col

# The database set-up lives beside this file (bench/dashboard_data.py): the repository on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.db.engine import Database, make_database
from backend.db.tables import Agency, Body, EvaluationCycle, Visit
from backend.demo.seed import agency_uuid
from backend.settings import REPO_ROOT
from bench.dashboard_data import PASSWORD, database_url, latest_quarter, prepare

TARGET_P95_MS = 150.0
RASD = REPO_ROOT / ".venv" / "bin" / "rasd"


def pages(agency_id: uuid.UUID) -> dict[str, tuple[str, str]]:
    """The pages measured: short name (for ``--pages``) → (label, path)."""
    paths = {
        "national": "/dashboard",
        "body": "/dashboard/body/CNAS",
        "wilaya": "/dashboard/wilaya/16",
        "agency": f"/dashboard/agency/{agency_id}",
        "visits": "/dashboard/visits",
        "actions": "/dashboard/actions",
        "evaluations": "/dashboard/evaluations",
    }
    return {name: (path.replace(str(agency_id), "<CNAS-16>"), path) for name, path in paths.items()}


PAGE_NAMES = tuple(pages(uuid.UUID(int=0)))


# -- server ----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def live_server(url: str, directory: Path) -> Iterator[str]:
    """``rasd serve`` on a free port, its log in ``directory``; stopped (only this process) after."""
    port = free_port()
    env = {
        **os.environ,
        "RASD_DATA_DIR": str(directory / "var"),
        "RASD_DATABASE_URL": url,
        "RASD_SECRET_KEY": uuid.uuid4().hex,
        "RASD_SCHEDULER": "off",  # no background rules competing with the measured requests
        "RASD_WORKERS": "1",
    }
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen(
        [str(RASD), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {(directory / 'server.log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("the server did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# -- measures ----------------------------------------------------------------------------------------
@dataclass
class Timing:
    label: str
    status: int
    seconds: list[float]
    size: int = 0


def percentile(values: Sequence[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def time_calls(
    call: Callable[[], Awaitable[object]],
    warmup: int,
    count: int,
    before: Callable[[], Awaitable[object]] | None = None,
) -> list[float]:
    for _ in range(warmup):
        await call()
    seconds = []
    for _ in range(count):
        if before is not None:  # untimed: e.g. make the next request miss the dashboard's cache
            await before()
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return seconds


async def move_clock(db: Database) -> None:
    """What any push or server write does to the feed's clock: the dashboard's cached sums are dropped."""
    async with db.write() as session, session.begin():
        await session.execute(text("UPDATE sync_clock SET last_change = last_change + 1 WHERE id = 1"))


async def time_page(
    client: httpx.AsyncClient,
    label: str,
    path: str,
    args: argparse.Namespace,
    before: Callable[[], Awaitable[object]] | None = None,
) -> Timing:
    first = await client.get(path)
    if first.status_code != 200:  # missing (404) or broken: reported, not timed
        return Timing(label, first.status_code, [])
    size = len(first.content)

    async def call() -> None:
        response = await client.get(path)
        response.raise_for_status()

    return Timing(label, 200, await time_calls(call, args.warmup, args.requests, before), size)


async def raw_baseline(db: Database, quarter: EvaluationCycle, args: argparse.Namespace) -> Timing:
    """The national page's main aggregate, straight through SQLAlchemy: visits of the quarter by body."""
    query = (
        select(
            col(Body.code),
            func.count(col(Visit.id)),
            func.avg(col(Visit.score_pct)),
            func.sum(col(Visit.delay_days_sum)),
            func.sum(col(Visit.delay_samples)),
            func.sum(col(Visit.satisfaction_sum)),
            func.sum(col(Visit.satisfaction_count)),
        )
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(
            col(Visit.visit_day) >= quarter.starts_on,
            col(Visit.visit_day) <= quarter.ends_on,
            col(Visit.status).in_(("submitted", "approved")),
        )
        .group_by(col(Body.code))
    )

    async def call() -> None:
        async with db.read() as session:
            (await session.execute(query)).all()

    return Timing(
        "raw: visits of the quarter by body", 200, await time_calls(call, args.warmup, args.requests)
    )


async def sign_in(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    response = await client.post("/api/auth/login", json={"username": "director", "password": PASSWORD})
    response.raise_for_status()


# -- report ------------------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def report(timings: list[Timing], baseline: Timing) -> int:
    """Print the table; return how many pages are missing or miss the target."""
    print(f"{'page':50} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95 ≤ {TARGET_P95_MS:.0f} ms")
    failures = 0
    for timing in [*timings, baseline]:
        if not timing.seconds:
            failures += 1
            what = (
                "MISSING (404: not built yet)"
                if timing.status == 404
                else f"FAILED with HTTP {timing.status}"
            )
            print(f"{timing.label:50} {'!!! ' + what}")
            continue
        p95 = percentile(timing.seconds, 0.95)
        verdict = "" if timing is baseline else ("ok" if p95 * 1000 <= TARGET_P95_MS else "OVER TARGET")
        failures += verdict == "OVER TARGET"
        print(
            f"{timing.label:50} {ms(percentile(timing.seconds, 0.5)):>8} {ms(p95):>8} "
            f"{ms(max(timing.seconds)):>8}  {verdict}"
        )
    return failures


async def main(args: argparse.Namespace) -> int:
    load = os.getloadavg()[0]
    chosen = [pages(agency_uuid("CNAS-16"))[name] for name in args.pages]
    with tempfile.TemporaryDirectory(prefix="rasd-dashboard-bench-") as tmp:
        async with database_url(args, Path(tmp)) as url:
            db = make_database(url)
            try:
                if not args.reuse:
                    started = time.perf_counter()
                    await prepare(db, args.scale)
                    print(f"seeded scale {args.scale} on {args.db} in {time.perf_counter() - started:.0f} s")
                quarter = await latest_quarter(db)
                async with db.read() as session:
                    visits = (await session.execute(select(func.count()).select_from(Visit))).scalar_one()
                print(f"{visits:,} visits on {args.db}" + (f" (reused {args.reuse})" if args.reuse else ""))
                suffix = f"?cycle={quarter.code}"
                with live_server(url, Path(tmp)) as base:
                    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                        await sign_in(client)
                        cold = (lambda: move_clock(db)) if args.cold else None
                        timings = [
                            await time_page(client, label + suffix, path + suffix, args, cold)
                            for label, path in chosen
                        ]
                baseline = await raw_baseline(db, quarter, args)
            finally:
                await db.dispose()
    print(
        f"Rasd dashboard benchmark: {args.db}, {visits:,} visits, cycle {quarter.code}, director (national), "
        f"{args.requests} requests per page after {args.warmup} warm-up, one after another, live server"
        + (", cold: the cache dropped before each request" if args.cold else "")
    )
    failures = report(timings, baseline)
    print(f"load average at start: {load:.2f} (other work on the machine skews every figure)")
    return 1 if failures else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=int, default=40, help="visits per agency and quarter (40: ~100k)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="before each timed request, move the sync clock (as any write does): no cached sums are reused",
    )
    seeded = parser.add_mutually_exclusive_group()
    seeded.add_argument(
        "--keep", metavar="PATH|NAME", help="seed into this SQLite file / PostgreSQL database and keep it"
    )
    seeded.add_argument(
        "--reuse", metavar="PATH|NAME", help="measure a database seeded before with --keep (no seeding)"
    )
    parser.add_argument(
        "--pages",
        type=_page_names,
        default=PAGE_NAMES,
        help=f"comma-separated pages to time (default all): {','.join(PAGE_NAMES)}",
    )
    return parser.parse_args(argv)


def _page_names(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in PAGE_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown page {unknown or value!r}; choose from {', '.join(PAGE_NAMES)}"
        )
    return names


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
