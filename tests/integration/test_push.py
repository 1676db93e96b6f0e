"""Web Push end to end, against a push service on 127.0.0.1 that checks what FCM or autopush would.

The test plays the browser: it makes the subscription's P-256 key pair and auth secret, registers
the subscription through the API, and decrypts what the push service received (RFC 8291,
aes128gcm) after checking the VAPID signature with the server's public key (RFC 8292).
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from httpx import AsyncClient
from litestar import Litestar
from sqlalchemy import select, text, update
from sqlmodel import col

from backend.app import create_app
from backend.db.engine import Database, make_database
from backend.db.migrate import alembic_config
from backend.db.tables import Assignment, ChecklistTemplate, Notification, PushSubscription, User
from backend.demo.seed import agency_uuid, seed_demo
from backend.notifications.delivery import Outcome
from backend.notifications.scheduler import STATE_KEY, Notifications, notifications_of, run_rules, run_worker
from backend.notifications.vapid import KEY_FILE, load_vapid_keys
from backend.settings import Settings
from tests.support.clients import sign_in
from tests.support.push_service import Browser, FakePushService, unb64url, verify_vapid

ALGIERS = ZoneInfo("Africa/Algiers")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The push service is a fake on 127.0.0.1 over http; retries are fast; no minute loop."""
    return replace(
        settings,
        push_allow_local_http=True,
        scheduler=False,
        push_retry_base_seconds=0.05,
        push_max_attempts=4,
        push_timeout_seconds=5,
    )


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    service = FakePushService().start()
    yield service
    service.stop()


@pytest.fixture
async def running(app: Litestar, seeded: Database) -> AsyncIterator[Notifications]:
    """The app as a server runs it: its lifespan started (the dispatcher delivers)."""
    async with lifespan_of(app):
        yield notifications_of(app.state)


