"""The notification rules under a clock the test controls: each event notifies once, to the right
people, in their language, unless they switched that kind off."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.authz.principal import Scope
from backend.i18n import translate
from backend.i18n.language import LANGUAGES
from backend.notifications.rules import (
    KINDS,
    CriticalFinding,
    DueVisit,
    Facts,
    Notice,
    OpenAction,
    Place,
    Policy,
    Recipient,
    ReturnedVisit,
    StaleDevice,
    evaluate,
    window,
)

ALGIERS = ZoneInfo("Africa/Algiers")
POLICY = Policy(visit_due_days=3, action_due_days=2, device_stale_days=3, lookback_days=30, zone=ALGIERS)
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

AGENCY = Place(
    id=uuid.UUID(int=1), body_code="CNAS", wilaya_code=16, name_ar="وكالة الجزائر", name_fr="Agence d'Alger"
)
INSPECTOR = Recipient(
    id=uuid.UUID(int=10), role="inspector", language="ar", scope=Scope(kind="wilayas", ids=("16",))
)
OWNER = Recipient(
    id=uuid.UUID(int=11), role="inspector", language="fr", scope=Scope(kind="wilayas", ids=("16",))
)
NATIONAL = Recipient(id=uuid.UUID(int=20), role="director", language="en", scope=Scope(kind="national"))
CNAS = Recipient(
    id=uuid.UUID(int=21), role="director", language="ar", scope=Scope(kind="bodies", ids=("CNAS",))
)
CNR = Recipient(
    id=uuid.UUID(int=22), role="director", language="fr", scope=Scope(kind="bodies", ids=("CNR",))
)
ORAN = Recipient(
    id=uuid.UUID(int=23), role="director", language="fr", scope=Scope(kind="wilayas", ids=("31",))
)
DIRECTORS = (NATIONAL, CNAS, CNR, ORAN)


class Clock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Ledger:
    """What the database's unique (user_id, kind, dedupe_key) keeps: the first notice of each."""

    def __init__(self) -> None:
        self.kept: dict[tuple[uuid.UUID, str, str], tuple[datetime, Notice]] = {}

    def store(self, notices: list[Notice], at: datetime) -> list[Notice]:
        fresh = [notice for notice in notices if notice.identity not in self.kept]
        for notice in fresh:
            self.kept[notice.identity] = (at, notice)
        return fresh

    def kinds_of(self, user: Recipient) -> list[str]:
        return sorted(kind for (user_id, kind, _key) in self.kept if user_id == user.id)

    def first(self, user: Recipient, kind: str) -> tuple[datetime, Notice]:
        [entry] = [
            entry for (user_id, k, _key), entry in self.kept.items() if user_id == user.id and k == kind
        ]
        return entry


def facts(**events: object) -> Facts:
    users = {user.id: user for user in (INSPECTOR, OWNER, NATIONAL, CNAS, CNR, ORAN)}
    return Facts(agencies={AGENCY.id: AGENCY}, users=users, directors=DIRECTORS, **events)  # type: ignore[arg-type]


def run(
    clock: Clock, ledger: Ledger, the_facts: Facts, *, days: int, every_hours: float = 1
) -> Iterator[Notice]:
    """Run the rules like the scheduler does, every ``every_hours`` for ``days``."""
    end = clock.now + timedelta(days=days)
    while clock.now < end:
        yield from ledger.store(evaluate(the_facts, POLICY, clock), clock.now)
        clock.advance(hours=every_hours)


def test_a_visit_reminds_its_assignee_once_before_and_once_after_the_due_date() -> None:
    due_on = date(2026, 11, 10)
    visit = DueVisit(assignment_id=uuid.uuid4(), agency_id=AGENCY.id, assignee_id=INSPECTOR.id, due_on=due_on)
    clock, ledger = Clock(START), Ledger()

    sent = list(run(clock, ledger, facts(due_visits=[visit]), days=45))

    assert [n.kind for n in sent] == ["visit_due", "visit_overdue"]
    assert all(n.user_id == INSPECTOR.id for n in sent)
    due_at, due = ledger.first(INSPECTOR, "visit_due")
    overdue_at, overdue = ledger.first(INSPECTOR, "visit_overdue")
    # Calendar days of Algiers (UTC+1): "3 days before" starts at 23:00 UTC the day before.
    assert due_at == datetime(2026, 11, 6, 23, 0, tzinfo=UTC)
    assert overdue_at == datetime(2026, 11, 10, 23, 0, tzinfo=UTC)
    assert due.title == translate("notify.visit_due.title", "ar")
    assert "وكالة الجزائر" in due.body and "2026-11-10" in due.body
    assert due.url == overdue.url == "/#/"  # the work list, where the assignment is
    assert due.dedupe_key == overdue.dedupe_key  # one event; the kind tells the two reminders apart


