"""Puts the signed-in principal (or None) on every request that is not a static file."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from backend.auth import service
from backend.auth.sessions import COOKIE_NAME


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    """Anonymous requests pass with ``user = None``; guards decide what needs a user."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
        token = connection.cookies.get(COOKIE_NAME)
        if not token or len(token) > 200:
            return AuthenticationResult(user=None, auth=None)
        principal = await service.resolve(connection.app.state.db, token)
        return AuthenticationResult(user=principal, auth=principal.session_id if principal else None)
