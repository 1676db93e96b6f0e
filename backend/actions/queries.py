"""The SQL of the follow-up pages: which actions a user sees, filtered, ordered and counted.

Every query starts from ``visible`` so the scope is applied in the database, never after; lists are
bounded by the page size and use the indexes on ``action(status, deadline)`` and
``action(agency_id, status)``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Final, TypeAlias

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from backend.actions.rules import NOT_DONE, OVERDUE, ActionFilters
from backend.authz.principal import Scope
from backend.authz.queries import agency_scope_clause
from backend.db.tables import Action, ActionEvent, Agency, Body, Finding, User, Visit

Query: TypeAlias = Select[*tuple[Any, ...]]
# Actions of a visit still being drafted on a phone are not commitments yet; a deleted draft has none.
_UNSUBMITTED: Final = ("draft", "deleted")
SORTABLE: Final = ("deadline", "agency", "owner", "status")
_Owner = aliased(User)


def overdue(today: date) -> ColumnElement[bool]:
    """Still to do and past its deadline (the SQL twin of ``rules.is_overdue``)."""
    return and_(col(Action.status).in_(NOT_DONE), col(Action.deadline) < today)


def _visible(scope: Scope, query: Query) -> Query:
    return (
        query.join(Visit, col(Visit.id) == col(Action.visit_id))
        .join(Agency, col(Agency.id) == col(Action.agency_id))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .where(
            col(Action.deleted).is_(False),
            col(Visit.status).not_in(_UNSUBMITTED),
            agency_scope_clause(scope),
        )
    )


def _filtered(query: Query, filters: ActionFilters, today: date, *, by_status: bool) -> Query:
    if by_status and filters.status == OVERDUE:
        query = query.where(overdue(today))
    elif by_status and filters.status is not None:
        query = query.where(col(Action.status) == filters.status)
    if filters.owner:
        query = query.where(
            func.lower(col(Action.owner_name)).contains(filters.owner.lower(), autoescape=True)
        )
    if filters.body:
        query = query.where(col(Body.code) == filters.body)
    if filters.wilaya is not None:
        query = query.where(col(Agency.wilaya_code) == filters.wilaya)
    if filters.agency:
        query = query.where(col(Agency.code) == filters.agency)
    if filters.deadline_before is not None:
        query = query.where(col(Action.deadline) < filters.deadline_before)
    return query


def list_query(scope: Scope, filters: ActionFilters, today: date, *, sort: str, descending: bool) -> Query:
    """The rows of the list (without paging), in the order asked; overdue-then-deadline breaks ties."""
    # Overdue first, then the nearest deadline, actions without one last.
    priority = [case((overdue(today), 0), else_=1), col(Action.deadline).is_(None), col(Action.deadline)]
    if sort not in SORTABLE or (sort == "deadline" and not descending):
        order = priority
    elif sort == "deadline":
        order = [col(Action.deadline).is_(None), col(Action.deadline).desc()]
    else:
        column = {
            "agency": col(Agency.code),
            "owner": func.lower(col(Action.owner_name)),
            "status": col(Action.status),
        }[sort]
        order = [column.desc() if descending else column, *priority]
    query: Query = select(
        col(Action.id),
        col(Action.description),
        col(Action.owner_name),
        col(_Owner.display_name),
        col(Action.deadline),
        col(Action.status),
        col(Action.visit_id),
        col(Agency.id).label("agency_id"),
        col(Agency.code).label("agency_code"),
        col(Agency.name_ar),
        col(Agency.name_fr),
    ).outerjoin(_Owner, col(_Owner.id) == col(Action.owner_id))
    query = _filtered(_visible(scope, query), filters, today, by_status=True)
    return query.order_by(*order, col(Action.id))


def count_query(scope: Scope, filters: ActionFilters, today: date) -> Query:
    query = _visible(scope, select(func.count(col(Action.id))).select_from(Action))
    return _filtered(query, filters, today, by_status=True)


def status_counts_query(scope: Scope, filters: ActionFilters, today: date) -> Query:
    """Actions per status, and how many are overdue, under every filter but the status one."""
    query = select(
        col(Action.status),
        func.count(col(Action.id)),
        func.sum(case((overdue(today), 1), else_=0)),
    ).select_from(Action)
    query = _filtered(_visible(scope, query), filters, today, by_status=False)
    return query.group_by(col(Action.status))


def detail_query(scope: Scope, action_id: uuid.UUID) -> Query:
    """One action with its agency, body, visit and finding, if ``scope`` sees it."""
    query = (
        select(
            Action,
            col(Agency.code),
            col(Agency.name_ar),
            col(Agency.name_fr),
            col(Body.code),
            col(Visit.visit_day),
            col(Visit.status),
            col(Finding.severity),
            col(Finding.description),
            col(_Owner.display_name),
        )
        .select_from(Action)
        .outerjoin(Finding, col(Finding.id) == col(Action.finding_id))
        .outerjoin(_Owner, col(_Owner.id) == col(Action.owner_id))
    )
    return _visible(scope, query).where(col(Action.id) == action_id)


def history_query(action_id: uuid.UUID) -> Query:
    return (
        select(ActionEvent, col(User.display_name))
        .outerjoin(User, col(User.id) == col(ActionEvent.actor_id))
        .where(col(ActionEvent.action_id) == action_id)
        .order_by(col(ActionEvent.at), col(ActionEvent.id))
    )
