"""The vocabulary of the authorization matrix (``tests/integration/test_authz_matrix.py``).

A ``Probe`` says how to call one route and what each role must get. Rows of the API live in the
matrix; rows of the server-rendered pages live in ``tests/support/probes/<feature>.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from httpx import Response

ANON = "anonymous"
# One demo user per role; their scopes differ (national, body CNAS, wilaya 16).
USERS = {
    "admin": "admin",
    "central_inspector": "central",
    "director": "director.cnas",
    "inspector": "inspector",
}
# What an anonymous browser gets from a page: sent to the sign-in form.
SIGN_IN = 303
_PAGE_CODE = re.compile(r'data-problem-code="([a-z_]+)"')


@dataclass
class Probe:
    """How to call one route, and what each role must get.

    ``url``, ``body`` (JSON) and ``form`` (a posted form) receive the matrix's context: ids of demo
    records made before the probes run (``inspector2_id``, ``device_id``, and what ``tests/support/
    probes`` modules add through ``setup``).
    """

    method: str
    template: str
    url: Callable[[dict[str, Any]], str]
    expect: dict[str, int]
    body: Callable[[dict[str, Any]], Any] | None = None
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    form: Callable[[dict[str, Any]], dict[str, str]] | None = None


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys([ANON, *USERS], status)


def only(roles: set[str], ok: int, *, others: int = 403) -> dict[str, int]:
    return {ANON: 401} | {role: ok if role in roles else others for role in USERS}


def signed(ok: int) -> dict[str, int]:
    return {ANON: 401} | dict.fromkeys(USERS, ok)


def page_only(roles: set[str], ok: int = 200, *, others: int = 403) -> dict[str, int]:
    """A page: anonymous users are sent to sign in, other roles refused."""
    return {ANON: SIGN_IN} | {role: ok if role in roles else others for role in USERS}


def problem_code(response: Response) -> str:
    """The stable code of an error: from a problem document, or from an error page."""
    if response.headers.get("content-type", "").startswith("text/html"):
        match = _PAGE_CODE.search(response.text)
        return match.group(1) if match else "(no data-problem-code on the page)"
    return str(response.json()["code"])
