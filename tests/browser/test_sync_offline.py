"""Offline first, end to end in real Chromium: an inspector records a whole visit without network,
reloads, comes back online, and the server ends up with every answer and the photo, once; a
network cut in the middle of a push loses and duplicates nothing; work exported from a phone that
cannot sync is delivered once by another.

The visit is made through the store API the screens use (``/static/js/store.js``), with
``page.evaluate`` and a dynamic import: the same module instance the app runs, so the sync engine
that app.js started after sign-in is the one that sends it.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.browser.conftest import Console, LiveServer
from tests.support.browser import settled, sign_in, wait_for, wait_until_controlled
from tests.support.browser import store_call as call

pytestmark = pytest.mark.browser

PHOTO_BYTES = 600 * 1024  # more than one 512 KiB chunk
CHUNKS = 2


SYNC_TRAFFIC = re.compile(r" /api/(sync|blobs)/")


def reached_since(live_server: LiveServer, count: int) -> list[str]:
    """The requests the server answered after the first ``count``, as "METHOD /path status"."""
    settled(lambda: len(live_server.requests()))
    return [f"{r['method']} {r['path']} {r['status']}" for r in live_server.requests()[count:]]


def status(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = call(page, "return store.status();")
    return result


def synced(page: Page) -> dict[str, Any] | None:
    """The status once nothing waits for the server any more (no op, no photo, no run), else None."""
    now = status(page)
    idle = now["pending"] == 0 and now["photosPending"] == 0 and now["sync"]["state"] == "idle"
    return now if idle else None


def first_sync(page: Page) -> dict[str, Any]:
    """Wait until the sync started at sign-in has brought the inspector's agencies and checklist."""
    found = wait_for(
        lambda: call(
            page,
            """const agency = (await store.listAgencies()).find((a) => a.code === 'CNAS-16');
               const [template] = await store.listTemplates();
               const state = (await store.status()).sync.state;
               if (!agency || !template || state !== 'idle') return null;
               return { agency_id: agency.id, template_id: template.id };""",
        ),
        "the first sync",
    )
    version = call(page, "return store.getTemplateVersion(arg);", found["template_id"])
    found["items"] = {
        item["key"]: item["type"] for section in version["document"]["sections"] for item in section["items"]
    }
    return found


def server_state(page: Page) -> dict[tuple[str, str], dict[str, Any]]:
    """Everything the server lets this user pull, as {(entity, id): {field: value}}, with the same
    session as the page (the public protocol, not the database)."""
    state: dict[tuple[str, str], dict[str, Any]] = {}
    cursor = ""
    for _ in range(100):
        response = page.request.get(f"/api/sync/pull?limit=5000&cursor={cursor}")
        assert response.ok, response.status
        body = response.json()
        for change in body["changes"]:
            fields = state.setdefault((change["entity"], change["entity_id"]), {})
            fields["_deleted" if change["field"] is None and change["deleted"] else change["field"] or ""] = (
                change["value"]
            )
        cursor = body["cursor"]
        if not body["more"]:
            return state
    raise AssertionError("the pull never ended")


def ops_on_server(live_server: LiveServer, client_id: str) -> list[tuple[str, int, str]]:
    """(op_id, seq, outcome) of every op this device pushed, from the live server's database."""
    database = sqlite3.connect(live_server.data_dir / "rasd.db")
    try:
        query = "SELECT op_id, seq, outcome FROM sync_op WHERE replace(lower(client_id), '-', '') = ?"
        rows = database.execute(f"{query} ORDER BY seq", (client_id.replace("-", ""),)).fetchall()
    finally:
        database.close()
    return [(str(op_id), int(seq), str(outcome)) for op_id, seq, outcome in rows]


ANSWERS = {
    "reception_desk": {"value": "yes", "note": None},
    "reception_quality": {"value": 4, "note": "استقبال لائق رغم الاكتظاظ"},
    "people_waiting": {"value": 23, "note": None},
    "main_observations": {"value": "Un seul guichet ouvert sur quatre.", "note": None},
}