def test_a_new_due_date_is_a_new_event() -> None:
    visit = DueVisit(
        assignment_id=uuid.uuid4(), agency_id=AGENCY.id, assignee_id=INSPECTOR.id, due_on=date(2026, 11, 3)
    )
    clock, ledger = Clock(START), Ledger()
    assert [n.kind for n in run(clock, ledger, facts(due_visits=[visit]), days=1)] == ["visit_due"]
    postponed = replace(visit, due_on=date(2026, 11, 5))
    assert [n.kind for n in run(clock, ledger, facts(due_visits=[postponed]), days=1)] == ["visit_due"]
    assert len(ledger.kept) == 2


def test_old_events_stay_quiet_on_a_first_run() -> None:
    long_ago = START.date() - timedelta(days=POLICY.lookback_days + 1)
    visit = DueVisit(
        assignment_id=uuid.uuid4(), agency_id=AGENCY.id, assignee_id=INSPECTOR.id, due_on=long_ago
    )
    finding = CriticalFinding(
        finding_id=uuid.uuid4(),
        visit_id=uuid.uuid4(),
        agency_id=AGENCY.id,
        description="x",
        submitted_at=START - timedelta(days=POLICY.lookback_days + 1),
    )
    assert evaluate(facts(due_visits=[visit], critical_findings=[finding]), POLICY, Clock(START)) == []
    first, last = window(POLICY, START)
    assert first == START.date() - timedelta(days=30) and last == START.date() + timedelta(days=3)


def test_an_action_reminds_its_owner_and_the_directors_whose_scope_holds_the_agency() -> None:
    action = OpenAction(
        action_id=uuid.uuid4(),
        visit_id=uuid.uuid4(),
        agency_id=AGENCY.id,
        owner_id=OWNER.id,
        deadline=date(2026, 11, 5),
        description="Afficher les horaires   d'ouverture\nà l'entrée",
    )
    clock, ledger = Clock(START), Ledger()

    list(run(clock, ledger, facts(open_actions=[action]), days=40, every_hours=3))

    for person in (OWNER, NATIONAL, CNAS):
        assert ledger.kinds_of(person) == ["action_due", "action_overdue"], person
    for person in (CNR, ORAN, INSPECTOR):
        assert ledger.kinds_of(person) == [], person
    _at, french = ledger.first(OWNER, "action_due")
    assert french.url == f"/#/visit/{action.visit_id}/findings"
    assert ledger.first(CNAS, "action_due")[1].url == f"/dashboard?agency={AGENCY.id}"
    assert french.title == "Échéance proche d'une action corrective"
    assert "« Afficher les horaires d'ouverture à l'entrée » à Agence d'Alger" in french.body
    _at, english = ledger.first(NATIONAL, "action_overdue")
    assert english.title == "Corrective action overdue"
    assert "Agence d'Alger" in english.body  # agencies have no English name: the French one reads


def test_preferences_are_respected_per_user_and_kind() -> None:
    owner = replace(OWNER, off=frozenset({"action_due"}))
    cnas = replace(CNAS, off=frozenset({"action_due", "action_overdue"}))
    action = OpenAction(
        action_id=uuid.uuid4(),
        visit_id=uuid.uuid4(),
        agency_id=AGENCY.id,
        owner_id=owner.id,
        deadline=date(2026, 11, 2),
        description="a",
    )
    the_facts = replace(
        facts(open_actions=[action]),
        users={owner.id: owner, NATIONAL.id: NATIONAL, CNAS.id: cnas},
        directors=(NATIONAL, cnas),
    )
    clock, ledger = Clock(START), Ledger()
    list(run(clock, ledger, the_facts, days=10))
    assert ledger.kinds_of(owner) == ["action_overdue"]
    assert ledger.kinds_of(cnas) == []
    assert ledger.kinds_of(NATIONAL) == ["action_due", "action_overdue"]


