"""Indicator readings: import of CSV and XLSX files (all rows or none, errors per row), entry of one
reading, scope of directors, and the listing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from httpx import AsyncClient, Response
from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import IndicatorReading
from backend.demo.seed import agency_uuid
from backend.i18n import translate
from tests.support.pages import open_page, page_sign_in, parse, rows, submit

HEADER = "agency_code,indicator,period_start,period_end,value\n"
IMPORT = "form[action='/manage/indicators/import']"


async def upload(client: AsyncClient, name: str, content: bytes, url: str = "/manage/indicators") -> Response:
    soup = await open_page(client, url)
    return await submit(client, soup, IMPORT, {}, files={"file": (name, content, "application/octet-stream")})


async def readings(db: Database) -> dict[tuple[str, str, str], float]:
    async with db.read() as session:
        found = await session.execute(
            select(
                col(IndicatorReading.agency_id),
                col(IndicatorReading.indicator),
                col(IndicatorReading.period_start),
                col(IndicatorReading.value),
            )
        )
        return {(str(a), i, s.isoformat()): v for a, i, s, v in found}


async def count(db: Database) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(IndicatorReading))).scalar_one()


def xlsx(rows_: list[list[Any]]) -> bytes:
    workbook = Workbook()
    for row in rows_:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_a_good_csv_then_an_xlsx_are_stored_and_counted(client: AsyncClient, seeded: Database) -> None:
    await page_sign_in(client, "central")
    content = (
        "\ufeff"
        + HEADER.replace(",", ";")
        + (
            "CNAS-16;satisfaction;2026-01-01;2026-03-31;3,5\n"
            "CNR-31;collection_rate;2026-01-01;2026-03-31;88\n"
        )
    )
    response = await upload(client, "q1.csv", content.encode())
    assert response.status_code == 303, response.text[:2000]
    assert "created=2" in response.headers["location"] and "updated=0" in response.headers["location"]
    stored = await readings(seeded)
    assert stored == {
        (str(agency_uuid("CNAS-16")), "satisfaction", "2026-01-01"): 3.5,
        (str(agency_uuid("CNR-31")), "collection_rate", "2026-01-01"): 88.0,
    }
    summary = await open_page(client, response.headers["location"])
    assert summary.select_one(".notice--ok") is not None

    workbook = xlsx(
        [
            ["agency_code", "indicator", "period_start", "period_end", "value"],
            ["CNAS-16", "satisfaction", "2026-01-01", "2026-03-31", 4.0],  # replaces 3.5
            ["CNAS-16", "processing_delay_days", "2026-01-01", "2026-03-31", 21],
        ]
    )
    response = await upload(client, "q1.xlsx", workbook)
    assert response.status_code == 303
    assert "created=1" in response.headers["location"] and "updated=1" in response.headers["location"]
    assert await count(seeded) == 3
    assert (await readings(seeded))[(str(agency_uuid("CNAS-16")), "satisfaction", "2026-01-01")] == 4.0

    page = await open_page(client, "/manage/indicators?indicator=satisfaction")
    assert [row[0].split()[0] for row in rows(page, "table#readings")] == ["CNAS-16"]
    by_value = await open_page(client, "/manage/indicators?sort=value&order=desc")
    assert rows(by_value, "table#readings")[0][0].startswith("CNR-31")


async def test_a_file_with_bad_rows_writes_nothing_and_lists_every_error(
    client: AsyncClient, seeded: Database
) -> None:
    await page_sign_in(client, "central")
    content = HEADER + (
        "CNAS-16,satisfaction,2026-01-01,2026-03-31,3\n"  # row 2
        "CNAS-16,satisfaction,2026-02-30,2026-03-31,3\n"  # row 3: no such day
        "CNAS-31,collection_rate,2026-01-01,2026-03-31,50\n"  # row 4
        "CNAS-31,satisfaction,2026-01-01,2026-03-31,6\n"  # row 5: out of range
    )
    response = await upload(client, "bad.csv", content.encode(), "/manage/indicators?lang=fr")
    assert response.status_code == 422
    page = parse(response)
    errors = {(tag["data-row"], tag["data-column"]) for tag in page.select("table#import-errors tbody tr")}
    assert errors == {("3", "period_start"), ("5", "value")}
    lang = str(page.html["lang"])  # type: ignore[index]
    reasons = [row[2] for row in rows(page, "table#import-errors")]
    assert translate("indicators.error.out_of_range", lang, min="1", max="5") in reasons
    assert await count(seeded) == 0

    refused = await upload(client, "readings.ods", b"whatever")
    assert refused.status_code == 422 and parse(refused).select_one("#import-problem") is not None
    assert await count(seeded) == 0


async def test_directors_import_and_enter_only_within_their_scope(
    make_client: Callable[[], AsyncClient], seeded: Database
) -> None:
    async with make_client() as director:
        await page_sign_in(director, "director.cnas")
        content = (
            HEADER
            + "CNAS-16,collection_rate,2026-01-01,2026-03-31,70\n"
            + "CNR-16,collection_rate,2026-01-01,2026-03-31,70\n"
        )
        response = await upload(director, "scope.csv", content.encode())
        assert response.status_code == 422
        page = parse(response)
        assert [
            (tag["data-row"], tag["data-column"]) for tag in page.select("table#import-errors tbody tr")
        ] == [("3", "agency_code")]
        assert await count(seeded) == 0

        soup = await open_page(director, "/manage/indicators")
        typed = {
            "agency_code": "CNR-16",
            "indicator": "satisfaction",
            "period_start": "2026-01-01",
            "period_end": "2025-12-31",
            "value": "3",
        }
        bad = await submit(director, soup, "form[action='/manage/indicators']", typed)
        assert bad.status_code == 422
        page = parse(bad)
        assert page.select_one("#agency_code")["value"] == "CNR-16"  # type: ignore[index]
        assert (
            page.select_one("#agency_code-error") is not None
            and page.select_one("#period_end-error") is not None
        )
        assert await count(seeded) == 0

        good = await submit(
            director,
            soup,
            "form[action='/manage/indicators']",
            typed | {"agency_code": "CNAS-16", "period_end": "2026-03-31"},
        )
        assert good.status_code == 303
        assert await count(seeded) == 1

    async with make_client() as central:
        await page_sign_in(central, "central")
        await upload(
            central, "cnr.csv", (HEADER + "CNR-16,collection_rate,2026-01-01,2026-03-31,70\n").encode()
        )
        assert await count(seeded) == 2
    async with make_client() as director:
        await page_sign_in(director, "director.cnas")
        page = await open_page(director, "/manage/indicators")
        assert [row[0].split()[0] for row in rows(page, "table#readings")] == ["CNAS-16"]
