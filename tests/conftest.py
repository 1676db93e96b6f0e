"""Fixtures shared by every test: settings, real databases, the app and its clients."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from litestar import Litestar

from backend.app import create_app
from backend.db.engine import Database, make_database
from backend.demo.seed import seed_demo
from backend.settings import Settings
from tests.support.clients import DEMO_PASSWORD
from tests.support.databases import PG_ENV, REQUIRE_ENV, PostgresDatabase, SqliteTemplate, skip_or_fail

# Markers whose tests must really run where every suite is required (make test, CI).
REQUIRED_MARKERS = ("postgres", "browser")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    server = os.environ.get(PG_ENV)
    if not server:
        skip_or_fail(f"{PG_ENV} is not set")
        raise AssertionError("unreachable")
    database = PostgresDatabase(server)
    try:
        database.create()
    except (OSError, Exception) as exc:  # the server is down or refuses us
        skip_or_fail(f"PostgreSQL at {server} is not usable: {exc}")
    yield database
    database.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: SqliteTemplate
) -> str:
    """A migrated, empty database: a SQLite file of its own, or the session's PostgreSQL, emptied."""
    if request.param == "sqlite":
        return sqlite_template.copy_to(tmp_path)
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    await database.truncate()
    return database.url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        demo_password=DEMO_PASSWORD,
        log_json=True,
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = make_database(settings.database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def seeded(db: Database) -> Database:
    """The demo network and users."""
    assert await seed_demo(db, password=DEMO_PASSWORD)
    return db


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    application = create_app(settings)
    yield application
    await application.state.db.dispose()


@pytest.fixture
def make_client(app: Litestar, seeded: Database) -> Callable[[], AsyncClient]:
    """A factory of independent browsers (each its own cookie jar), all on the test's event loop.

    ``httpx.ASGITransport`` runs the app in this loop; Litestar's test client would run each client on
    a loop of its own, which asyncpg's pooled connections cannot cross.
    """

    def factory() -> AsyncClient:
        return AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver.local")

    return factory


@pytest.fixture
async def client(make_client: Callable[[], AsyncClient]) -> AsyncIterator[AsyncClient]:
    async with make_client() as browser:
        yield browser


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Where every suite is required, a marker whose tests were selected but none passed fails the run."""
    if os.environ.get(REQUIRE_ENV) != "1" or exitstatus not in (0, 5):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    passed = reporter.stats.get("passed", [])
    selected = dict.fromkeys(REQUIRED_MARKERS, 0)
    ran = dict.fromkeys(REQUIRED_MARKERS, 0)
    for item in session.items:
        for marker in REQUIRED_MARKERS:
            if item.get_closest_marker(marker):
                selected[marker] += 1
    for report in passed:
        for marker in REQUIRED_MARKERS:
            if marker in report.keywords:
                ran[marker] += 1
    missing = [m for m in REQUIRED_MARKERS if selected[m] and not ran[m]]
    if missing:
        reporter.write_line(
            f"FAILED: the {', '.join(missing)} suite(s) were selected but no test passed", red=True
        )
        session.exitstatus = 1
