"""Pure rules: is an agency in a scope, may a role do an action. No web framework, no database."""

from __future__ import annotations

from typing import Final

from backend.authz.principal import Principal, Scope

# What each role may do, by verb. Scope is checked separately, on the data.
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "agencies.read": frozenset({"inspector", "central_inspector", "director", "admin"}),
    "users.manage": frozenset({"admin"}),
    "devices.revoke": frozenset({"admin"}),
    "visits.write": frozenset({"inspector", "central_inspector"}),
    "visits.review": frozenset({"central_inspector", "director", "admin"}),
    "templates.manage": frozenset({"central_inspector", "admin"}),
    "planning.manage": frozenset({"central_inspector", "admin"}),
    "dashboard.read": frozenset({"central_inspector", "director", "admin"}),
    "indicators.write": frozenset({"central_inspector", "director", "admin"}),
}


def may(principal: Principal, permission: str) -> bool:
    return principal.role in PERMISSIONS.get(permission, frozenset())


def agency_in_scope(scope: Scope, *, body_code: str, wilaya_code: int, agency_id: str) -> bool:
    """True when the agency is inside the scope. Unknown kinds see nothing."""
    match scope.kind:
        case "national":
            return True
        case "bodies":
            return body_code in scope.ids
        case "wilayas":
            return str(wilaya_code) in scope.ids
        case "agencies":
            return agency_id in scope.ids


def scope_within(outer: Scope, inner: Scope) -> bool:
    """True when everything ``inner`` covers is covered by ``outer`` (an admin cannot grant more than
    national; a body scope cannot be widened by a wilaya grant)."""
    if outer.kind == "national":
        return True
    return outer.kind == inner.kind and set(inner.ids) <= set(outer.ids)
