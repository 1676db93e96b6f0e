"""Every route × every role × in and out of scope.

The matrix below is the authorization contract. ``test_every_route_is_in_the_matrix`` fails when a
route is added without a row here, so no endpoint ships without its access rules being tested.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from litestar import Litestar
from litestar.routes import HTTPRoute

from backend.demo.seed import agency_uuid
from tests.support.authz import ANON, USERS, Probe, everyone, only, problem_code, signed
from tests.support.clients import sign_in, with_csrf
from tests.support.probes import PAGE_PROBES

IN_SCOPE_OF_ALL = agency_uuid("CNAS-16")  # national, CNAS and wilaya 16 all see it
OUT_OF_SCOPE = agency_uuid("CNR-31")  # only the national users see it
NATIONAL = {"admin", "central_inspector"}
# A browser's P-256 public key (uncompressed point), for subscriptions made by the matrix.
PUSH_P256DH = "BBBa_QVQ2GUQwjyaJhER7_8QKg80XlSjbWCjzXd2tt6g9xdNLbZncS8pdQfhBHIkTG95A9H6634zHTbSrDZvD20"


API_PROBES: list[Probe] = [
    Probe("GET", "/healthz", lambda c: "/healthz", everyone(200)),
    Probe("HEAD", "/healthz", lambda c: "/healthz", everyone(200)),
    Probe(
        "POST",
        "/api/auth/login",
        lambda c: "/api/auth/login",
        everyone(401),
        body=lambda c: {"username": "nobody", "password": "x"},
    ),
    Probe("GET", "/api/auth/me", lambda c: "/api/auth/me", signed(200)),
    Probe("PATCH", "/api/auth/me", lambda c: "/api/auth/me", signed(200), body=lambda c: {"language": "ar"}),
    Probe("POST", "/api/auth/logout", lambda c: "/api/auth/logout", signed(204)),
    Probe("GET", "/api/agencies", lambda c: "/api/agencies?limit=5", signed(200)),
    Probe(
        "GET",
        "/api/agencies/{agency_id:uuid}",
        lambda c: f"/api/agencies/{IN_SCOPE_OF_ALL}",
        signed(200),
        name="in scope",
    ),
    Probe(
        "GET",
        "/api/agencies/{agency_id:uuid}",
        lambda c: f"/api/agencies/{OUT_OF_SCOPE}",
        {ANON: 401} | {role: 200 if role in NATIONAL else 404 for role in USERS},
        name="out of scope",
    ),
    Probe("GET", "/api/users", lambda c: "/api/users", only({"admin"}, 200)),
    Probe(
        "POST",
        "/api/users",
        lambda c: "/api/users",
        only({"admin"}, 201),
        body=lambda c: {
            "username": f"u{uuid.uuid4().hex[:8]}",
            "password": "longenough",
            "role": "inspector",
            "scope": {"kind": "wilayas", "ids": ["16"]},
        },
    ),
    Probe(
        "PATCH",
        "/api/users/{user_id:uuid}",
        lambda c: f"/api/users/{c['inspector2_id']}",
        only({"admin"}, 200),
        body=lambda c: {"display_name": "Renamed"},
    ),
    Probe(
        "GET",
        "/api/users/{user_id:uuid}/devices",
        lambda c: f"/api/users/{c['inspector2_id']}/devices",
        only({"admin"}, 200),
    ),
    Probe(
        "POST",
        "/api/devices/{device_id:uuid}/revoke",
        lambda c: f"/api/devices/{c['device_id']}/revoke",
        only({"admin"}, 200),
    ),
    # Blobs: uploads need visits.write (inspectors, central inspectors); an unknown blob is not found,
    # and the matrix's PATCH carries no Upload-* headers, so a permitted role gets 400.
    Probe(
        "HEAD",
        "/api/blobs/{sha256:str}",
        lambda c: f"/api/blobs/{'0' * 64}",
        only({"inspector", "central_inspector"}, 404),
    ),
    Probe(
        "PATCH",
        "/api/blobs/{sha256:str}",
        lambda c: f"/api/blobs/{'0' * 64}",
        only({"inspector", "central_inspector"}, 400),
    ),
    Probe("GET", "/api/blobs/{sha256:str}", lambda c: f"/api/blobs/{'0' * 64}", signed(404)),
    # Sync: every signed-in user pushes and pulls (each op is then checked on its own, see
    # test_sync_protocol.py); only reviewers list conflicts.
    Probe(
        "POST",
        "/api/sync/push",
        lambda c: "/api/sync/push",
        signed(200),
        body=lambda c: {"protocol": 1, "client_id": str(uuid.uuid4()), "ops": []},
    ),
    Probe("GET", "/api/sync/pull", lambda c: "/api/sync/pull?limit=10", signed(200)),
    Probe(
        "GET",
        "/api/sync/conflicts",
        lambda c: "/api/sync/conflicts",
        only({"admin", "central_inspector", "director"}, 200),
    ),
    # Push and notifications: every signed-in user manages their own subscriptions, list and
    # preferences; nothing takes another user's id. The test push goes to the subscription made
    # by the row above (no dispatcher runs here: it is only queued).
    Probe("GET", "/api/push/vapid-public-key", lambda c: "/api/push/vapid-public-key", signed(200)),
    Probe(
        "POST",
        "/api/push/subscriptions",
        lambda c: "/api/push/subscriptions",
        signed(201),
        body=lambda c: {
            "endpoint": f"https://push.example.com/send/{uuid.uuid4().hex}",
            "expirationTime": None,
            "keys": {"p256dh": PUSH_P256DH, "auth": "AAECAwQFBgcICQoLDA0ODw"},
        },
    ),
    Probe(
        "DELETE",
        "/api/push/subscriptions",
        lambda c: "/api/push/subscriptions?endpoint=https://push.example.com/send/none",
        signed(204),
    ),
    Probe("POST", "/api/push/test", lambda c: "/api/push/test", signed(202)),
    Probe("GET", "/api/notifications", lambda c: "/api/notifications?limit=5", signed(200)),
    Probe(
        "POST",
        "/api/notifications/{notification_id:uuid}/read",
        lambda c: f"/api/notifications/{uuid.uuid4()}/read",
        signed(404),
    ),
    Probe("GET", "/api/notifications/preferences", lambda c: "/api/notifications/preferences", signed(200)),
    Probe(
        "PATCH",
        "/api/notifications/preferences",
        lambda c: "/api/notifications/preferences",
        signed(200),
        body=lambda c: {"off": ["visit_due"]},
    ),
]
# The server-rendered pages: each feature keeps its rows beside its own tests.
PROBES: list[Probe] = API_PROBES + [probe for module in PAGE_PROBES for probe in module]

# Public routes that serve the PWA shell and the API schema: anyone may read them.
PUBLIC_PREFIXES = ("/schema", "/static", "/assets", "/sw.js", "/manifest.webmanifest")


def _routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method in route.methods - {"OPTIONS"}:
            if route.path == "/" or route.path.startswith(PUBLIC_PREFIXES):
                continue
            found.add((method, route.path))
    return found


def test_every_route_is_in_the_matrix(app: Litestar) -> None:
    covered = {(probe.method, probe.template) for probe in PROBES}
    missing = _routes(app) - covered
    assert not missing, f"routes without authorization rows: {sorted(missing)}"


def _in_order(probes: list[Probe]) -> list[Probe]:
    """Probes that end the session (logout) run last, so the others run signed in."""
    return sorted(probes, key=lambda probe: probe.template in ("/api/auth/logout", "/signout"))


@pytest.mark.parametrize("role", [ANON, *USERS])
async def test_route_role_scope(role: str, make_client: Any) -> None:
    """Every probe of the matrix for one role, on one database; all mismatches are reported together."""
    async with make_client() as setup, make_client() as client:
        await sign_in(setup, "admin")
        users = (await setup.get("/api/users")).json()["items"]
        context = {"inspector2_id": next(u["id"] for u in users if u["username"] == "inspector2")}
        device_id = uuid.uuid4()
        async with make_client() as phone:
            await with_csrf(phone)
            await phone.post(
                "/api/auth/login",
                json={"username": "inspector2", "password": "rasd-demo", "device_id": str(device_id)},
            )
        context["device_id"] = device_id

        if role == ANON:
            await with_csrf(client)
        else:
            await sign_in(client, USERS[role])
        mismatches = []
        for probe in _in_order(PROBES):
            response = await client.request(
                probe.method,
                probe.url(context),
                json=probe.body(context) if probe.body else None,
                data=probe.form(context) if probe.form else None,
            )
            label = f"{probe.method} {probe.template} {probe.name}".strip()
            if response.status_code != probe.expect[role]:
                mismatches.append(
                    f"{label}: {response.status_code}, expected {probe.expect[role]}: {response.text[:200]}"
                )
            elif (
                response.status_code in (401, 403, 404) and probe.method != "HEAD"
            ):  # HEAD answers carry no body
                code = problem_code(response)
                if code not in {"not_authenticated", "forbidden", "not_found", "bad_credentials"}:
                    mismatches.append(f"{label}: problem code {code}")
        assert not mismatches, "\n".join(mismatches)


async def test_lists_hold_only_what_is_in_scope(make_client: Any) -> None:
    expectations = {"central": None, "director.cnas": {"CNAS"}, "inspector": None, "inspector.oran": None}
    async with make_client() as client:
        for username in expectations:
            await sign_in(client, username)
            items: list[dict[str, Any]] = []
            offset: int | None = 0
            while offset is not None:
                page = (await client.get(f"/api/agencies?limit=500&offset={offset}")).json()
                items += page["items"]
                offset = page["next_offset"]
            bodies = {item["body"] for item in items}
            wilayas = {item["wilaya_code"] for item in items}
            if username == "central":
                assert len(wilayas) == 58 and len(bodies) == 6
            elif username == "director.cnas":
                assert bodies == {"CNAS"} and len(wilayas) == 58
            elif username == "inspector":
                assert wilayas == {16} and len(bodies) == 6
            else:
                assert wilayas == {31}
            await client.post("/api/auth/logout")


async def test_admin_cannot_grant_a_scope_that_does_not_exist(client: AsyncClient) -> None:
    await sign_in(client, "admin")
    response = await client.post(
        "/api/users",
        json={
            "username": "ghost",
            "password": "longenough",
            "role": "inspector",
            "scope": {"kind": "wilayas", "ids": ["99"]},
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "scope.ids"
    assert (await client.get("/api/users")).json()["total"] == 7
