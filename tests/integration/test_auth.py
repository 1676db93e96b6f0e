"""Signing in and out: cookies, CSRF, problems in the user's language, the rate limit, revocation."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select

from backend.db.engine import Database
from backend.db.tables import AuditEvent, AuthSession
from tests.support.clients import sign_in, with_csrf


async def test_inspector_signs_in_and_sees_role_and_scope(client: AsyncClient) -> None:
    user = await sign_in(client, "inspector")
    assert user["role"] == "inspector"
    assert user["scope"] == {"kind": "wilayas", "ids": ["16"]}
    me = await client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "inspector"


async def test_session_cookie_is_httponly_and_samesite_lax(client: AsyncClient) -> None:
    await with_csrf(client)
    response = await client.post("/api/auth/login", json={"username": "central", "password": "rasd-demo"})
    cookie = next(
        value
        for key, value in response.headers.multi_items()
        if key == "set-cookie" and "rasd_session" in value
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()


async def test_wrong_password_is_refused_in_the_requested_language(
    client: AsyncClient, seeded: Database
) -> None:
    await with_csrf(client)
    for lang, words in (("ar", "كلمة المرور"), ("fr", "mot de passe"), ("en", "password")):
        response = await client.post(
            f"/api/auth/login?lang={lang}", json={"username": "inspector", "password": "nope"}
        )
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "bad_credentials"
        assert problem["field"] == "password"
        assert words in problem["message"]
    async with seeded.read() as session:
        sessions = (await session.execute(select(func.count()).select_from(AuthSession))).scalar_one()
    assert sessions == 0


async def test_login_without_csrf_token_is_refused(client: AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"username": "inspector", "password": "rasd-demo"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


async def test_me_without_session_is_401_problem(client: AsyncClient) -> None:
    response = await client.get("/api/auth/me", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "connecter" in response.json()["message"]


async def test_logout_ends_the_session(client: AsyncClient) -> None:
    await sign_in(client, "inspector")
    assert (await client.post("/api/auth/logout")).status_code == 204
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_a_stolen_cookie_stops_working_after_logout(make_client: Any) -> None:
    async with make_client() as browser, make_client() as thief:
        await sign_in(browser, "inspector")
        thief.cookies["rasd_session"] = browser.cookies["rasd_session"]
        assert (await thief.get("/api/auth/me")).status_code == 200
        await browser.post("/api/auth/logout")
        assert (await thief.get("/api/auth/me")).status_code == 401


async def test_repeated_failures_lock_the_username(client: AsyncClient, seeded: Database) -> None:
    await with_csrf(client)
    for _ in range(5):
        response = await client.post("/api/auth/login", json={"username": "inspector", "password": "wrong"})
        assert response.status_code == 401
    locked = await client.post(
        "/api/auth/login?lang=en", json={"username": "inspector", "password": "rasd-demo"}
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"
    assert "minutes" in locked.json()["message"]
    # Another user behind the same address is not locked out by the first one's mistakes.
    other = await client.post("/api/auth/login", json={"username": "inspector2", "password": "rasd-demo"})
    assert other.status_code == 200
    async with seeded.read() as session:
        failures = (
            await session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "login_failed")
            )
        ).scalar_one()
    assert failures == 5


async def test_revoked_device_loses_its_session(make_client: Any) -> None:
    device_id = str(uuid.uuid4())
    async with make_client() as phone, make_client() as admin:
        await with_csrf(phone)
        response = await phone.post(
            "/api/auth/login",
            json={
                "username": "inspector",
                "password": "rasd-demo",
                "device_id": device_id,
                "device_label": "Tablet 7",
            },
        )
        assert response.status_code == 200
        await sign_in(admin, "admin")
        user_id = response.json()["user"]["id"]
        devices = (await admin.get(f"/api/users/{user_id}/devices")).json()
        assert [d["label"] for d in devices] == ["Tablet 7"]
        revoked = await admin.post(f"/api/devices/{device_id}/revoke")
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        assert (await phone.get("/api/auth/me")).status_code == 401
        again = await phone.post(
            "/api/auth/login", json={"username": "inspector", "password": "rasd-demo", "device_id": device_id}
        )
        assert again.status_code == 403
        assert again.json()["code"] == "device_revoked"


async def test_language_preference_is_kept(client: AsyncClient) -> None:
    await sign_in(client, "inspector")
    response = await client.patch("/api/auth/me", json={"language": "fr"})
    assert response.json()["user"]["language"] == "fr"
    assert (await client.get("/api/auth/me")).json()["user"]["language"] == "fr"
    bad = await client.patch("/api/auth/me", json={"language": "de"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "language"
    assert "language" in bad.json()["message"] and "Valeur invalide" in bad.json()["message"]
