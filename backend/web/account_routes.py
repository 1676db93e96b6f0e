"""Signing in and out of the server-rendered pages, choosing their language, and their stylesheet.

The pages share the PWA's session (one cookie, same origin); these forms are the no-JavaScript way in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from litestar import Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlalchemy import update
from sqlmodel import col

from backend.auth import service
from backend.auth.sessions import COOKIE_NAME
from backend.db.tables import User
from backend.errors import DomainError
from backend.http.language import request_language
from backend.http.params import DB, AppSettings, Req
from backend.i18n import LANGUAGES, translate
from backend.web.page import form_fields, home_of, principal_or_none, render, safe_next, see_other

STATIC_DIR: Final = Path(__file__).parent / "static"
_ASSETS: Final = {"pages.css": "text/css; charset=utf-8", "pages.js": "text/javascript; charset=utf-8"}


@get("/signin", summary="The sign-in form of the pages", include_in_schema=False)
async def signin_form(request: Req) -> Response[Any]:
    principal = principal_or_none(request)
    target = request.query_params.get("next")
    if principal is not None:
        return see_other(safe_next(target, home_of(principal)))
    return render(
        request,
        "signin.html",
        {"next": safe_next(target, ""), "username": "", "error": ""},
        title="signin.title",
    )


@post("/signin", summary="Sign in from the form", include_in_schema=False)
async def signin(request: Req, db: DB, settings: AppSettings) -> Response[Any]:
    fields = await form_fields(request)
    username = fields.get("username", "").strip()[:150]
    try:
        signed = await service.login(
            db,
            settings,
            username=username,
            password=fields.get("password", "")[:1000],
            ip=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", ""),
        )
    except DomainError as error:
        language = request_language(request)
        context = {
            "next": safe_next(fields.get("next"), ""),
            "username": username,  # what was typed stays; the password never comes back
            "error": translate(error.code, language, field=error.field or "", **error.params),
            "error_code": error.code,
        }
        return render(request, "signin.html", context, status=error.status_code, title="signin.title")
    response = see_other(safe_next(fields.get("next"), home_of(signed.principal)))
    response.cookies.append(
        Cookie(
            key=COOKIE_NAME,
            value=signed.token,
            max_age=settings.session_days * 86400,
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
            path="/",
        )
    )
    return response


@post("/signout", summary="Sign out from the pages", include_in_schema=False)
async def signout(request: Req, db: DB) -> Response[Any]:
    principal = principal_or_none(request)
    if principal is not None:
        await service.logout(db, principal)
    response = see_other("/signin")
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@post("/account/language", summary="Choose the language of the pages", include_in_schema=False)
async def choose_language(request: Req, db: DB) -> Response[Any]:
    fields = await form_fields(request)
    language = fields.get("language", "")
    target = safe_next(fields.get("next"), "/signin")
    if language not in LANGUAGES:
        return see_other(target)
    principal = principal_or_none(request)
    if principal is None:  # not signed in: the choice travels in the address
        separator = "&" if "?" in target else "?"
        return see_other(f"{target}{separator}lang={language}")
    async with db.write() as session, session.begin():
        await session.execute(update(User).where(col(User.id) == principal.id).values(language=language))
    return see_other(target)


@get("/assets/{name:str}", summary="Stylesheet and script of the pages", include_in_schema=False)
async def page_asset(name: FromPath[str]) -> Response[bytes]:
    media_type = _ASSETS.get(name)
    if media_type is None or not (STATIC_DIR / name).is_file():
        raise NotFoundException()
    return Response(
        (STATIC_DIR / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


ACCOUNT_ROUTES: Final = [signin_form, signin, signout, choose_language, page_asset]