RECORD_VISIT = """
  const visitId = await store.createVisit({
    agency_id: arg.agency_id, template_version_id: arg.template_id,
    location: { lat: 36.7538, lon: 3.0588, accuracy_m: 12 },
  });
  for (const [key, answer] of Object.entries(arg.answers)) {
    await store.setAnswer(visitId, key, answer.value, answer.note);
  }
  const bytes = new Uint8Array(arg.size);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + 7) % 251;
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);  // a JPEG, as sniffed
  const jpeg = new Blob([bytes], { type: 'image/jpeg' });
  const photo = await store.addBlob(visitId, 'premises_photos', jpeg, 'image/jpeg');
  const findingId = await store.createEntity('finding', {
    visit_id: visitId, item_key: 'counters_open', severity: 'major',
    description: 'Un seul guichet ouvert.', evidence: [photo.attachment_id],
  });
  await store.submitVisit(visitId);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return { visitId, findingId, ...photo, clientId: store.clientId,
           hex: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
"""
OPS_PER_VISIT = 1 + len(ANSWERS) + 1 + 1 + 1  # create, answers, attachment, finding, submit


def test_a_visit_made_offline_survives_a_reload_and_reaches_the_server_once(
    page: Page, context: BrowserContext, live_server: LiveServer
) -> None:
    sign_in(page)
    wait_until_controlled(page)
    reference = first_sync(page)
    assert set(ANSWERS) | {"premises_photos"} <= set(reference["items"])

    # In the field, with no network at all (what was already on its way is not counted).
    context.set_offline(True)
    served = settled(lambda: len(live_server.requests()))
    made = call(page, RECORD_VISIT, {**reference, "answers": ANSWERS, "size": PHOTO_BYTES})
    assert made["sha256"] == made["hex"]
    waiting = status(page)
    assert waiting["pending"] == OPS_PER_VISIT
    assert waiting["photosPending"] == 1
    assert waiting["online"] is False
    assert reached_since(live_server, served) == [], "nothing reached the server while offline"

    # The battery dies, the app is opened again: still offline, everything is there.
    page.reload()
    page.wait_for_selector("html[data-ready]")
    visit = call(page, "return store.getVisit(arg);", made["visitId"])
    assert visit["status"] == "submitted"
    assert visit["agency_id"] == reference["agency_id"]
    assert visit["answers"] == ANSWERS
    assert [a["sha256"] for a in visit["attachments"]] == [made["sha256"]]
    assert [f["id"] for f in visit["findings"]] == [made["findingId"]]
    assert visit["pending"] == OPS_PER_VISIT
    assert call(page, "return store.getBlobURL(arg);", made["sha256"]).startswith("blob:")
    assert status(page)["pending"] == OPS_PER_VISIT
    # Across a reload, Chromium's offline emulation sometimes lets the browser's service-worker
    # update check (/sw.js) and the new page's very first request (the shell's /api/auth/me) through,
    # which a phone without network could not send: only the sync layer's traffic is judged here.
    synced_offline = [line for line in reached_since(live_server, served) if SYNC_TRAFFIC.search(line)]
    assert synced_offline == [], "the sync engine sent nothing while offline"

    # Back in range: the engine sends everything by itself.
    context.set_offline(False)
    done = wait_for(lambda: synced(page), "the outbox and the photo to be sent")
    assert done["rejected"] == []
    assert done["lastSyncAt"] is not None

    on_server = server_state(page)
    fields = on_server[("visit", made["visitId"])]
    assert {key: fields[f"answers.{key}"] for key in ANSWERS} == ANSWERS
    assert fields["status"] == "submitted"
    assert fields["agency_id"] == reference["agency_id"]
    assert on_server[("attachment", made["attachment_id"])]["sha256"] == made["sha256"]
    assert on_server[("finding", made["findingId"])]["severity"] == "major"

    photo = page.request.get(f"/api/blobs/{made['sha256']}")
    assert photo.ok
    assert hashlib.sha256(photo.body()).hexdigest() == made["sha256"]
    assert len(photo.body()) == PHOTO_BYTES
    blob_path = f"/api/blobs/{made['sha256']}"
    patches = [r for r in live_server.requests() if r["method"] == "PATCH" and r["path"] == blob_path]
    assert [r["status"] for r in patches] == [204] * CHUNKS, "each chunk sent once"

    ops = ops_on_server(live_server, made["clientId"])
    assert [seq for _, seq, _ in ops] == list(range(1, OPS_PER_VISIT + 1))
    assert {outcome for _, _, outcome in ops} == {"applied"}
    # The device has dropped its copy of the photo (the server holds it whole) and shows the server's.
    assert call(page, "return store.getBlobURL(arg);", made["sha256"]) == blob_path


