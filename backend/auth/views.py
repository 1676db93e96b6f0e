"""Conversions from principals and tables to the wire."""

from __future__ import annotations

from backend.auth.wire import ScopeView, UserView
from backend.authz.principal import Principal


def user_view(principal: Principal) -> UserView:
    return UserView(
        id=principal.id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        scope=ScopeView(kind=principal.scope.kind, ids=list(principal.scope.ids)),
        language=principal.language,
    )
