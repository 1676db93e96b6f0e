"""Litestar guards: every protected route names the permission it needs."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from backend.authz.policy import may
from backend.authz.principal import Principal
from backend.errors import Forbidden, NotAuthenticated

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]  # type: ignore[type-arg]


def principal_of(connection: ASGIConnection) -> Principal:  # type: ignore[type-arg]
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthenticated()
    return user


def signed_in(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    principal_of(connection)


def requires(permission: str) -> Guard:
    """A guard that lets through only the roles that hold ``permission``."""

    def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        if not may(principal_of(connection), permission):
            raise Forbidden()

    guard.__name__ = f"requires_{permission.replace('.', '_')}"
    return guard
