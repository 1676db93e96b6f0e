"""``/api/auth``: sign in, sign out, who am I."""

from __future__ import annotations

import msgspec
from litestar import Response, Router, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody
from sqlalchemy import update
from sqlmodel import col

from backend.auth import service
from backend.auth.sessions import COOKIE_NAME
from backend.auth.views import user_view
from backend.auth.wire import LoginRequest, Me, MeUpdate
from backend.authz.guards import principal_of, signed_in
from backend.db.tables import User
from backend.http.params import DB, AppSettings, Req


@post("/login", status_code=200, summary="Sign in; sets the session cookie")
async def login(request: Req, data: JSONBody[LoginRequest], db: DB, settings: AppSettings) -> Response[Me]:
    signed = await service.login(
        db,
        settings,
        username=data.username,
        password=data.password,
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        device_id=data.device_id,
        device_label=data.device_label,
    )
    cookie = Cookie(
        key=COOKIE_NAME,
        value=signed.token,
        max_age=settings.session_days * 86400,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    return Response(Me(user=user_view(signed.principal)), cookies=[cookie])


@post("/logout", status_code=204, guards=[signed_in], summary="Sign out this browser")
async def logout(request: Req, db: DB) -> Response[None]:
    await service.logout(db, principal_of(request))
    response: Response[None] = Response(None, status_code=204)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@get("/me", guards=[signed_in], summary="The signed-in user, role, scope and language")
async def me(request: Req) -> Me:
    return Me(user=user_view(principal_of(request)))


@patch("/me", guards=[signed_in], summary="Change one's own preferences (language)")
async def update_me(request: Req, data: JSONBody[MeUpdate], db: DB) -> Me:
    principal = principal_of(request)
    if data.language is not None:
        async with db.write() as session, session.begin():
            await session.execute(
                update(User).where(col(User.id) == principal.id).values(language=data.language)
            )
        principal = msgspec.structs.replace(principal, language=data.language)
    return Me(user=user_view(principal))


auth_router = Router(path="/api/auth", route_handlers=[login, logout, me, update_me], tags=["auth"])