def test_a_critical_finding_notifies_each_director_in_scope_once() -> None:
    finding = CriticalFinding(
        finding_id=uuid.uuid4(),
        visit_id=uuid.uuid4(),
        agency_id=AGENCY.id,
        description="Salle d'attente fermée au public",
        submitted_at=START - timedelta(hours=1),
    )
    clock, ledger = Clock(START), Ledger()
    sent = list(run(clock, ledger, facts(critical_findings=[finding]), days=5))
    assert sorted(n.user_id.int for n in sent) == [NATIONAL.id.int, CNAS.id.int]
    assert {n.dedupe_key for n in sent} == {str(finding.finding_id)}
    _at, arabic = ledger.first(CNAS, "critical_finding")
    assert arabic.title == "ملاحظة حرجة" and "Salle d'attente fermée au public" in arabic.body
    assert arabic.url == f"/dashboard?agency={AGENCY.id}"


def test_a_returned_visit_notifies_its_inspector_once_per_return() -> None:
    visit = ReturnedVisit(
        visit_id=uuid.uuid4(),
        agency_id=AGENCY.id,
        inspector_id=INSPECTOR.id,
        submitted_at=START - timedelta(hours=2),
        comment="Photo du guichet manquante",
    )
    clock, ledger = Clock(START), Ledger()
    assert [n.kind for n in run(clock, ledger, facts(returned_visits=[visit]), days=2)] == ["visit_returned"]
    # Submitted again, returned again: a new event.
    again = replace(visit, submitted_at=clock.now)
    sent = list(run(clock, ledger, facts(returned_visits=[again]), days=2))
    assert [(n.kind, n.user_id) for n in sent] == [("visit_returned", INSPECTOR.id)]
    assert "Photo du guichet manquante" in sent[0].body
    assert sent[0].url == f"/#/visit/{visit.visit_id}"


def test_a_silent_device_with_work_in_progress_notifies_once_per_silence() -> None:
    device = StaleDevice(
        device_id=uuid.uuid4(), user_id=OWNER.id, label="Tablette 3", last_seen_at=START, agency_id=AGENCY.id
    )
    clock, ledger = Clock(START), Ledger()
    assert list(run(clock, ledger, facts(stale_devices=[device]), days=2, every_hours=6)) == []
    sent = list(run(clock, ledger, facts(stale_devices=[device]), days=10, every_hours=6))
    assert [n.kind for n in sent] == ["device_unsynced"]
    assert ledger.first(OWNER, "device_unsynced")[0] == START + timedelta(days=3)
    assert "« Tablette 3 »" in sent[0].body and "2026-11-01" in sent[0].body
    # It synced, then went quiet again: a new silence, a new notice.
    later = replace(device, last_seen_at=clock.now)
    assert list(run(clock, ledger, facts(stale_devices=[later]), days=2)) == []
    assert [n.kind for n in run(clock, ledger, facts(stale_devices=[later]), days=2)] == ["device_unsynced"]


def test_one_run_never_holds_the_same_notice_twice() -> None:
    """An owner who is also a director in scope gets one notice, not two."""
    owner_director = NATIONAL
    action = OpenAction(
        action_id=uuid.uuid4(),
        visit_id=uuid.uuid4(),
        agency_id=AGENCY.id,
        owner_id=owner_director.id,
        deadline=START.date(),
        description="a",
    )
    notices = evaluate(facts(open_actions=[action]), POLICY, Clock(START))
    identities = [n.identity for n in notices]
    assert len(identities) == len(set(identities))
    assert sorted(n.user_id.int for n in notices) == [NATIONAL.id.int, CNAS.id.int]


def test_unknown_people_and_places_are_skipped() -> None:
    stranger = uuid.uuid4()
    visit = DueVisit(
        assignment_id=uuid.uuid4(), agency_id=AGENCY.id, assignee_id=stranger, due_on=START.date()
    )
    elsewhere = DueVisit(
        assignment_id=uuid.uuid4(), agency_id=uuid.uuid4(), assignee_id=INSPECTOR.id, due_on=START.date()
    )
    assert evaluate(facts(due_visits=[visit, elsewhere]), POLICY, Clock(START)) == []


@pytest.mark.parametrize("kind", [*KINDS, "test"])
def test_every_kind_is_worded_in_every_language(kind: str) -> None:
    for language in LANGUAGES:
        for part in ("title", "body"):
            text = translate(f"notify.{kind}.{part}", language)
            assert text and text != translate("internal", language), (kind, part, language)
