"""The writers of the exports (CSV, XLSX), their request parsing and how answers read in the report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from backend.exports.answer_text import show_answer
from backend.exports.datasets import flatten, item_index
from backend.exports.filters import ExportRequest, FieldError, narrow, parse_export
from backend.exports.formats import CsvWriter, XlsxWriter, csv_cell, neutralize


def t(key: str, **params: object) -> str:
    return key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+33 6", "'+33 6"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        ("وكالة", "وكالة"),
        ("", ""),
    ],
)
def test_formulas_are_neutralized(text: str, expected: str) -> None:
    assert neutralize(text) == expected


def test_csv_cells_are_typed_text() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell(3) == "3" and csv_cell(87.5) == "87.5"
    assert csv_cell(-4) == "-4", "a real number is not a formula"
    assert csv_cell(date(2026, 11, 2)) == "2026-11-02"
    assert csv_cell(datetime(2026, 11, 2, 8, 0, tzinfo=UTC)) == "2026-11-02T09:00:00+01:00"


def test_csv_is_rfc_4180_with_a_bom() -> None:
    writer = CsvWriter()
    data = writer.header(["a", "b"]) + writer.rows([['x, "y"', "سطر\nثان"], ["=1", None]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[0] == "a,b"
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["a", "b"],
        ['x, "y"', "سطر\nثان"],
        ["'=1", ""],
    ]


def test_xlsx_keeps_types_and_never_writes_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    writer = XlsxWriter("visits", ["text", "n", "x", "day", "at", "flag"], path)
    writer.add([["=1+1", 3, 2.5, date(2026, 1, 2), datetime(2026, 1, 2, 8, tzinfo=UTC), True]])
    writer.add([["bad\x01char", None, None, None, None, False]])
    writer.save()
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == ["text", "n", "x", "day", "at", "flag"]
    assert rows[0][0].font.bold
    text, number, real, day, at, flag = rows[1]
    assert (text.value, text.data_type) == ("=1+1", "s")
    assert (number.value, number.data_type) == (3, "n") and real.value == 2.5
    assert day.is_date and day.value.isoformat() == "2026-01-02T00:00:00"
    assert at.value.isoformat() == "2026-01-02T09:00:00"
    assert flag.value is True and flag.data_type == "b"
    assert rows[2][0].value == "badchar"


def test_an_export_request_is_read_and_checked() -> None:
    request = parse_export(
        {
            "dataset": "actions",
            "format": "xlsx",
            "cycle": "2026-Q4",
            "wilaya": "16",
            "action_status": "overdue",
        }
    )
    assert request == ExportRequest(
        dataset="actions", format="xlsx", cycle="2026-Q4", wilaya=16, action_status="overdue"
    )
    assert isinstance(request, ExportRequest) and request.filename() == "rasd-actions-2026-Q4.xlsx"
    assert parse_export({"dataset": "visits", "format": "csv", "from": "2026-01-01"}).filename() == (  # type: ignore[union-attr]
        "rasd-visits-2026-01-01_end.csv"
    )
    # The action status only narrows the actions.
    visits = parse_export({"dataset": "visits", "format": "csv", "action_status": "open"})
    assert isinstance(visits, ExportRequest) and visits.action_status is None


def test_every_bad_field_is_named() -> None:
    errors = parse_export(
        {"format": "pdf", "from": "2026-13-01", "wilaya": "x", "agency": "<script>", "status": "lost"}
    )
    assert errors == [
        FieldError("dataset", "required"),
        FieldError("format", "choice"),
        FieldError("from", "date"),
        FieldError("wilaya", "wilaya"),
        FieldError("agency", "code"),
        FieldError("status", "choice"),
    ]
    assert parse_export({"dataset": "visits", "format": "csv", "from": "2026-05-01", "to": "2026-04-01"}) == [
        FieldError("to", "range")
    ]


def test_a_cycle_is_narrowed_by_dates() -> None:
    cycle = (date(2026, 10, 1), date(2026, 12, 31))
    assert narrow(None, None, cycle) == cycle
    assert narrow(date(2026, 11, 1), None, cycle) == (date(2026, 11, 1), date(2026, 12, 31))
    assert narrow(None, date(2027, 1, 5), cycle) == cycle
    assert narrow(date(2026, 1, 1), None, None) == (date(2026, 1, 1), None)


def test_answers_flatten_to_one_cell() -> None:
    assert flatten("yes") == "yes" and flatten(4) == 4 and flatten(None) is None
    assert flatten(["a", "b"]) == "a; b"
    assert flatten({"lat": 36.7, "lon": 3.1}) == '{"lat":36.7,"lon":3.1}'
    assert flatten([{"satisfaction": 4, "comment": "جيد"}]) == '[{"satisfaction":4,"comment":"جيد"}]'


DOCUMENT = {
    "sections": [
        {
            "key": "reception",
            "title": {"ar": "الاستقبال", "fr": "Accueil", "en": "Reception"},
            "items": [
                {"key": "desk", "type": "yes_no", "label": {"ar": "مكتب", "fr": "Bureau", "en": "Desk"}},
                {
                    "key": "queue",
                    "type": "multi_choice",
                    "label": {"ar": "الطابور", "fr": "File", "en": "Queue"},
                    "options": [
                        {"key": "ticket", "label": {"ar": "تذكرة", "fr": "Ticket", "en": "Ticket"}},
                        {"key": "screen", "label": {"ar": "شاشة", "fr": "Écran", "en": "Screen"}},
                    ],
                },
                {"key": "wait", "type": "duration", "unit": "minutes", "label": {"fr": "Attente"}},
                {"key": "files", "type": "file_sample", "label": {"fr": "Dossiers"}},
            ],
        }
    ]
}


def test_items_are_indexed_in_document_order_with_labels() -> None:
    index = item_index(DOCUMENT, "ar")
    assert list(index) == ["desk", "queue", "wait", "files"]
    assert (index["queue"].section, index["queue"].label, index["queue"].type) == (
        "reception",
        "الطابور",
        "multi_choice",
    )
    assert index["wait"].label == "Attente", "a missing language falls back to another"


def test_answers_read_as_words_in_the_report() -> None:
    items = {item["key"]: item for item in DOCUMENT["sections"][0]["items"]}  # type: ignore[index]
    assert show_answer(items["desk"], "no", "fr", t).text == "exports.report.answer_no"
    assert show_answer(items["queue"], ["ticket", "screen"], "fr", t).text == "Ticket; Écran"
    assert show_answer(items["queue"], ["ticket", "gone"], "ar", t).text == "تذكرة، gone"
    assert show_answer(items["wait"], 25, "fr", t).text == "25 exports.report.unit_minutes"
    sample = show_answer(items["files"], [{"received": "2026-01-01", "processed": "2026-01-11"}], "fr", t)
    assert sample.rows == [["2026-01-01", "2026-01-11", "10"]]
    assert show_answer(items["desk"], None, "fr", t).text == "—"
