"""The SQL of the follow-up pages: which actions a user sees, filtered, ordered and counted.

A national list has ~220,000 actions at ``rasd demo --scale 40``, so no query of the list reads them
all but the one that counts them per status (and that one reads only the action rows, grouped, with
agencies and visits reduced to small sets first). A page of the list is the union of one bounded,
index-ordered query per status (``action(status, deadline)``), each taking at most ``offset + limit``
rows; the first ``offset + limit`` rows of the whole list are among them, so the outer query sorts a
few hundred rows at most. Lists narrowed to a few agencies (an agency, a wilaya, a scope of wilayas or
agencies) are read from ``action(agency_id, status)`` instead; sorting by agency or owner still sorts
every action in scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, Final, NamedTuple, TypeAlias

from sqlalchemy import ColumnElement, Select, and_, case, func, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import col

from backend.actions.rules import NOT_DONE, OVERDUE, STATUSES, ActionFilters
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


# -- what a user sees ----------------------------------------------------------------------------------
def _agency_clauses(scope: Scope, filters: ActionFilters) -> list[ColumnElement[bool]]:
    """Conditions on ``Agency`` keeping the agencies in scope and in the filters (none: all of them)."""
    clauses: list[ColumnElement[bool]] = []
    if scope.kind != "national":
        clauses.append(agency_scope_clause(scope))
    if filters.body:
        body = select(col(Body.id)).where(col(Body.code) == filters.body).scalar_subquery()
        clauses.append(col(Agency.body_id) == body)
    if filters.wilaya is not None:
        clauses.append(col(Agency.wilaya_code) == filters.wilaya)
    if filters.agency:
        clauses.append(col(Agency.code) == filters.agency)
    return clauses


def _agencies(scope: Scope, filters: ActionFilters) -> ColumnElement[bool] | None:
    """``action.agency_id IN (agencies in scope and filters)``; None when every agency is in."""
    clauses = _agency_clauses(scope, filters)
    if not clauses:
        return None
    return col(Action.agency_id).in_(select(col(Agency.id)).where(*clauses))


def _narrow(scope: Scope, filters: ActionFilters) -> bool:
    """Whether the list covers few agencies, so that reading them by agency beats the deadline order."""
    return scope.kind in ("wilayas", "agencies") or filters.wilaya is not None or bool(filters.agency)


def _action_filters(filters: ActionFilters, today: date, *, by_status: bool) -> list[ColumnElement[bool]]:
    """Conditions on the action row itself: not deleted, and the filters that are not about agencies."""
    clauses: list[ColumnElement[bool]] = [col(Action.deleted).is_(False)]
    if by_status and filters.status == OVERDUE:
        clauses.append(overdue(today))
    elif by_status and filters.status is not None:
        clauses.append(col(Action.status) == filters.status)
    if filters.owner:
        clauses.append(func.lower(col(Action.owner_name)).contains(filters.owner.lower(), autoescape=True))
    if filters.deadline_before is not None:
        clauses.append(col(Action.deadline) < filters.deadline_before)
    return clauses


def _submitted_visit(query: Query) -> Query:
    """Only actions of visits past the draft: one primary-key look-up per row, for bounded lists."""
    return query.join(Visit, col(Visit.id) == col(Action.visit_id)).where(
        col(Visit.status).not_in(_UNSUBMITTED)
    )


# -- counts ----------------------------------------------------------------------------------------------
def status_counts_query(scope: Scope, filters: ActionFilters, today: date) -> Query:
    """Actions per status, and how many are overdue, under every filter but the status one.

    The one query of the page that reads every action in scope, so it reads them from the index on
    ``action(agency_id, status)``, agency by agency, grouped in that order (no sort of the rows), and
    sums the few groups per status after. The visits still in draft are looked up first as a small set,
    by agency and status (``visit(agency_id, status)``), rather than joining every action to its visit.
    """
    drafts = (
        select(col(Visit.id))
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .where(col(Visit.status).in_(_UNSUBMITTED), *_agency_clauses(scope, filters))
    )
    per_agency: Query = select(
        col(Action.status).label("status"),
        func.count().label("actions"),
        func.sum(case((overdue(today), 1), else_=0)).label("late"),
    ).where(*_action_filters(filters, today, by_status=False), col(Action.visit_id).not_in(drafts))
    agencies = _agencies(scope, filters)
    if agencies is not None:
        per_agency = per_agency.where(agencies)
    groups = per_agency.group_by(col(Action.agency_id), col(Action.status)).subquery("groups")
    return select(groups.c.status, func.sum(groups.c.actions), func.sum(groups.c.late)).group_by(
        groups.c.status
    )


# -- one page of the list --------------------------------------------------------------------------------
class _Columns(NamedTuple):
    """The columns the list is ordered by, wherever they come from (the table or a subquery)."""

    id: Any
    status: Any
    deadline: Any
    agency_code: Any
    owner_name: Any


def _order(sort: str, descending: bool, columns: _Columns, today: date) -> list[Any]:
    """The order of the list: overdue first, then the nearest deadline, none last, unless another is
    asked; the id breaks the last ties so that pages never overlap."""
    status, deadline = columns.status, columns.deadline
    late = and_(status.in_(NOT_DONE), deadline < today)
    priority = [case((late, 0), else_=1), deadline.is_(None), deadline]
    if sort not in SORTABLE or (sort == "deadline" and not descending):
        order = priority
    elif sort == "deadline":
        order = [deadline.is_(None), deadline.desc()]
    else:
        column = {
            "agency": columns.agency_code,
            "owner": func.lower(columns.owner_name),
            "status": status,
        }[sort]
        order = [column.desc() if descending else column, *priority]
    return [*order, columns.id]


_ACTION_COLUMNS: Final = (
    col(Action.id),
    col(Action.description),
    col(Action.owner_name),
    col(Action.owner_id),
    col(Action.deadline),
    col(Action.status),
    col(Action.visit_id),
    col(Action.agency_id),
)


def _ranges(filters: ActionFilters) -> list[tuple[str, bool]]:
    """(status, has a deadline) of the ranges of ``action(status, deadline)`` a page may draw from."""
    if filters.status == OVERDUE:
        return [(status, True) for status in STATUSES if status in NOT_DONE]
    statuses: Sequence[str] = [filters.status] if filters.status in STATUSES else STATUSES
    undated = filters.deadline_before is None  # no deadline is ever before a day
    return [(status, dated) for status in statuses for dated in (True, False) if dated or undated]


def _by_ranges(scope: Scope, filters: ActionFilters, today: date, *, descending: bool, wanted: int) -> Any:
    """The first ``wanted`` actions of each (status, dated) range in deadline order: a few hundred rows
    that hold the first ``wanted`` of the whole list, ordered by deadline or by status."""
    clauses = _agency_clauses(scope, filters)
    parts = []
    for status, dated in _ranges(filters):
        part = _submitted_visit(select(*_ACTION_COLUMNS)).where(
            *_action_filters(filters, today, by_status=True), col(Action.status) == status
        )
        if clauses:
            # Checked row by row (EXISTS, not IN): with IN, SQLite may read every action of the agencies
            # and sort them, instead of following the deadline order for a few rows.
            agency = select(col(Agency.id)).where(col(Agency.id) == col(Action.agency_id), *clauses)
            part = part.where(agency.exists())
        if dated:
            deadline = col(Action.deadline).desc() if descending else col(Action.deadline)
            part = part.where(col(Action.deadline).is_not(None)).order_by(deadline, col(Action.id))
        else:
            part = part.where(col(Action.deadline).is_(None)).order_by(col(Action.id))
        # Wrapped: SQLite refuses ORDER BY and LIMIT on a member of a compound query.
        parts.append(select(part.limit(wanted).subquery()))
    return union_all(*parts).subquery("candidates")


def page_query(
    scope: Scope,
    filters: ActionFilters,
    today: date,
    *,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> Query:
    """The rows of one page of the list, in the order asked; overdue-then-deadline breaks ties.

    Sorted by deadline or status, each (status, with or without a deadline) range of
    ``action(status, deadline)`` is read in index order for at most ``offset + limit`` rows, so a page
    costs a few hundred rows however many actions there are. Narrowed to a few agencies (an agency, a
    wilaya, a scope of wilayas or agencies), the actions of those agencies are read by
    ``action(agency_id, status)`` and sorted. Sorted by agency, the agencies are walked in code order
    until the page is full; sorted by owner, every action in scope is sorted (no index on the name).
    """
    display: tuple[Any, ...] = (
        col(_Owner.display_name),
        col(Agency.code).label("agency_code"),
        col(Agency.name_ar),
        col(Agency.name_fr),
    )
    if sort not in ("agency", "owner") and not _narrow(scope, filters) and _ranges(filters):
        rows = _by_ranges(
            scope, filters, today, descending=sort == "deadline" and descending, wanted=offset + limit
        )
        query: Query = (
            select(*rows.c, *display)
            .join(Agency, col(Agency.id) == rows.c.agency_id)
            .outerjoin(_Owner, col(_Owner.id) == rows.c.owner_id)
        )
        columns = _Columns(rows.c.id, rows.c.status, rows.c.deadline, col(Agency.code), rows.c.owner_name)
    else:
        query = (
            _submitted_visit(select(*_ACTION_COLUMNS, *display))
            .join(Agency, col(Agency.id) == col(Action.agency_id))
            .outerjoin(_Owner, col(_Owner.id) == col(Action.owner_id))
            .where(*_action_filters(filters, today, by_status=True), *_agency_clauses(scope, filters))
        )
        columns = _Columns(
            col(Action.id), col(Action.status), col(Action.deadline), col(Agency.code), col(Action.owner_name)
        )
    return query.order_by(*_order(sort, descending, columns, today)).offset(offset).limit(limit)


# -- one action --------------------------------------------------------------------------------------
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
        .join(Visit, col(Visit.id) == col(Action.visit_id))
        .join(Agency, col(Agency.id) == col(Action.agency_id))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .outerjoin(Finding, col(Finding.id) == col(Action.finding_id))
        .outerjoin(_Owner, col(_Owner.id) == col(Action.owner_id))
    )
    return query.where(
        col(Action.id) == action_id,
        col(Action.deleted).is_(False),
        col(Visit.status).not_in(_UNSUBMITTED),
        agency_scope_clause(scope),
    )


def history_query(action_id: uuid.UUID) -> Query:
    return (
        select(ActionEvent, col(User.display_name))
        .outerjoin(User, col(User.id) == col(ActionEvent.actor_id))
        .where(col(ActionEvent.action_id) == action_id)
        .order_by(col(ActionEvent.at), col(ActionEvent.id))
    )
