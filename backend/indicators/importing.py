"""Reading an import file of indicator readings (CSV or XLSX) and validating every row: pure.

The file's columns are ``agency_code, indicator, period_start, period_end, value`` (a header row,
in any order). Rows are numbered as a spreadsheet shows them: the header is row 1. Every row is
checked before anything is written; ``validate`` returns either the readings or every error found.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final, NamedTuple

from backend.indicators.catalog import CATALOG

MAX_BYTES: Final = 2 * 1024 * 1024
MAX_ROWS: Final = 20_000
COLUMNS: Final = ("agency_code", "indicator", "period_start", "period_end", "value")
_XLSX_MAGIC: Final = b"PK\x03\x04"


class RowError(NamedTuple):
    row: int  # 0 for the file as a whole
    column: str
    code: str  # catalogue key indicators.error.<code>
    params: dict[str, Any]


class Refused(ValueError):
    """The file as a whole cannot be read (type, size, header)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class AgencyRef(NamedTuple):
    id: Any
    in_scope: bool


class Reading(NamedTuple):
    row: int
    agency_id: Any
    indicator: str
    period_start: date
    period_end: date
    value: float
    unit: str


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """The rows of the file (header first), cells as read. Raises ``Refused``."""
    if len(content) > MAX_BYTES:
        raise Refused("too_large", limit=MAX_BYTES // (1024 * 1024))
    name = filename.lower()
    if name.endswith(".xlsx") or content.startswith(_XLSX_MAGIC):
        if not content.startswith(_XLSX_MAGIC):
            raise Refused("unreadable")
        return _xlsx(content)
    if name.endswith((".csv", ".txt")):
        return _csv(content)
    raise Refused("unknown_type")


def _csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")  # with or without the BOM Excel writes
    except UnicodeDecodeError as error:
        raise Refused("encoding") from error
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if number > MAX_ROWS + 1:
            raise Refused("too_many_rows", limit=MAX_ROWS)
        rows.append(row)
    return rows


def _xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # imported when needed

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise Refused("unreadable") from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(max_col=len(COLUMNS) + 10, values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise Refused("too_many_rows", limit=MAX_ROWS)
            rows.append(list(row))
        return rows
    finally:
        workbook.close()


def _blank(row: Sequence[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def header_positions(header: Sequence[Any]) -> dict[str, int]:
    names = [str(cell or "").strip().lower() for cell in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise Refused("missing_columns", columns=", ".join(missing))
    return {column: names.index(column) for column in COLUMNS}


def agency_codes(table: Sequence[Sequence[Any]]) -> set[str]:
    """The agency codes the file names (to look them up in one query)."""
    if not table:
        return set()
    position = header_positions(table[0])["agency_code"]
    return {
        str(row[position]).strip() for row in table[1:] if len(row) > position and row[position] is not None
    }


def _day(cell: Any) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = str(cell or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  # a calendar day, no time
        except ValueError:
            continue
    return None


def _value(cell: Any) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        number = float(cell)
    else:
        text = str(cell or "").strip().replace("\u202f", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as French spreadsheets write it
        try:
            number = float(text)
        except ValueError:
            return None
    return number if number == number and abs(number) != float("inf") else None


def validate(
    table: Sequence[Sequence[Any]], agencies: Mapping[str, AgencyRef]
) -> tuple[list[Reading], list[RowError]]:
    """Every data row checked; readings only when there is no error at all."""
    if not table or all(_blank(row) for row in table[1:]):
        raise Refused("empty")
    positions = header_positions(table[0])
    readings: list[Reading] = []
    errors: list[RowError] = []
    seen: dict[tuple[Any, str, date, date], int] = {}
    for number, row in enumerate(table[1:], start=2):
        if _blank(row):
            continue
        cells = {column: row[index] if index < len(row) else None for column, index in positions.items()}
        row_errors = list(_check_row(number, cells, agencies))
        if row_errors:
            errors += row_errors
            continue
        reading = _reading(number, cells, agencies)
        key = (reading.agency_id, reading.indicator, reading.period_start, reading.period_end)
        if key in seen:
            errors.append(RowError(number, "period_start", "duplicate", {"other": seen[key]}))
            continue
        seen[key] = number
        readings.append(reading)
    return ([] if errors else readings), errors


def _check_row(
    number: int, cells: Mapping[str, Any], agencies: Mapping[str, AgencyRef]
) -> Iterable[RowError]:
    for column in COLUMNS:
        if cells[column] is None or str(cells[column]).strip() == "":
            yield RowError(number, column, "required", {})
    code = str(cells["agency_code"] or "").strip()
    if code:
        agency = agencies.get(code)
        if agency is None:
            yield RowError(number, "agency_code", "unknown_agency", {"value": code[:40]})
        elif not agency.in_scope:
            yield RowError(number, "agency_code", "out_of_scope", {"value": code[:40]})
    indicator = CATALOG.get(str(cells["indicator"] or "").strip())
    if cells["indicator"] not in (None, "") and indicator is None:
        yield RowError(number, "indicator", "unknown_indicator", {"value": str(cells["indicator"])[:40]})
    days = {}
    for column in ("period_start", "period_end"):
        if cells[column] not in (None, ""):
            days[column] = _day(cells[column])
            if days[column] is None:
                yield RowError(number, column, "bad_date", {"value": str(cells[column])[:40]})
    start, end = days.get("period_start"), days.get("period_end")
    if start is not None and end is not None and end < start:
        yield RowError(number, "period_end", "end_before_start", {})
    if cells["value"] not in (None, ""):
        value = _value(cells["value"])
        if value is None:
            yield RowError(number, "value", "bad_number", {"value": str(cells["value"])[:40]})
        elif indicator is not None and not indicator.minimum <= value <= indicator.maximum:
            yield RowError(
                number,
                "value",
                "out_of_range",
                {"min": f"{indicator.minimum:g}", "max": f"{indicator.maximum:g}"},
            )


def _reading(number: int, cells: Mapping[str, Any], agencies: Mapping[str, AgencyRef]) -> Reading:
    indicator = CATALOG[str(cells["indicator"]).strip()]
    start, end, value = _day(cells["period_start"]), _day(cells["period_end"]), _value(cells["value"])
    if start is None or end is None or value is None:  # checked by _check_row
        raise ValueError(number)
    return Reading(
        row=number,
        agency_id=agencies[str(cells["agency_code"]).strip()].id,
        indicator=indicator.key,
        period_start=start,
        period_end=end,
        value=value,
        unit=indicator.unit,
    )
