"""Bad input anywhere gives a 4xx problem naming the field, never a 500 and never a partial write."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.support.clients import sign_in, with_csrf

HOSTILE_LOGINS = [
    ("not json", "malformed", None),
    ('{"username": 5, "password": "x"}', "invalid", "username"),
    ('{"username": "a"}', "required", "password"),
    ('{"username": "a", "password": "x", "is_admin": true}', "invalid", "is_admin"),
    ('{"username": "' + "a" * 5000 + '", "password": "x"}', "invalid", "username"),
    ('{"username": "a b<script>", "password": "x"}', "invalid", "username"),
    ("[" * 5000, "malformed", None),
    ('{"username": "a", "password": "x", "device_id": "not-a-uuid"}', "invalid", "device_id"),
]


@pytest.mark.parametrize(("body", "code", "field"), HOSTILE_LOGINS)
async def test_hostile_login_bodies(client: AsyncClient, body: str, code: str, field: str | None) -> None:
    await with_csrf(client)
    response = await client.post(
        "/api/auth/login?lang=fr", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    problem = response.json()
    assert problem["code"] == code
    assert problem["field"] == field
    assert problem["message"]
    if field:
        assert field in problem["message"]


async def test_unknown_route_and_method_are_problems(client: AsyncClient) -> None:
    missing = await client.get("/api/nothing-here?lang=en")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    await with_csrf(client)
    wrong = await client.put("/api/auth/me")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"


async def test_oversized_body_is_refused(client: AsyncClient) -> None:
    await with_csrf(client)
    response = await client.post(
        "/api/auth/login",
        content=b"{" + b" " * (5 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


async def test_bad_user_creation_writes_nothing(client: AsyncClient) -> None:
    await sign_in(client, "admin")
    cases = [
        (
            {"username": "x", "password": "short", "role": "inspector", "scope": {"kind": "national"}},
            "password",
        ),
        ({"username": "x", "password": "longenough", "role": "king", "scope": {"kind": "national"}}, "role"),
        (
            {"username": "x", "password": "longenough", "role": "inspector", "scope": {"kind": "galaxy"}},
            "scope.kind",
        ),
        (
            {
                "username": "inspector",
                "password": "longenough",
                "role": "inspector",
                "scope": {"kind": "national"},
            },
            "username",
        ),
        (
            {
                "username": "y",
                "password": "longenough",
                "role": "inspector",
                "scope": {"kind": "national", "ids": ["1"]},
            },
            "scope.ids",
        ),
    ]
    for body, field in cases:
        response = await client.post("/api/users?lang=ar", json=body)
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["field"] == field, response.text
    assert (await client.get("/api/users")).json()["total"] == 7


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=100000", "offset=-1", "wilaya=abc", "limit=1e9", "body_code=" + "X" * 100]
)
async def test_bad_query_parameters(client: AsyncClient, query: str) -> None:
    await sign_in(client, "central")
    response = await client.get(f"/api/agencies?{query}")
    assert response.status_code == 400, response.text
    assert response.json()["field"] in {"limit", "offset", "wilaya", "body_code"}


async def test_bad_path_parameter(client: AsyncClient) -> None:
    await sign_in(client, "central")
    response = await client.get("/api/agencies/not-a-uuid")
    assert response.status_code in (400, 404)
    assert response.json()["code"] in {"invalid", "not_found"}
