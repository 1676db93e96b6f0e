"""How a reviewer reads answers: each item type worded in the page's language, odd values still shown."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.checklists.document import Item, Localized, Option
from backend.review.present import EMPTY, number_text, present

SHA = "ab" * 32
DAY = date(2026, 2, 1)


def item(kind: str, **fields: Any) -> Item:
    return Item(key="q", type=kind, label=Localized(ar="س", fr="Q", en="Q"), **fields)  # type: ignore[arg-type]


CHOICES = [
    Option(key="electronic", label=Localized(ar="إلكتروني", fr="Électronique", en="Electronic")),
    Option(key="manual", label=Localized(ar="يدوي", fr="Manuel", en="Manual")),
]


@pytest.mark.parametrize(
    ("kind", "fields", "value", "language", "expected"),
    [
        ("yes_no", {}, "yes", "fr", "Oui"),
        ("yes_no", {}, "no", "ar", "لا"),
        ("yes_no", {}, "na", "en", "Not applicable"),
        ("single_choice", {"options": CHOICES}, "manual", "ar", "يدوي"),
        ("multi_choice", {"options": CHOICES}, ["electronic", "manual"], "fr", "Électronique, Manuel"),
        ("multi_choice", {"options": CHOICES}, ["electronic", "manual"], "ar", "إلكتروني، يدوي"),
        ("multi_choice", {"options": CHOICES}, [], "en", "No option chosen"),
        ("rating", {}, 4, "en", "4 out of 5"),
        ("number", {"unit": "%"}, 87.5, "fr", "87.5\u00a0%"),
        ("number", {}, 12, "fr", "12"),
        ("duration", {"unit": "minutes"}, 25, "fr", "25\u00a0minutes"),
        ("duration", {"unit": "hours"}, 2, "ar", "2\u00a0ساعة"),
        ("date", {}, "2026-01-31", "fr", "2026-01-31"),
        ("time", {}, "08:30", "fr", "08:30"),
        ("text", {}, "Accueil correct", "fr", "Accueil correct"),
        ("gps", {}, {"lat": 36.75, "lon": 3.06, "accuracy_m": 12.4}, "fr", "36.75000, 3.06000 (± 12 m)"),
    ],
)
def test_answers_are_worded_by_type(
    kind: str, fields: dict[str, Any], value: Any, language: str, expected: str
) -> None:
    shown = present(item(kind, **fields), value, language, DAY)
    assert (shown.kind, shown.text) == ("text", expected)


def test_an_unanswered_item_is_a_dash() -> None:
    assert present(item("yes_no"), None, "fr", DAY) == EMPTY


@pytest.mark.parametrize(
    ("kind", "value"),
    [("yes_no", "maybe"), ("single_choice", "gone"), ("rating", "five"), ("number", "12"), ("gps", "here")],
)
def test_a_value_that_does_not_fit_its_item_is_shown_raw(kind: str, value: Any) -> None:
    shown = present(item(kind, options=CHOICES if kind == "single_choice" else None), value, "fr", DAY)
    assert shown.kind == "text" and value in shown.text


def test_photos_and_signatures_become_thumbnails_of_valid_hashes_only() -> None:
    photos = [{"attachment_id": "x", "sha256": SHA}, {"sha256": "../etc/passwd"}, {"sha256": SHA}]
    assert present(item("photo"), photos, "fr", DAY).photos == (SHA,)
    assert present(item("signature"), {"sha256": SHA, "signed_by": "M."}, "fr", DAY).photos == (SHA,)
    assert present(item("signature"), {"sha256": "nope"}, "fr", DAY).kind == "text"


def test_file_samples_show_each_processing_delay_and_a_summary() -> None:
    rows = [
        {"file": "D-1", "received": "2026-01-05", "processed": "2026-01-15"},
        {"file": "D-2", "received": "2026-01-20", "processed": None},
        {"file": "D-3", "received": "2026-01-20", "processed": "2026-01-10"},
        {"file": "D-4", "received": "2026-01-01", "processed": "2026-01-05"},
    ]
    shown = present(item("file_sample"), rows, "en", DAY)
    assert shown.kind == "rows" and len(shown.columns) == 4
    assert [row[3] for row in shown.rows] == [
        "10 days",
        "Waiting for 12 days",
        "Inconsistent dates",
        "4 days",
    ]
    assert shown.extra == ("Mean delay 7 days, longest 10 days, over 2 files.",)


def test_citizen_feedback_rows_and_mean_satisfaction() -> None:
    rows = [
        {"service": "Carte Chifa", "waiting_minutes": 40, "satisfaction": 2, "comment": "long"},
        {"service": "Affiliation", "waiting_minutes": None, "satisfaction": 5, "comment": ""},
    ]
    shown = present(item("citizen_feedback"), rows, "fr", DAY)
    assert shown.rows == (
        ("Carte Chifa", "40", "2 sur 5", "long"),
        ("Affiliation", "—", "5 sur 5", "—"),
    )
    assert shown.extra == ("Satisfaction moyenne 3.5 sur 5, sur 2 entretiens.",)


@pytest.mark.parametrize(("value", "text"), [(3, "3"), (3.0, "3"), (2.5, "2.5"), (1.256, "1.26")])
def test_numbers_are_written_without_noise(value: float, text: str) -> None:
    assert number_text(value) == text
