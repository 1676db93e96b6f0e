"""Rendering a server-rendered page: the common context every template gets.

Every page template extends ``base.html`` and receives ``t`` (the catalogue in the page's language),
``lang`` and ``dir``, the signed-in ``user``, the navigation this user may follow, and ``link`` to
rebuild the current URL with some query parameters changed (sorting, paging, filters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from litestar.response import Redirect, Template

from backend.authz.policy import may
from backend.authz.principal import Principal
from backend.http.language import request_language
from backend.http.params import Req
from backend.i18n import translate
from backend.i18n.messages import MESSAGES
from backend.web.routes import SHELL_CSP

RTL_LANGUAGES: Final = frozenset({"ar"})
# Pages hold personal data: never kept by a shared cache, and the CSP of the whole site.
PAGE_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": SHELL_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str  # catalogue key
    permission: str


NAV: Final = (
    NavLink("/dashboard", "nav.dashboard", "dashboard.read"),
    NavLink("/dashboard/actions", "nav.actions", "dashboard.read"),
    NavLink("/dashboard/evaluations", "nav.evaluations", "dashboard.read"),
    NavLink("/manage/review", "nav.review", "visits.review"),
    NavLink("/manage/planning", "nav.planning", "planning.manage"),
    NavLink("/manage/templates", "nav.templates", "templates.manage"),
    NavLink("/manage/indicators", "nav.indicators", "indicators.write"),
    NavLink("/dashboard/exports", "nav.exports", "dashboard.read"),
)


def principal_or_none(request: Req) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def translator(language: str) -> Any:
    def t(key: str, **params: object) -> str:
        return translate(key, language, **params)

    return t


def link_builder(request: Req) -> Any:
    """``link(page=2)``: the current path with those query parameters replaced (None removes one)."""
    current = {key: value for key, value in request.query_params.items() if key != "lang"}

    def link(**changes: object) -> str:
        merged: dict[str, object] = {**current, **changes}
        query = urlencode({key: value for key, value in merged.items() if value not in (None, "")})
        return f"{request.url.path}?{query}" if query else request.url.path

    return link


def render(
    request: Req,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    title: str = "",
) -> Template:
    """``template`` with the common context; ``title`` is a catalogue key (or text already translated)."""
    language = request_language(request)
    principal = principal_or_none(request)
    t = translator(language)
    common = {
        "lang": language,
        "dir": "rtl" if language in RTL_LANGUAGES else "ltr",
        "t": t,
        "user": principal,
        "nav": [item for item in NAV if principal is not None and may(principal, item.permission)],
        "path": request.url.path,
        "link": link_builder(request),
        "title": t(title) if title in MESSAGES else title,
    }
    return Template(
        template_name=template,
        context={**common, **(context or {})},
        status_code=status,
        headers=PAGE_HEADERS,
        media_type="text/html; charset=utf-8",
    )


def see_other(location: str) -> Redirect:
    """After a successful form post: 303, so a reload never posts twice."""
    return Redirect(path=location, status_code=303, headers={"Cache-Control": "no-store"})


def safe_next(target: str | None, default: str) -> str:
    """Only paths of this site: ``//evil`` and ``https://…`` are refused (open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def home_of(principal: Principal) -> str:
    """Where a user lands after signing in on the pages."""
    if may(principal, "dashboard.read") and principal.role != "central_inspector":
        return "/dashboard"
    if may(principal, "visits.review"):
        return "/manage/review"
    return "/"


async def form_fields(request: Req) -> dict[str, str]:
    """A submitted form as text fields (the last value of a repeated name; files are skipped)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def form_lists(request: Req) -> dict[str, list[str]]:
    """Every value of every text field (checkbox groups, multiple selects)."""
    form = await request.form()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def query_string(params: Mapping[str, object]) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})
