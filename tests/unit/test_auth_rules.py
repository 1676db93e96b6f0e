"""Pure rules of accounts: the rate limit, the language choice, scopes, the message catalogue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.auth.passwords import hash_password, verify_password
from backend.auth.ratelimit import locked_for
from backend.authz.policy import PERMISSIONS, agency_in_scope, may, scope_within
from backend.authz.principal import ROLES, Principal, Scope
from backend.i18n import LANGUAGES, negotiate, translate
from backend.i18n.messages import MESSAGES

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_four_failures_do_not_lock() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert locked_for(failures, NOW, limit=5, window=WINDOW) is None


def test_five_failures_lock_until_the_oldest_of_them_leaves_the_window() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 10)]
    assert locked_for(failures, NOW, limit=5, window=WINDOW) == timedelta(minutes=5)


def test_old_failures_are_forgotten() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (16, 17, 18, 19, 20, 1)]
    assert locked_for(failures, NOW, limit=5, window=WINDOW) is None


@pytest.mark.parametrize(
    ("query", "user", "header", "expected"),
    [
        ("fr", "en", "en-US", "fr"),
        (None, "en", "fr", "en"),
        (None, None, "de-DE,fr;q=0.8,en;q=0.9", "en"),
        (None, None, "de", "ar"),
        ("xx", None, None, "ar"),
        (None, None, "garbage;q=abc", "ar"),
    ],
)
def test_language_negotiation(query: str | None, user: str | None, header: str | None, expected: str) -> None:
    assert negotiate(query, user, header) == expected


def test_every_message_exists_in_three_languages_with_the_same_placeholders() -> None:
    import string

    for code, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), code
        fields = {
            frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)
            for text in entry.values()
        }
        assert len(fields) == 1, f"{code} has different placeholders per language"


def test_translate_fills_parameters_and_survives_missing_ones() -> None:
    assert "username" in translate("required", "en", field="username")
    assert translate("invalid", "fr", field="x").startswith("Valeur invalide")
    assert translate("no-such-code", "ar") == MESSAGES["internal"]["ar"]


AGENCY = {"body_code": "CNAS", "wilaya_code": 16, "agency_id": str(uuid.UUID(int=7))}


@pytest.mark.parametrize(
    ("scope", "inside"),
    [
        (Scope(kind="national"), True),
        (Scope(kind="bodies", ids=("CNAS",)), True),
        (Scope(kind="bodies", ids=("CNR",)), False),
        (Scope(kind="wilayas", ids=("16",)), True),
        (Scope(kind="wilayas", ids=("31",)), False),
        (Scope(kind="agencies", ids=(str(uuid.UUID(int=7)),)), True),
        (Scope(kind="agencies", ids=(str(uuid.UUID(int=8)),)), False),
        (Scope(kind="wilayas", ids=()), False),
    ],
)
def test_agency_in_scope(scope: Scope, inside: bool) -> None:
    assert agency_in_scope(scope, **AGENCY) is inside  # type: ignore[arg-type]


def test_scope_within() -> None:
    assert scope_within(Scope(kind="national"), Scope(kind="wilayas", ids=("16",)))
    assert scope_within(Scope(kind="wilayas", ids=("16", "31")), Scope(kind="wilayas", ids=("16",)))
    assert not scope_within(Scope(kind="wilayas", ids=("16",)), Scope(kind="wilayas", ids=("16", "31")))
    assert not scope_within(Scope(kind="bodies", ids=("CNAS",)), Scope(kind="wilayas", ids=("16",)))


def test_only_admins_manage_users_and_every_permission_names_known_roles() -> None:
    def principal(role: str) -> Principal:
        return Principal(
            id=uuid.uuid4(),
            username=role,
            display_name=role,
            role=role,  # type: ignore[arg-type]
            scope=Scope(kind="national"),
            language="ar",
            session_id=uuid.uuid4(),
        )

    assert [role for role in ROLES if may(principal(role), "users.manage")] == ["admin"]
    for permission, roles in PERMISSIONS.items():
        assert roles <= set(ROLES), permission


def test_password_hash_round_trip_and_unknown_user() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "wrong horse")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")
