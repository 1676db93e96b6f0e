"""The pure rules of the follow-up of corrective actions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backend.actions.rules import (
    EVIDENCE_MAX_BYTES,
    ActionFilters,
    change_errors,
    days_late,
    evidence_type,
    is_overdue,
    next_statuses,
    order_key,
    parse_filters,
)
from backend.localtime import local_today

TODAY = date(2026, 3, 10)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_today_is_counted_in_algiers() -> None:
    # 23:30 UTC is already the next day in Algiers (UTC+1).
    assert local_today(datetime(2026, 3, 9, 23, 30, tzinfo=UTC)) == date(2026, 3, 10)
    assert local_today(datetime(2026, 3, 9, 22, 30, tzinfo=UTC)) == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("status", "deadline", "late", "days"),
    [
        ("open", date(2026, 3, 1), True, 9),
        ("in_progress", date(2026, 3, 9), True, 1),
        ("open", TODAY, False, 0),  # due today is not late yet
        ("open", date(2026, 4, 1), False, 0),
        ("done", date(2026, 3, 1), False, 0),  # done late is not overdue any more
        ("verified", date(2026, 1, 1), False, 0),
        ("open", None, False, 0),  # no deadline, never late
    ],
)
def test_overdue_and_days_late(status: str, deadline: date | None, late: bool, days: int) -> None:
    assert is_overdue(status, deadline, TODAY) is late
    assert days_late(status, deadline, TODAY) == days


def test_overdue_first_then_by_deadline_none_last() -> None:
    actions = [
        ("a", "open", date(2026, 5, 1)),
        ("b", "done", date(2026, 1, 1)),
        ("c", "in_progress", date(2026, 3, 2)),
        ("d", "open", None),
        ("e", "open", date(2026, 2, 1)),
        ("f", "open", date(2026, 3, 20)),
    ]
    ordered = sorted(actions, key=lambda a: order_key(a[1], a[2], TODAY))
    assert [name for name, *_ in ordered] == ["e", "c", "b", "f", "a", "d"]


@pytest.mark.parametrize(
    ("current", "role", "allowed"),
    [
        ("open", "central_inspector", ("in_progress", "done")),
        ("in_progress", "director", ("done",)),
        ("done", "central_inspector", ("open", "verified")),
        ("verified", "admin", ("open",)),
        ("done", "inspector", ()),  # verifying on a page is a reviewer's move
        ("open", "inspector", ("in_progress", "done")),
        ("nonsense", "admin", ()),
    ],
)
def test_next_statuses_follow_the_state_machine(current: str, role: str, allowed: tuple[str, ...]) -> None:
    assert next_statuses(current, role) == allowed


def test_a_legal_change_has_no_error() -> None:
    assert change_errors("open", "in_progress", "central_inspector", "", None) == {}
    assert change_errors("in_progress", "done", "director", "Affichage posé", JPEG) == {}
    assert change_errors("done", "verified", "central_inspector", "Vu sur place", PNG) == {}


def test_illegal_moves_are_named_on_the_status() -> None:
    assert change_errors("open", "verified", "central_inspector", "x", None) == {
        "status": "illegal_transition"
    }
    assert change_errors("done", "verified", "inspector", "x", None) == {"status": "not_reviewer"}
    assert change_errors("open", "open", "admin", "", None) == {"status": "illegal_transition"}
    assert change_errors("open", "closed", "admin", "", None) == {"status": "status_unknown"}


def test_done_and_verified_need_a_note() -> None:
    assert change_errors("in_progress", "done", "central_inspector", "", None) == {"note": "note_required"}
    assert change_errors("done", "verified", "admin", "", None) == {"note": "note_required"}
    assert change_errors("open", "in_progress", "admin", "x" * 4001, None) == {"note": "note_too_long"}


def test_evidence_must_be_a_small_jpeg_or_png() -> None:
    assert evidence_type(JPEG) == "image/jpeg"
    assert evidence_type(PNG) == "image/png"
    assert evidence_type(b"%PDF-1.7 ...") is None  # the blob service takes PDFs; a photo here is a photo
    assert evidence_type(b"<svg onload=alert(1)>") is None
    assert change_errors("open", "in_progress", "admin", "", b"GIF89a...") == {"evidence": "evidence_type"}
    assert change_errors("open", "in_progress", "admin", "", b"") == {"evidence": "evidence_type"}
    too_big = JPEG + b"\x00" * EVIDENCE_MAX_BYTES
    assert change_errors("open", "in_progress", "admin", "", too_big) == {"evidence": "evidence_too_large"}


def test_filters_ignore_what_means_nothing() -> None:
    assert parse_filters({}) == ActionFilters()
    parsed = parse_filters(
        {
            "status": "overdue",
            "owner": "  Benali ",
            "body": "CNAS",
            "wilaya": "16",
            "agency": "CNAS-16",
            "deadline_before": "2026-04-01",
        }
    )
    assert parsed == ActionFilters("overdue", "Benali", "CNAS", 16, "CNAS-16", date(2026, 4, 1))
    assert parsed.as_query()["deadline_before"] == "2026-04-01"
    junk = parse_filters({"status": "closed", "wilaya": "x16", "deadline_before": "tomorrow", "owner": "  "})
    assert junk == ActionFilters()
    assert parse_filters({"wilaya": "100"}).wilaya is None