@asynccontextmanager
async def lifespan_of(app: Litestar) -> AsyncIterator[None]:
    """``app.lifespan()`` in a task of its own, as a server holds it: a fixture's setup and teardown
    run in different tasks, and the lifespan's cancel scope must be left from the task that entered it."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiting = asyncio.create_task(started.wait())
    await asyncio.wait([task, waiting], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiting.cancel()
        task.result()  # the lifespan failed to start: raise its error
    try:
        yield
    finally:
        stop.set()
        await task


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def subscribe(client: AsyncClient, browser: Browser) -> dict[str, Any]:
    response = await client.post("/api/push/subscriptions", json=browser.subscription())
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def notification(db: Database, notification_id: uuid.UUID | str) -> Notification:
    async with db.read() as session:
        row = await session.get(Notification, uuid.UUID(str(notification_id)))
    assert row is not None
    return row


async def subscription_rows(db: Database) -> list[PushSubscription]:
    async with db.read() as session:
        return list((await session.execute(select(PushSubscription))).scalars())


async def user_id(db: Database, username: str) -> uuid.UUID:
    async with db.read() as session:
        return (
            await session.execute(select(col(User.id)).where(col(User.username) == username))
        ).scalar_one()


async def plan_visit(db: Database, username: str, due_on: date, agency: str = "CNAS-16") -> uuid.UUID:
    """An assignment for ``username``, as a schedule would make it."""
    assignee = await user_id(db, username)
    async with db.write() as session, session.begin():
        template_id = (await session.execute(select(col(ChecklistTemplate.id)))).scalars().first()
        assert template_id is not None
        assignment = Assignment(
            template_id=template_id,
            agency_id=agency_uuid(agency),
            assignee_id=assignee,
            occurs_on=due_on - timedelta(days=14),
            due_on=due_on,
        )
        session.add(assignment)
    return assignment.id


def today_in_algiers(now: datetime) -> date:
    return now.astimezone(ALGIERS).date()


async def test_the_vapid_key_is_made_once_kept_private_and_served(
    client: AsyncClient, settings: Settings
) -> None:
    await sign_in(client, "inspector")
    response = await client.get("/api/push/vapid-public-key")
    assert response.status_code == 200
    key = response.json()["key"]
    point = unb64url(key)
    assert len(point) == 65 and point[0] == 4 and "=" not in key  # uncompressed P-256, unpadded
    path = settings.data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_vapid_keys(settings).public_key == key  # a second process reads the same key
    assert (await client.get("/api/push/vapid-public-key")).json()["key"] == key

    given = ec.generate_private_key(ec.SECP256R1())
    pem = given.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    from_env = load_vapid_keys(replace(settings, vapid_private_key=pem.replace("\n", "\\n")))
    public = given.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert unb64url(from_env.public_key) == public


async def test_a_test_push_reaches_the_browser_signed_encrypted_and_in_its_language(
    make_client: Callable[[], AsyncClient],
    running: Notifications,
    push_service: FakePushService,
    settings: Settings,
) -> None:
    browser = Browser(push_service.endpoint("phone-fr"))
    async with make_client() as client:
        await sign_in(client, "inspector2")  # French
        await subscribe(client, browser)
        response = await client.post("/api/push/test")
        assert response.status_code == 202, response.text
        assert response.json()["subscriptions"] == 1
        notification_id = response.json()["notification_id"]

        [push] = await push_service.wait_for("phone-fr")
        claims = verify_vapid(push, running.keys.public_key, audience=push_service.origin)
        assert claims["sub"] == settings.vapid_subject
        assert push.headers["ttl"] == str(settings.push_ttl_seconds)
        assert push.headers["urgency"] == "normal"
        assert browser.decrypt(push) == {
            "title": "Notification de test de Rasd",
            "body": "Les notifications fonctionnent sur cet appareil.",
            "url": "/",
            "kind": "test",
            "id": notification_id,
        }

        async def sent() -> bool:
            return (await notification(running.db, notification_id)).sent_at is not None

        await eventually(sent)
        row = await notification(running.db, notification_id)
        assert row.attempts == 1 and row.next_attempt_at is None
        [subscription] = await subscription_rows(running.db)
        assert subscription.last_ok_at is not None and subscription.failures == 0

        listed = (await client.get("/api/notifications")).json()
        assert [item["id"] for item in listed["items"]] == [notification_id]
        assert listed["items"][0]["title"] == "Notification de test de Rasd"


async def test_reminders_are_pushed_once_each_in_the_language_of_each_user(
    app: Litestar, seeded: Database, make_client: Callable[[], AsyncClient], push_service: FakePushService
) -> None:
    now = datetime.now(UTC)
    app.state[STATE_KEY] = Notifications(app.state["db"], app.state["settings"], clock=lambda: now)
    due_on = today_in_algiers(now) + timedelta(days=1)
    arabic, french = Browser(push_service.endpoint("ar")), Browser(push_service.endpoint("fr"))
    async with lifespan_of(app), make_client() as inspector, make_client() as inspector2:
        await sign_in(inspector, "inspector")
        await sign_in(inspector2, "inspector2")
        await subscribe(inspector, arabic)
        await subscribe(inspector2, french)
        first = await plan_visit(seeded, "inspector", due_on)
        second = await plan_visit(seeded, "inspector2", due_on)
        notifications = notifications_of(app.state)

        created = await notifications.tick()

        keys = {(await notification(seeded, i)).dedupe_key for i in created}
        assert keys == {f"{first}:{due_on.isoformat()}", f"{second}:{due_on.isoformat()}"}
        [to_arabic] = await push_service.wait_for("ar")
        [to_french] = await push_service.wait_for("fr")
        ar, fr = arabic.decrypt(to_arabic), french.decrypt(to_french)
        assert (ar["title"], ar["kind"], ar["url"]) == ("زيارة قريبة الموعد", "visit_due", "/#/")
        assert ar["body"].startswith("زيارة ") and due_on.isoformat() in ar["body"]
        assert (fr["title"], fr["kind"]) == ("Visite à faire bientôt", "visit_due")
        assert fr["body"].startswith("La visite de ") and due_on.isoformat() in fr["body"]

        # Every minute the rules run again: nothing new is stored, nothing is pushed again.
        assert await notifications.tick() == []
        await asyncio.sleep(0.2)
        assert len(push_service.received) == 2


async def test_switched_off_kinds_are_not_notified(
    seeded: Database, make_client: Callable[[], AsyncClient], settings: Settings
) -> None:
    now = datetime.now(UTC)
    async with make_client() as client:
        await sign_in(client, "inspector")
        assert (await client.get("/api/notifications/preferences")).json()["off"] == []
        response = await client.patch(
            "/api/notifications/preferences", json={"off": ["visit_due", "visit_due"]}
        )
        assert response.status_code == 200
        assert response.json()["off"] == ["visit_due"]
        assert "device_unsynced" in response.json()["kinds"]
    await plan_visit(seeded, "inspector", today_in_algiers(now) + timedelta(days=1))
    overdue = await plan_visit(seeded, "inspector", today_in_algiers(now) - timedelta(days=1))
    notifications = Notifications(seeded, settings, clock=lambda: now)
    created = await run_rules(seeded, notifications.policy, lambda: now)
    assert [(await notification(seeded, i)).kind for i in created] == ["visit_overdue"]
    assert (await notification(seeded, created[0])).dedupe_key.startswith(str(overdue))


async def test_concurrent_runners_store_and_push_every_notification_once(
    seeded: Database,
    make_client: Callable[[], AsyncClient],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    now = datetime.now(UTC)
    browser = Browser(push_service.endpoint("shared"))
    async with make_client() as client:
        await sign_in(client, "inspector")
        await subscribe(client, browser)
    for days in (0, 1, 2):
        await plan_visit(seeded, "inspector", today_in_algiers(now) + timedelta(days=days))
    first, second = make_database(settings.database_url), make_database(settings.database_url)
    a = Notifications(first, settings, clock=lambda: now)
    b = Notifications(second, settings, clock=lambda: now)
    try:
        async with a.running(scheduler=False), b.running(scheduler=False):
            mine, theirs = await asyncio.gather(a.tick(), b.tick())
            assert not set(mine) & set(theirs)
            assert len(mine) + len(theirs) == 3
            await push_service.wait_for("shared", 3)
            await asyncio.sleep(0.3)  # any second push would have arrived by now
            assert len(push_service.to("shared")) == 3
            ids = {browser.decrypt(push)["id"] for push in push_service.to("shared")}
            assert ids == {str(i) for i in [*mine, *theirs]}

            # Two runners claiming the very same attempt: one sends, the other finds it taken.
            target = [*mine, *theirs][0]
            async with second.write() as session, session.begin():
                await session.execute(
                    update(Notification)
                    .where(col(Notification.id) == target)
                    .values(sent_at=None, next_attempt_at=now)
                )
            outcomes = await asyncio.gather(a.dispatcher.deliver(target), b.dispatcher.deliver(target))
            assert sorted(outcomes, key=str) == sorted([Outcome.DELIVERED, None], key=str)
            assert len(push_service.to("shared")) == 4
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_gone_subscription_is_deleted(
    make_client: Callable[[], AsyncClient], running: Notifications, push_service: FakePushService
) -> None:
    push_service.answer("gone", 410)
    async with make_client() as client:
        await sign_in(client, "inspector")
        await subscribe(client, Browser(push_service.endpoint("gone")))
        notification_id = (await client.post("/api/push/test")).json()["notification_id"]
        await push_service.wait_for("gone")

        async def deleted() -> bool:
            return await subscription_rows(running.db) == []

        await eventually(deleted)
        row = await notification(running.db, notification_id)
        assert row.sent_at is None and row.next_attempt_at is None
        assert (await client.post("/api/push/test")).json()["code"] == "no_push_subscription"


async def test_failures_are_retried_with_backoff_then_given_up(
    make_client: Callable[[], AsyncClient], running: Notifications, push_service: FakePushService
) -> None:
    flaky, down = Browser(push_service.endpoint("flaky")), Browser(push_service.endpoint("down"))
    push_service.answer("flaky", 500, 503)
    push_service.answer("down", *[503] * 10)
    async with make_client() as inspector, make_client() as inspector2:
        await sign_in(inspector, "inspector")
        await sign_in(inspector2, "inspector2")
        await subscribe(inspector, flaky)
        await subscribe(inspector2, down)
        delivered = (await inspector.post("/api/push/test")).json()["notification_id"]
        given_up = (await inspector2.post("/api/push/test")).json()["notification_id"]

        pushes = await push_service.wait_for("flaky", 3)
        # Backoff: 0.05 s, then 0.1 s (push_retry_base_seconds doubled per attempt).
        assert pushes[1].at - pushes[0].at >= 0.05
        assert pushes[2].at - pushes[1].at >= 0.1
        assert flaky.decrypt(pushes[2])["id"] == delivered  # each attempt is encrypted afresh

        async def settled() -> bool:
            rows = [await notification(running.db, i) for i in (delivered, given_up)]
            return rows[0].sent_at is not None and rows[1].next_attempt_at is None

        await eventually(settled)
        ok, failed = await notification(running.db, delivered), await notification(running.db, given_up)
        assert ok.attempts == 3 and ok.next_attempt_at is None
        assert failed.attempts == 4 and failed.sent_at is None  # push_max_attempts
        assert len(push_service.to("down")) == 4
        by_endpoint = {row.endpoint: row for row in await subscription_rows(running.db)}
        assert by_endpoint[down.endpoint].failures == 4
        assert by_endpoint[flaky.endpoint].failures == 0  # reset by the success


BAD_SUBSCRIPTIONS: list[tuple[dict[str, Any], str]] = [
    (
        {"endpoint": "http://push.example.com/x"},
        "endpoint",
    ),  # http only to the loopback, and only in tests
    ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
    ({"endpoint": "https://10.1.2.3/wpush"}, "endpoint"),  # our own network
    ({"endpoint": "https://[fe80::1]/wpush"}, "endpoint"),
    ({"endpoint": "https://user:secret@push.example.com/x"}, "endpoint"),
    ({"endpoint": "not a url"}, "endpoint"),
    ({"keys": {"p256dh": "BAAA", "auth": "AAECAwQFBgcICQoLDA0ODw"}}, "keys.p256dh"),
    (
        {"keys": {"p256dh": "BA" + "A" * 85, "auth": "AAECAwQFBgcICQoLDA0ODw"}},
        "keys.p256dh",
    ),  # off the curve
    ({"keys": {"p256dh": "!!!", "auth": "AAECAwQFBgcICQoLDA0ODw"}}, "keys.p256dh"),
    ({"keys": {"p256dh": None, "auth": "AAECAwQFBgcICQoLDA0ODw"}}, "keys.p256dh"),
    ({"auth": "AAECAwQFBgc"}, "keys.auth"),  # 8 bytes, not 16
    ({"keys": None}, "keys"),
    ({"extra": 1}, "extra"),
]


async def test_bad_subscriptions_are_refused_naming_the_field(client: AsyncClient, seeded: Database) -> None:
    await sign_in(client, "inspector2")
    for change, field in BAD_SUBSCRIPTIONS:
        body = Browser("https://fcm.googleapis.com/wp/abc").subscription()
        change = dict(change)
        if "auth" in change:
            body["keys"]["auth"] = change.pop("auth")
        body |= change
        response = await client.post("/api/push/subscriptions", json=body)
        assert response.status_code in (400, 422), (change, response.text)
        problem = response.json()
        assert problem["field"] == field, (change, problem)
        if problem["code"] in ("invalid_push_endpoint", "invalid_push_key"):
            assert problem["message"].startswith(("L'adresse", "La clé")), problem  # inspector2 reads French
    assert await subscription_rows(seeded) == []
    good = await client.post(
        "/api/push/subscriptions", json=Browser("https://fcm.googleapis.com/wp/abc").subscription()
    )
    assert good.status_code == 201


async def test_a_subscription_is_upserted_by_endpoint_and_owned_by_its_last_registrant(
    make_client: Callable[[], AsyncClient], seeded: Database
) -> None:
    browser = Browser("https://updates.push.services.mozilla.com/wpush/v2/gAAAA")
    async with make_client() as inspector, make_client() as inspector2:
        await sign_in(inspector, "inspector")
        await sign_in(inspector2, "inspector2")
        first = await subscribe(inspector, browser)
        renewed = Browser(browser.endpoint)  # the same browser after new keys
        again = await subscribe(inspector, renewed)
        assert again["id"] == first["id"]
        [row] = await subscription_rows(seeded)
        assert row.p256dh == renewed.subscription()["keys"]["p256dh"]

        await subscribe(inspector2, renewed)  # the tablet changed hands
        [row] = await subscription_rows(seeded)
        assert row.user_id == await user_id(seeded, "inspector2")

        # Forgetting someone else's subscription changes nothing; one's own is gone.
        response = await inspector.request("DELETE", "/api/push/subscriptions", json=renewed.subscription())
        assert response.status_code == 204
        assert len(await subscription_rows(seeded)) == 1
        response = await inspector2.delete("/api/push/subscriptions", params={"endpoint": browser.endpoint})
        assert response.status_code == 204
        assert await subscription_rows(seeded) == []
        assert (await inspector2.delete("/api/push/subscriptions")).status_code == 422

        # One account keeps at most ten browsers: the oldest give way to the newest.
        browsers = [Browser(f"https://fcm.googleapis.com/fcm/send/{n}") for n in range(12)]
        for one in browsers:
            await subscribe(inspector, one)
        kept = {row.endpoint for row in await subscription_rows(seeded)}
        assert len(kept) == 10 and browsers[-1].endpoint in kept and browsers[0].endpoint not in kept


async def test_the_in_app_list_is_paginated_newest_first_and_read_one_by_one(
    make_client: Callable[[], AsyncClient], seeded: Database
) -> None:
    inspector, other = await user_id(seeded, "inspector"), await user_id(seeded, "inspector2")
    start = datetime.now(UTC) - timedelta(hours=1)
    async with seeded.write() as session, session.begin():
        for index in range(3):
            session.add(
                Notification(
                    user_id=inspector,
                    kind="visit_due",
                    dedupe_key=f"k{index}",
                    title=f"n{index}",
                    created_at=start + timedelta(minutes=index),
                )
            )
        foreign = Notification(user_id=other, kind="visit_due", dedupe_key="k", title="theirs")
        session.add(foreign)
    async with make_client() as client:
        await sign_in(client, "inspector")
        page = (await client.get("/api/notifications?limit=2")).json()
        assert [item["title"] for item in page["items"]] == ["n2", "n1"]
        assert (page["total"], page["unread"], page["next_offset"]) == (3, 3, 2)
        last = (await client.get("/api/notifications?limit=2&offset=2")).json()
        assert [item["title"] for item in last["items"]] == ["n0"] and last["next_offset"] is None

        newest = page["items"][0]["id"]
        read = await client.post(f"/api/notifications/{newest}/read")
        assert read.status_code == 200 and read.json()["read_at"] is not None
        again = await client.post(f"/api/notifications/{newest}/read")
        assert again.json()["read_at"] == read.json()["read_at"]  # reading twice changes nothing
        assert (await client.get("/api/notifications")).json()["unread"] == 2
        assert (await client.post(f"/api/notifications/{foreign.id}/read")).status_code == 404
        bad = await client.patch("/api/notifications/preferences", json={"off": ["nope"]})
        assert bad.status_code == 400 and bad.json()["field"] == "off[0]"


async def test_the_server_runs_the_rules_in_its_lifespan_and_stops_them(
    seeded: Database, settings: Settings
) -> None:
    await plan_visit(seeded, "inspector", today_in_algiers(datetime.now(UTC)))
    app = create_app(replace(settings, scheduler=True, scheduler_interval_seconds=0.05))

    async def stored() -> bool:
        async with seeded.read() as session:
            kinds = (await session.execute(select(col(Notification.kind)))).scalars().all()
        return list(kinds) == ["visit_due"]

    try:
        async with lifespan_of(app):
            await eventually(stored)
    finally:
        await app.state["db"].dispose()
    names = {task.get_name() for task in asyncio.all_tasks()}
    assert not names & {"rasd-scheduler", "rasd-push-dispatcher"}


async def test_rasd_worker_runs_the_same_loop_until_told_to_stop(
    seeded: Database, settings: Settings
) -> None:
    await plan_visit(seeded, "inspector", today_in_algiers(datetime.now(UTC)) - timedelta(days=2))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(replace(settings, scheduler_interval_seconds=0.05), stop))

    async def stored() -> bool:
        async with seeded.read() as session:
            kinds = (await session.execute(select(col(Notification.kind)))).scalars().all()
        return list(kinds) == ["visit_overdue"]

    await eventually(stored)
    stop.set()
    await asyncio.wait_for(worker, 10)


async def test_the_key_file_is_private_whatever_the_umask(tmp_path: Path, settings: Settings) -> None:
    previous = os.umask(0)
    try:
        load_vapid_keys(replace(settings, data_dir=tmp_path / "fresh"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "fresh" / KEY_FILE).stat().st_mode) == 0o600


def _migrate(connection: Any, url: str, action: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


async def test_the_delivery_migration_keeps_stored_notifications(db: Database) -> None:
    """0003 adds ``next_attempt_at`` to a table that holds rows: they stay, nothing is due."""
    url = str(db.engine.url.render_as_string(hide_password=False))
    async with db.engine.connect() as connection:
        await connection.run_sync(_migrate, url, "downgrade", "0002")
        await connection.commit()
    try:
        assert await seed_demo(db, password="irrelevant-here")
        someone = await user_id(db, "inspector")
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO notification (id, user_id, kind, dedupe_key, title, body, url, created_at,"
                    " attempts) VALUES (:id, :user_id, 'visit_due', 'k', 'old', '', '/', :now, 2)"
                ),
                {
                    "id": uuid.uuid4().hex if db.dialect == "sqlite" else uuid.uuid4(),
                    "user_id": someone.hex if db.dialect == "sqlite" else someone,
                    "now": datetime.now(UTC).replace(tzinfo=None)
                    if db.dialect == "sqlite"
                    else datetime.now(UTC),
                },
            )
    finally:
        async with db.engine.connect() as connection:
            await connection.run_sync(_migrate, url, "upgrade", "head")
            await connection.commit()
    async with db.read() as session:
        [row] = (await session.execute(select(Notification))).scalars().all()
    assert (row.title, row.attempts, row.next_attempt_at, row.user_id) == ("old", 2, None, someone)
