"""HTTP clients for integration tests: CSRF handled as a browser would, sign-in in one call."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

DEMO_PASSWORD = "rasd-demo"


async def with_csrf(client: AsyncClient) -> AsyncClient:
    """Fetch a page so the CSRF cookie is set, then send it back in the header, like the PWA."""
    if "csrftoken" not in client.cookies:
        await client.get("/healthz")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


async def sign_in(client: AsyncClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
    await with_csrf(client)
    response = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["user"]  # type: ignore[no-any-return]
