"""The files an export is written as: CSV (for anything) and XLSX (for spreadsheets), row by row.

CSV follows RFC 4180 (CRLF, quotes doubled) and starts with a UTF-8 byte order mark, without which
Excel reads UTF-8 as a legacy code page and shows Arabic as mojibake. A text cell that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a
leading ``'``: what an inspector typed on a phone must never execute on a director's computer.

XLSX is written by openpyxl in write-only mode, which spools rows to a temporary file instead of
building the workbook in memory; cells keep their types (numbers, booleans, dates), and every text
is stored as a string cell, never a formula. Both writers take rows in chunks, so an export of any
size holds one chunk at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Final

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from backend.localtime import LOCAL_ZONE

Cell = str | int | float | bool | date | datetime | None
Row = Sequence[Cell]

BOM: Final = "\ufeff"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# Times are shown as the ministry lives them; Excel has no time zones, so the XLSX holds local time.
MEDIA_TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Excel's own limit on the text of a cell.
XLSX_TEXT_MAX: Final = 32_767


def neutralize(text: str) -> str:
    """``'=1+1`` for ``=1+1``: a text a spreadsheet would evaluate, made inert."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Cell) -> str:
    """The text of one CSV cell: ISO dates and local times with their offset, ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_ZONE).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    return neutralize(value)


class CsvWriter:
    """Encodes a header and then chunks of rows as UTF-8 CSV bytes."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def header(self, columns: Sequence[str]) -> bytes:
        """The byte order mark and the header line."""
        return (BOM + self._encode([columns])).encode("utf-8")

    def rows(self, rows: Iterable[Row]) -> bytes:
        """The lines of ``rows``."""
        return self._encode([[csv_cell(value) for value in row] for row in rows]).encode("utf-8")

    def _encode(self, rows: Iterable[Sequence[str]]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerows(rows)
        return self._buffer.getvalue()


class XlsxWriter:
    """One sheet with a bold header row, filled chunk by chunk, saved to ``path`` at the end.

    openpyxl is synchronous: call ``add`` and ``save`` from a worker thread.
    """

    def __init__(self, title: str, columns: Sequence[str], path: Path) -> None:
        self._path = path
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title=title[:31])
        self._sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for name in columns:
            cell = WriteOnlyCell(self._sheet, value=name)
            cell.font = bold
            header.append(cell)
        self._sheet.append(header)

    def add(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self._sheet.append([self._cell(value) for value in row])

    def save(self) -> None:
        self._book.save(self._path)

    def _cell(self, value: Cell) -> WriteOnlyCell | Cell:
        if isinstance(value, datetime):
            return value.astimezone(LOCAL_ZONE).replace(tzinfo=None)
        if not isinstance(value, str):
            return value
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_TEXT_MAX]
        cell = WriteOnlyCell(self._sheet, value=text)
        # openpyxl would store "=…" as a formula: a string cell is shown as typed and never runs.
        cell.data_type = "s"
        return cell