def test_a_network_cut_in_the_middle_of_a_push_loses_and_duplicates_nothing(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page)
    reference = first_sync(page)

    # The first push never reaches the server; the second reaches it, and its answer is lost.
    cuts = ["before the server", "after the server"]
    seen: list[str] = []

    def cut(route: Route) -> None:
        if not cuts:
            route.continue_()
            return
        where = cuts.pop(0)
        seen.append(where)
        if where == "after the server":
            route.fetch()  # the server commits the push ...
        route.abort("connectionreset")  # ... and the phone never hears back

    page.route("**/api/sync/push", cut)
    pushes_before = sum(1 for r in live_server.requests() if r["path"] == "/api/sync/push")
    made = call(page, RECORD_VISIT, {**reference, "answers": ANSWERS, "size": 4096})
    call(page, "const { syncNow } = await import('/static/js/sync/engine.js'); await syncNow();")

    done = wait_for(lambda: synced(page), "the outbox to drain through the cuts")
    assert seen == ["before the server", "after the server"]
    assert done["rejected"] == []
    pushes = sum(1 for r in live_server.requests() if r["path"] == "/api/sync/push") - pushes_before
    assert pushes >= 2, "the lost answer's push and its replay both reached the server"

    ops = ops_on_server(live_server, made["clientId"])
    assert [seq for _, seq, _ in ops] == list(range(1, OPS_PER_VISIT + 1)), "every op once, none lost"
    assert len({op_id for op_id, _, _ in ops}) == OPS_PER_VISIT
    fields = server_state(page)[("visit", made["visitId"])]
    assert {key: fields[f"answers.{key}"] for key in ANSWERS} == ANSWERS
    assert fields["status"] == "submitted"
    visit = call(page, "return store.getVisit(arg);", made["visitId"])
    assert visit["answers"] == ANSWERS
    assert visit["pending"] == 0


def test_work_exported_from_a_phone_that_cannot_sync_is_delivered_once_by_another(
    page: Page, context: BrowserContext, browser: Browser, live_server: LiveServer, console: Console
) -> None:
    sign_in(page)
    wait_until_controlled(page)
    reference = first_sync(page)
    context.set_offline(True)
    made = call(page, RECORD_VISIT, {**reference, "answers": ANSWERS, "size": 4096})
    exported = call(page, "return await (await store.exportUnsynced()).text();")

    # A colleague's phone takes the file and delivers it.
    second = browser.new_context(base_url=live_server.url, locale="en-US")
    second.on("page", console.watch)
    try:
        other = second.new_page()
        sign_in(other)
        first_sync(other)
        counts = call(
            other, "return store.importUnsynced(new Blob([arg], { type: 'application/json' }));", exported
        )
        assert counts == {"ops": OPS_PER_VISIT, "blobs": 1, "skipped": 0}
        assert call(other, "return store.getVisit(arg);", made["visitId"])["answers"] == ANSWERS
        call(other, "const { syncNow } = await import('/static/js/sync/engine.js'); await syncNow();")
        wait_for(lambda: synced(other), "the imported work to be sent")
        delivered_by = call(other, "return store.clientId;")
    finally:
        second.close()

    # The first phone comes back: what it still holds is already on the server, and leaves quietly.
    context.set_offline(False)
    done = wait_for(lambda: synced(page), "the first phone to settle")
    assert done["rejected"] == []
    assert [seq for _, seq, _ in ops_on_server(live_server, delivered_by)] == list(
        range(1, OPS_PER_VISIT + 1)
    )
    assert ops_on_server(live_server, made["clientId"]) == [], "delivered once, by the other phone"
    fields = server_state(page)[("visit", made["visitId"])]
    assert {key: fields[f"answers.{key}"] for key in ANSWERS} == ANSWERS
    blob_path = f"/api/blobs/{made['sha256']}"
    patches = [r for r in live_server.requests() if r["method"] == "PATCH" and r["path"] == blob_path]
    assert len(patches) == 1, "the photo's bytes went up once"
    assert call(page, "return store.getVisit(arg);", made["visitId"])["answers"] == ANSWERS
