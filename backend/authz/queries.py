"""The scope of a principal as SQL, so that lists are filtered in the database, never after."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, select, true
from sqlmodel import col

from backend.authz.principal import Scope
from backend.db.tables import Agency, Body


def agency_scope_clause(scope: Scope) -> ColumnElement[bool]:
    """A WHERE clause on ``Agency`` that keeps the agencies in ``scope``."""
    match scope.kind:
        case "national":
            return true()
        case "bodies":
            body_ids = select(col(Body.id)).where(col(Body.code).in_(scope.ids))
            return col(Agency.body_id).in_(body_ids)
        case "wilayas":
            codes = [int(code) for code in scope.ids if code.isdigit()]
            return col(Agency.wilaya_code).in_(codes)
        case "agencies":
            ids = [uuid.UUID(value) for value in scope.ids if _is_uuid(value)]
            return col(Agency.id).in_(ids)
    return false()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
