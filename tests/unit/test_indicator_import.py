"""Reading and validating indicator import files: CSV (BOM, semicolons), XLSX, and every row error."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from backend.indicators.importing import AgencyRef, Refused, read_table, validate

AGENCIES = {
    "CNAS-16": AgencyRef("id-cnas-16", True),
    "CNAS-31": AgencyRef("id-cnas-31", True),
    "CNR-16": AgencyRef("id-cnr-16", False),
}
HEADER = "agency_code,indicator,period_start,period_end,value"


def csv_bytes(*lines: str, delimiter: str = ",", bom: bool = False) -> bytes:
    text = "\r\n".join(line.replace(",", delimiter) for line in (HEADER, *lines)) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def errors_of(content: bytes, name: str = "r.csv") -> list[tuple[int, str, str]]:
    readings, errors = validate(read_table(name, content), AGENCIES)
    assert not readings or not errors
    return [(e.row, e.column, e.code) for e in errors]


def test_a_good_csv_gives_typed_readings() -> None:
    content = csv_bytes(
        "CNAS-16,satisfaction,2026-01-01,2026-03-31,3.5",
        "CNAS-31,collection_rate,2026-01-01,2026-03-31,88",
    )
    readings, errors = validate(read_table("r.csv", content), AGENCIES)
    assert errors == []
    assert [(r.row, r.agency_id, r.indicator, r.value, r.unit) for r in readings] == [
        (2, "id-cnas-16", "satisfaction", 3.5, "rating"),
        (3, "id-cnas-31", "collection_rate", 88.0, "pct"),
    ]
    assert readings[0].period_start == date(2026, 1, 1) and readings[0].period_end == date(2026, 3, 31)


@pytest.mark.parametrize("bom", [True, False])
def test_bom_and_semicolons_with_decimal_commas(bom: bool) -> None:
    content = csv_bytes("CNAS-16,processing_delay_days,2026-01-01,2026-03-31,12", delimiter=";", bom=bom)
    content += b"CNAS-31;satisfaction;01/01/2026;31/03/2026;4,25\r\n"
    readings, errors = validate(read_table("r.csv", content), AGENCIES)
    assert errors == []
    assert [r.value for r in readings] == [12.0, 4.25]
    assert readings[1].period_start == date(2026, 1, 1)


def test_every_bad_row_is_reported_and_nothing_is_returned() -> None:
    content = csv_bytes(
        "CNAS-16,satisfaction,2026-01-01,2026-03-31,3",  # row 2: fine
        "CNAS-16,satisfaction,2026-13-01,2026-03-31,3",  # row 3: bad date
        "XX-99,satisfaction,2026-01-01,2026-03-31,3",  # row 4: unknown agency
        "CNAS-16,happiness,2026-01-01,2026-03-31,3",  # row 5: unknown indicator
        "CNAS-16,satisfaction,2026-01-01,2026-03-31,7",  # row 6: out of range (a duplicate of 2, not reached)
        "CNR-16,collection_rate,2026-01-01,2026-03-31,50",  # row 7: out of scope
        "CNAS-31,collection_rate,2026-04-01,2026-03-31,abc",  # row 8: end before start, not a number
        "CNAS-31,collection_rate,2026-01-01,2026-03-31,",  # row 9: value missing
        "CNAS-16,satisfaction,2026-01-01,2026-03-31,4",  # row 10: same key as row 2
    )
    assert errors_of(content) == [
        (3, "period_start", "bad_date"),
        (4, "agency_code", "unknown_agency"),
        (5, "indicator", "unknown_indicator"),
        (6, "value", "out_of_range"),
        (7, "agency_code", "out_of_scope"),
        (8, "period_end", "end_before_start"),
        (8, "value", "bad_number"),
        (9, "value", "required"),
        (10, "period_start", "duplicate"),
    ]


def test_blank_lines_are_skipped_but_keep_the_numbering() -> None:
    content = csv_bytes("", "CNAS-16,satisfaction,2026-01-01,2026-03-31,9")
    assert errors_of(content) == [(3, "value", "out_of_range")]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_with_real_dates_and_numbers() -> None:
    content = xlsx_bytes(
        [
            ["value", "indicator", "agency_code", "period_start", "period_end"],  # any column order
            [91.5, "collection_rate", "CNAS-16", datetime(2026, 1, 1), date(2026, 3, 31)],  # noqa: DTZ001
            ["4", "satisfaction", "CNAS-31", "2026-01-01", "2026-03-31"],
            [2.0, "satisfaction", "CNAS-31", "2026-02-30", "2026-03-31"],
        ]
    )
    readings, errors = validate(read_table("readings.xlsx", content), AGENCIES)
    assert [(e.row, e.column, e.code) for e in errors] == [(4, "period_start", "bad_date")]
    assert readings == []
    good = xlsx_bytes(
        [
            ["agency_code", "indicator", "period_start", "period_end", "value"],
            ["CNAS-16", "collection_rate", datetime(2026, 1, 1), datetime(2026, 3, 31), 91.5],  # noqa: DTZ001  # cells are naive
        ]
    )
    readings, errors = validate(read_table("readings.xlsx", good), AGENCIES)
    assert errors == [] and readings[0].value == 91.5 and readings[0].period_end == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("readings.pdf", b"%PDF-1.7", "unknown_type"),
        ("readings.xlsx", b"not a zip", "unreadable"),
        ("readings.xlsx", b"PK\x03\x04broken", "unreadable"),
        ("readings.csv", "é".encode("latin-1") + b",x\n", "encoding"),
        ("readings.csv", b"x" * (2 * 1024 * 1024 + 1), "too_large"),
    ],
)
def test_unreadable_files_are_refused(name: str, content: bytes, code: str) -> None:
    with pytest.raises(Refused) as refused:
        read_table(name, content)
    assert refused.value.code == code


def test_missing_columns_and_empty_files_are_refused() -> None:
    with pytest.raises(Refused) as refused:
        validate(read_table("r.csv", b"agency_code,value\nCNAS-16,3\n"), AGENCIES)
    assert refused.value.code == "missing_columns" and "indicator" in refused.value.params["columns"]
    with pytest.raises(Refused) as refused:
        validate(read_table("r.csv", csv_bytes()), AGENCIES)
    assert refused.value.code == "empty"


def test_too_many_rows_are_refused() -> None:
    line = "CNAS-16,satisfaction,2026-01-01,2026-03-31,3\n"
    with pytest.raises(Refused) as refused:
        read_table("r.csv", (HEADER + "\n" + line * 20_001).encode())
    assert refused.value.code == "too_many_rows"
