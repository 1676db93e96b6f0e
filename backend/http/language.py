"""The language of a request."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from backend.authz.principal import Principal
from backend.i18n import negotiate


def request_language(connection: ASGIConnection) -> str:  # type: ignore[type-arg]
    user = connection.scope.get("user")
    return negotiate(
        connection.query_params.get("lang"),
        user.language if isinstance(user, Principal) else None,
        connection.headers.get("accept-language"),
    )
