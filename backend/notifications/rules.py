"""When to notify whom: pure rules over facts loaded elsewhere, with the clock given to them.

No web framework, no database: ``facts.py`` loads :class:`Facts`, :func:`evaluate` turns them into
:class:`Notice` values, and the scheduler stores them with ``INSERT … ON CONFLICT DO NOTHING`` on
``(user_id, kind, dedupe_key)``. A rule therefore runs every minute yet fires once per event: every
notice of one event carries the same ``dedupe_key`` whatever the time of the run, and the key names
what makes the event new (a new due date, a new submission, a new silence of a device) so that a
changed event notifies again.

Dates (due dates, deadlines) are calendar days in the ministry's time zone (``Policy.zone``).

Links follow the PWA's hash routes (``pwa/js/screens/routes.js``: ``#/`` the work list,
``#/visit/<id>`` a visit, ``#/visit/<id>/findings`` its findings and actions) for field users, and
the dashboard (``/dashboard?agency=<id>``) for directors.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final, Literal, get_args

from backend.authz.policy import agency_in_scope
from backend.authz.principal import Scope
from backend.i18n import translate

Kind = Literal[
    "visit_due",
    "visit_overdue",
    "action_due",
    "action_overdue",
    "critical_finding",
    "visit_returned",
    "device_unsynced",
]
# What a user may switch off; "test" (the settings screen's button) is always sent.
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)
TEST_KIND: Final = "test"
# Push urgency (RFC 8030 §5.3): a phone on a low battery still wakes up for these.
HIGH_URGENCY: Final = frozenset({"critical_finding", "action_overdue", "visit_returned"})

Clock = Callable[[], datetime]
WORK_LIST: Final = "/#/"
_SNIPPET = 140  # characters of a description quoted in a message


@dataclass(frozen=True, slots=True)
class Recipient:
    id: uuid.UUID
    role: str
    language: str
    scope: Scope
    off: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Place:
    """An agency, with what decides who sees it."""

    id: uuid.UUID
    body_code: str
    wilaya_code: int
    name_ar: str
    name_fr: str

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_fr  # no English names: French reads


@dataclass(frozen=True, slots=True)
class DueVisit:
    """A planned assignment with an assignee."""

    assignment_id: uuid.UUID
    agency_id: uuid.UUID
    assignee_id: uuid.UUID
    due_on: date


@dataclass(frozen=True, slots=True)
class OpenAction:
    """A corrective action still open or in progress, with a deadline."""

    action_id: uuid.UUID
    visit_id: uuid.UUID
    agency_id: uuid.UUID
    owner_id: uuid.UUID | None
    deadline: date
    description: str


@dataclass(frozen=True, slots=True)
class CriticalFinding:
    """A critical finding of a submitted visit."""

    finding_id: uuid.UUID
    visit_id: uuid.UUID
    agency_id: uuid.UUID
    description: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class ReturnedVisit:
    """A visit a reviewer sent back to its inspector (status ``returned``)."""

    visit_id: uuid.UUID
    agency_id: uuid.UUID
    inspector_id: uuid.UUID
    submitted_at: datetime
    comment: str


@dataclass(frozen=True, slots=True)
class StaleDevice:
    """A device that wrote to a visit still in draft and has not pushed since ``last_seen_at``.

    The server cannot see a phone's outbox; what it knows is that this device started work that is
    not submitted and has been silent since. That is the best evidence of unsynced changes it has.
    """

    device_id: uuid.UUID
    user_id: uuid.UUID
    label: str
    last_seen_at: datetime
    agency_id: uuid.UUID  # of one of its draft visits, named in the message


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the rules look at, loaded in a handful of bounded queries."""

    agencies: Mapping[uuid.UUID, Place] = field(default_factory=dict)
    users: Mapping[uuid.UUID, Recipient] = field(default_factory=dict)  # active users named by events
    directors: Sequence[Recipient] = ()  # every active director
    due_visits: Sequence[DueVisit] = ()
    open_actions: Sequence[OpenAction] = ()
    critical_findings: Sequence[CriticalFinding] = ()
    returned_visits: Sequence[ReturnedVisit] = ()
    stale_devices: Sequence[StaleDevice] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    visit_due_days: int = 3
    action_due_days: int = 3
    device_stale_days: int = 3
    lookback_days: int = 30  # older events never notify: a first run on old data stays quiet
    zone: tzinfo = UTC


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification to one user, already worded in their language."""

    user_id: uuid.UUID
    kind: str
    dedupe_key: str
    title: str
    body: str
    url: str

    @property
    def identity(self) -> tuple[uuid.UUID, str, str]:
        return (self.user_id, self.kind, self.dedupe_key)


def word(kind: str, language: str, **params: object) -> tuple[str, str]:
    """The title and body of a notification of ``kind`` (catalogue ``backend/i18n/messages.py``)."""
    return (
        translate(f"notify.{kind}.title", language, **params),
        translate(f"notify.{kind}.body", language, **params).strip(),
    )


def _notice(recipient: Recipient, kind: str, key: str, url: str, **params: object) -> Notice | None:
    if kind in recipient.off:
        return None
    title, body = word(kind, recipient.language, **params)
    return Notice(user_id=recipient.id, kind=kind, dedupe_key=key, title=title, body=body, url=url)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


def dashboard(place: Place) -> str:
    return f"/dashboard?agency={place.id}"


def _directors_of(facts: Facts, place: Place) -> Iterator[Recipient]:
    for director in facts.directors:
        if agency_in_scope(
            director.scope, body_code=place.body_code, wilaya_code=place.wilaya_code, agency_id=str(place.id)
        ):
            yield director


def visit_reminders(facts: Facts, policy: Policy, now: datetime) -> Iterator[Notice]:
    """To the assignee: the visit is due within ``visit_due_days``, then once when it is overdue."""
    today = now.astimezone(policy.zone).date()
    for visit in facts.due_visits:
        assignee = facts.users.get(visit.assignee_id)
        place = facts.agencies.get(visit.agency_id)
        if assignee is None or place is None:
            continue
        days_left = (visit.due_on - today).days
        if 0 <= days_left <= policy.visit_due_days:
            kind = "visit_due"
        elif -policy.lookback_days <= days_left < 0:
            kind = "visit_overdue"
        else:
            continue
        notice = _notice(
            assignee,
            kind,
            f"{visit.assignment_id}:{visit.due_on.isoformat()}",
            WORK_LIST,
            agency=place.name(assignee.language),
            date=visit.due_on.isoformat(),
        )
        if notice:
            yield notice


def action_reminders(facts: Facts, policy: Policy, now: datetime) -> Iterator[Notice]:
    """To the owner (when a user) and the directors in scope: deadline near, then overdue."""
    today = now.astimezone(policy.zone).date()
    for action in facts.open_actions:
        place = facts.agencies.get(action.agency_id)
        if place is None:
            continue
        days_left = (action.deadline - today).days
        if 0 <= days_left <= policy.action_due_days:
            kind = "action_due"
        elif -policy.lookback_days <= days_left < 0:
            kind = "action_overdue"
        else:
            continue
        owner = facts.users.get(action.owner_id) if action.owner_id else None
        links = [(owner, f"/#/visit/{action.visit_id}/findings")] if owner else []
        links += [(director, dashboard(place)) for director in _directors_of(facts, place)]
        for recipient, url in links:
            notice = _notice(
                recipient,
                kind,
                f"{action.action_id}:{action.deadline.isoformat()}",
                url,
                agency=place.name(recipient.language),
                action=_snippet(action.description),
                date=action.deadline.isoformat(),
            )
            if notice:
                yield notice


def critical_findings(facts: Facts, policy: Policy, now: datetime) -> Iterator[Notice]:
    """To the directors whose scope holds the agency, once per critical finding submitted."""
    for finding in facts.critical_findings:
        place = facts.agencies.get(finding.agency_id)
        if place is None or finding.submitted_at < now - timedelta(days=policy.lookback_days):
            continue
        for director in _directors_of(facts, place):
            notice = _notice(
                director,
                "critical_finding",
                str(finding.finding_id),
                dashboard(place),
                agency=place.name(director.language),
                finding=_snippet(finding.description),
            )
            if notice:
                yield notice


def returned_visits(facts: Facts, policy: Policy, now: datetime) -> Iterator[Notice]:
    """To the inspector, once per submission that a reviewer returned."""
    for visit in facts.returned_visits:
        inspector = facts.users.get(visit.inspector_id)
        place = facts.agencies.get(visit.agency_id)
        if inspector is None or place is None:
            continue
        if visit.submitted_at < now - timedelta(days=policy.lookback_days):
            continue
        notice = _notice(
            inspector,
            "visit_returned",
            f"{visit.visit_id}:{visit.submitted_at.isoformat()}",
            f"/#/visit/{visit.visit_id}",
            agency=place.name(inspector.language),
            comment=_snippet(visit.comment),
        )
        if notice:
            yield notice


def unsynced_devices(facts: Facts, policy: Policy, now: datetime) -> Iterator[Notice]:
    """To the device's user, once per silence: the key holds the time the device was last seen."""
    quiet_since = now - timedelta(days=policy.device_stale_days)
    for device in facts.stale_devices:
        user = facts.users.get(device.user_id)
        place = facts.agencies.get(device.agency_id)
        if user is None or place is None:
            continue
        if not (quiet_since - timedelta(days=policy.lookback_days) <= device.last_seen_at <= quiet_since):
            continue
        notice = _notice(
            user,
            "device_unsynced",
            f"{device.device_id}:{device.last_seen_at.isoformat()}",
            WORK_LIST,  # opening the app with a network is what sends the outbox
            device=device.label or str(device.device_id)[:8],
            date=device.last_seen_at.astimezone(policy.zone).date().isoformat(),
            agency=place.name(user.language),
        )
        if notice:
            yield notice


RULES: Final = (visit_reminders, action_reminders, critical_findings, returned_visits, unsynced_devices)


def evaluate(facts: Facts, policy: Policy, clock: Clock) -> list[Notice]:
    """Every notice the facts call for at ``clock()``, each identity once."""
    now = clock()
    seen: dict[tuple[uuid.UUID, str, str], Notice] = {}
    for rule in RULES:
        for notice in rule(facts, policy, now):
            seen.setdefault(notice.identity, notice)
    return list(seen.values())


def window(policy: Policy, now: datetime) -> tuple[date, date]:
    """The due dates and deadlines any rule may still act on at ``now`` (for the loader's queries)."""
    today = now.astimezone(policy.zone).date()
    ahead = max(policy.visit_due_days, policy.action_due_days)
    return today - timedelta(days=policy.lookback_days), today + timedelta(days=ahead)
