"""The common frame of the server-rendered pages: signing in by form, language, errors as pages."""

from __future__ import annotations

from httpx import AsyncClient

from tests.support.pages import open_page, page_sign_in, parse, submit, text


async def test_sign_in_form_keeps_the_username_and_names_the_error(client: AsyncClient) -> None:
    soup = await open_page(client, "/signin")
    assert soup.html is not None and soup.html["lang"] == "ar" and soup.html["dir"] == "rtl"
    response = await submit(
        client, soup, "form[action='/signin']", {"username": "director", "password": "nope"}
    )
    assert response.status_code == 401
    again = parse(response)
    assert again.select_one("#username")["value"] == "director"  # type: ignore[index]
    assert again.select_one("[data-problem-code=bad_credentials]") is not None
    assert again.select_one("#password").get("value") in (None, "")  # type: ignore[union-attr]


async def test_signing_in_lands_on_the_role_page_and_next_is_same_site_only(client: AsyncClient) -> None:
    soup = await open_page(client, "/signin?next=//evil.example/x")
    response = await submit(
        client, soup, "form[action='/signin']", {"username": "director", "password": "rasd-demo"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"


async def test_a_page_asks_anonymous_users_to_sign_in_and_comes_back(client: AsyncClient) -> None:
    response = await client.get("/dashboard?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fdashboard%3Fx%3D1"


async def test_errors_are_pages_in_the_user_language(client: AsyncClient) -> None:
    await page_sign_in(client, "director")
    soup = await open_page(client, "/dashboard/nowhere?lang=fr", status=404)
    assert soup.html is not None and soup.html["lang"] == "fr" and soup.html["dir"] == "ltr"
    assert soup.select_one("[data-problem-code=not_found]") is not None


async def test_language_switch_travels_in_the_address_before_signing_in(client: AsyncClient) -> None:
    soup = await open_page(client, "/signin")
    response = await submit(client, soup, "form[action='/account/language']", {"language": "fr"})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?lang=fr"
    again = await open_page(client, response.headers["location"])
    assert again.html is not None and again.html["lang"] == "fr" and again.html["dir"] == "ltr"
    assert text(again, "h1") == "Connexion"


async def test_language_switch_is_remembered_for_the_user(client: AsyncClient) -> None:
    await page_sign_in(client, "director")
    soup = await open_page(client, "/dashboard")
    response = await submit(client, soup, "form[action='/account/language']", {"language": "en"})
    assert response.status_code == 303
    again = await open_page(client, "/dashboard")
    assert again.html is not None and again.html["lang"] == "en" and again.html["dir"] == "ltr"
    assert (await client.get("/api/auth/me")).json()["user"]["language"] == "en"


async def test_a_form_without_its_csrf_token_changes_nothing(client: AsyncClient) -> None:
    await page_sign_in(client, "director")
    response = await client.post("/account/language", data={"language": "fr", "next": "/dashboard"})
    assert response.status_code == 403
    assert parse(response).select_one("[data-problem-code=csrf_failed]") is not None
    assert (await client.get("/api/auth/me")).json()["user"]["language"] == "ar"
