"""Server-rendered pages in tests: parsed, never compared as strings; forms posted as a browser would.

``open_page`` checks what every page must have (``lang``, ``dir``, one ``h1``); ``submit`` posts a form
with the CSRF token the page carries, and returns the response (not followed: a 303 is the proof that
a form was accepted, a re-rendered page with errors the proof that it was not).
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag
from httpx import AsyncClient, Response

from tests.support.clients import DEMO_PASSWORD


def parse(response: Response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    return BeautifulSoup(response.text, "html.parser")


async def open_page(client: AsyncClient, url: str, *, status: int = 200) -> BeautifulSoup:
    """GET ``url`` and parse it; the page must be well-formed for its language."""
    response = await client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code} {response.text[:500]}"
    soup = parse(response)
    html = soup.find("html")
    assert isinstance(html, Tag)
    assert html.get("lang") in ("ar", "fr", "en")
    assert html.get("dir") == ("rtl" if html.get("lang") == "ar" else "ltr")
    assert len(soup.find_all("h1")) == 1, f"{url}: one h1 per page"
    return soup


async def page_sign_in(client: AsyncClient, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form of ``/signin``, as a browser without JavaScript does."""
    soup = await open_page(client, "/signin")
    response = await submit(
        client, soup, "form[action='/signin']", {"username": username, "password": password}
    )
    assert response.status_code == 303, response.text[:500]


def csrf_of(soup: BeautifulSoup) -> str:
    field = soup.select_one("input[name=_csrf_token]")
    assert isinstance(field, Tag), "the page carries a CSRF token"
    return str(field["value"])


async def submit(
    client: AsyncClient,
    soup: BeautifulSoup,
    selector: str,
    data: dict[str, Any],
    files: dict[str, Any] | None = None,
) -> Response:
    """Post the form ``selector`` of ``soup``: its hidden fields, overridden by ``data``."""
    form = soup.select_one(selector)
    assert isinstance(form, Tag), f"no form {selector}"
    fields: dict[str, Any] = {
        str(hidden["name"]): hidden.get("value", "")
        for hidden in form.select("input[type=hidden]")
        if hidden.get("name")
    }
    fields.update(data)
    action = str(form.get("action") or "")
    return await client.post(action, data=fields, files=files)


def rows(soup: BeautifulSoup, selector: str = "table") -> list[list[str]]:
    """The body rows of the first table matching ``selector``, as cell texts."""
    table = soup.select_one(selector)
    assert isinstance(table, Tag), f"no table {selector}"
    body = table.find("tbody") or table
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
        for row in body.find_all("tr")
        if row.find("td")
    ]


def text(soup: BeautifulSoup, selector: str) -> str:
    node = soup.select_one(selector)
    assert isinstance(node, Tag), f"nothing matches {selector}"
    return node.get_text(" ", strip=True)
