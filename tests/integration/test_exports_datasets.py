"""Exports of the four datasets as CSV and XLSX on SQLite and PostgreSQL: the form, the rows in
scope and their filters, neutralized formulas, who may export, and streaming in bounded chunks.

The visit report's PDF is tested in test_exports_report.py; the data comes from tests/support/exports.py.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Callable
from datetime import date

import openpyxl
import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select

from backend.db.engine import Database
from backend.db.tables import Agency, User, Visit
from backend.exports.datasets import COLUMNS, PAGE_SIZES, Exporter
from backend.exports.filters import ExportRequest
from tests.support.clients import sign_in
from tests.support.exports import CYCLE, add_cycle, make_visits, parse_csv
from tests.support.pages import open_page

VISIT_COLUMNS = list(COLUMNS["visits"])


@pytest.fixture
async def template_id(seeded: Database) -> uuid.UUID:
    return await add_cycle(seeded)


@pytest.fixture
async def visits(make_client: Callable[[], AsyncClient], template_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Three visits in Algiers: two in the cycle (CNAS, CNR), one after it."""
    return await make_visits(make_client, template_id)


async def test_the_export_page_offers_datasets_formats_and_filters(
    client: AsyncClient, template_id: uuid.UUID
) -> None:
    await sign_in(client, "director")
    soup = await open_page(client, "/dashboard/exports?lang=fr")
    form = soup.select_one("form[action='/dashboard/exports/download']")
    assert form is not None and form.get("method") == "get"
    assert [o["value"] for o in form.select("select[name=dataset] option")] == [
        "visits",
        "answers",
        "findings",
        "actions",
    ]
    assert {b["value"] for b in form.select("button[name=format]")} == {"csv", "xlsx"}
    assert CYCLE in [o["value"] for o in form.select("select[name=cycle] option")]
    assert {"from", "to", "agency"} <= {i["name"] for i in form.select("input")}
    assert len(form.select("select[name=wilaya] option")) == 59  # "all" and 58 wilayas


async def test_visits_of_a_cycle_as_csv(client: AsyncClient, visits: dict[str, uuid.UUID]) -> None:
    await sign_in(client, "director")
    response = await client.get(f"/dashboard/exports/download?dataset=visits&format=csv&cycle={CYCLE}")
    assert response.headers["content-disposition"] == f'attachment; filename="rasd-visits-{CYCLE}.csv"'
    rows = parse_csv(response)
    assert list(rows[0].keys()) == VISIT_COLUMNS
    assert [row["visit_id"] for row in rows] == [str(visits["cnas"]), str(visits["cnr"])]
    first = rows[0]
    assert first["agency_code"] == "CNAS-16" and first["agency_name_ar"].startswith("وكالة CNAS")
    assert first["agency_name_fr"].startswith("Agence CNAS")
    assert (first["body"], first["wilaya_code"], first["inspector"]) == ("CNAS", "16", "inspector")
    assert (first["status"], first["visit_day"]) == ("submitted", "2031-04-10")
    assert first["started_at"] == "2031-04-10T09:30:00+01:00"  # local time of Algiers, with its offset
    assert float(first["score_pct"]) > 0

    ranged = parse_csv(
        await client.get(
            "/dashboard/exports/download?dataset=visits&format=csv&from=2031-05-01&to=2031-12-31"
        )
    )
    assert [row["visit_id"] for row in ranged] == [str(visits["cnr"]), str(visits["later"])]
    agency = parse_csv(
        await client.get("/dashboard/exports/download?dataset=visits&format=csv&agency=CNR-16")
    )
    assert [row["visit_id"] for row in agency] == [str(visits["cnr"])]


async def test_a_director_of_a_body_exports_only_its_body(
    client: AsyncClient, visits: dict[str, uuid.UUID]
) -> None:
    await sign_in(client, "director.cnas")
    rows = parse_csv(await client.get(f"/dashboard/exports/download?dataset=visits&format=csv&cycle={CYCLE}"))
    assert [row["visit_id"] for row in rows] == [str(visits["cnas"])]
    assert {row["body"] for row in rows} == {"CNAS"}
    # Asking for another body gives nothing rather than widening the scope.
    rows = parse_csv(await client.get("/dashboard/exports/download?dataset=answers&format=csv&body=CNR"))
    assert rows == []


async def test_a_text_that_would_be_a_formula_is_neutralized(
    client: AsyncClient, visits: dict[str, uuid.UUID]
) -> None:
    await sign_in(client, "central")
    rows = parse_csv(
        await client.get(f"/dashboard/exports/download?dataset=actions&format=csv&cycle={CYCLE}")
    )
    assert len(rows) == 1
    assert list(rows[0].keys()) == list(COLUMNS["actions"])
    assert rows[0]["description"].startswith("'=HYPERLINK(")
    assert (rows[0]["owner"], rows[0]["status"], rows[0]["overdue"]) == ("مدير الوكالة", "open", "true")
    assert rows[0]["visit_id"] == str(visits["cnas"])
    overdue = await client.get("/dashboard/exports/download?dataset=actions&format=csv&action_status=overdue")
    assert len(parse_csv(overdue)) == 1
    done = await client.get("/dashboard/exports/download?dataset=actions&format=csv&action_status=done")
    assert parse_csv(done) == []

    book = await client.get(f"/dashboard/exports/download?dataset=actions&format=xlsx&cycle={CYCLE}")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("description") + 1)
    assert cell.data_type == "s" and str(cell.value).startswith("=HYPERLINK(")  # text, never a formula


async def test_visits_as_xlsx_have_the_same_rows_with_typed_cells(
    client: AsyncClient, visits: dict[str, uuid.UUID]
) -> None:
    await sign_in(client, "admin")
    response = await client.get(f"/dashboard/exports/download?dataset=visits&format=xlsx&cycle={CYCLE}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"] == f'attachment; filename="rasd-visits-{CYCLE}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0] == VISIT_COLUMNS
    records = [dict(zip(VISIT_COLUMNS, row, strict=True)) for row in table[1:]]
    assert [r["visit_id"] for r in records] == [str(visits["cnas"]), str(visits["cnr"])]
    first = records[0]
    # A date cell (openpyxl reads dates back as datetimes).
    assert first["visit_day"].isoformat() == "2031-04-10T00:00:00"
    assert first["started_at"].isoformat() == "2031-04-10T09:30:00"  # local time; Excel has no time zones
    assert isinstance(first["score_pct"], float) and isinstance(first["wilaya_code"], int)
    assert first["agency_name_ar"].startswith("وكالة CNAS")


async def test_answers_and_findings_carry_item_labels_in_the_chosen_language(
    client: AsyncClient, visits: dict[str, uuid.UUID]
) -> None:
    await sign_in(client, "director")
    url = f"/dashboard/exports/download?dataset=answers&format=csv&cycle={CYCLE}&agency=CNAS-16&lang=fr"
    rows = parse_csv(await client.get(url))
    assert list(rows[0].keys()) == list(COLUMNS["answers"])
    by_key = {row["item_key"]: row for row in rows}
    assert set(by_key) == {"signage", "reception_quality", "information_display"}
    assert [row["item_key"] for row in rows] == ["reception_quality", "signage", "information_display"]
    assert by_key["signage"]["item_label"].startswith("La signalétique")
    assert (by_key["signage"]["section"], by_key["signage"]["item_type"]) == ("reception", "yes_no")
    assert by_key["information_display"]["value"] == "opening_hours; digital_services"
    assert by_key["reception_quality"]["value"] == "4"

    arabic = parse_csv(await client.get(url.replace("lang=fr", "lang=ar")))
    assert re.search(r"[\u0600-\u06FF]", arabic[0]["item_label"])

    findings = parse_csv(
        await client.get(f"/dashboard/exports/download?dataset=findings&format=csv&cycle={CYCLE}&lang=fr")
    )
    assert [(f["visit_id"], f["item_key"], f["severity"]) for f in findings] == [
        (str(visits["cnas"]), "signage", "major")
    ]
    assert findings[0]["description"] == "Signalétique absente"
    assert findings[0]["item_label"].startswith("La signalétique")


async def test_bad_parameters_re_render_the_form_naming_the_field(
    client: AsyncClient, template_id: uuid.UUID
) -> None:
    await sign_in(client, "director")
    soup = await open_page(
        client, "/dashboard/exports/download?dataset=people&format=csv&wilaya=abc&lang=fr", status=422
    )
    assert "Données" in soup.select_one("#dataset-error").get_text()  # type: ignore[union-attr]
    assert "Wilaya" in soup.select_one("#wilaya-error").get_text()  # type: ignore[union-attr]
    assert soup.select_one("select[name=dataset]")["aria-invalid"] == "true"  # type: ignore[index]
    # What was typed is still there.
    soup = await open_page(
        client, "/dashboard/exports/download?dataset=visits&format=pdf&agency=CNAS-16&lang=en", status=422
    )
    assert soup.select_one("#format-error") is not None
    assert soup.select_one("input[name=agency]")["value"] == "CNAS-16"  # type: ignore[index]
    soup = await open_page(
        client, "/dashboard/exports/download?dataset=visits&format=csv&cycle=1999-Q9", status=422
    )
    assert soup.select_one("#cycle-error") is not None
    soup = await open_page(
        client,
        "/dashboard/exports/download?dataset=visits&format=csv&from=2031-05-01&to=2031-04-01",
        status=422,
    )
    assert soup.select_one("#to-error") is not None


async def test_inspectors_may_not_export(client: AsyncClient, visits: dict[str, uuid.UUID]) -> None:
    await sign_in(client, "inspector")
    for url in (
        "/dashboard/exports",
        "/dashboard/exports/download?dataset=visits&format=csv",
        f"/dashboard/visits/{visits['cnas']}/report.pdf",
    ):
        response = await client.get(url)
        assert response.status_code == 403, url
        assert 'data-problem-code="forbidden"' in response.text


# --- bounded memory ---------------------------------------------------------------------------


async def test_thousands_of_visits_stream_in_bounded_chunks(
    client: AsyncClient, seeded: Database, template_id: uuid.UUID
) -> None:
    count = 2500
    async with seeded.read() as session:
        inspector = (await session.execute(select(User.id).where(User.username == "inspector"))).scalar_one()
        agencies = list((await session.execute(select(Agency.id).where(Agency.wilaya_code == 16))).scalars())
    rows = [
        {
            "id": uuid.uuid4(),
            "agency_id": agencies[n % len(agencies)],
            "template_version_id": template_id,
            "created_by": inspector,
            "status": "submitted",
            "visit_day": date(2031, 4, 1 + n % 30),
            "score_pct": float(n % 100),
        }
        for n in range(count)
    ]
    async with seeded.write() as session, session.begin():
        await session.execute(insert(Visit), rows)

    await sign_in(client, "director")
    started = time.perf_counter()
    exported = parse_csv(
        await client.get(f"/dashboard/exports/download?dataset=visits&format=csv&cycle={CYCLE}")
    )
    assert time.perf_counter() - started < 20
    assert len(exported) == count
    assert len({row["visit_id"] for row in exported}) == count, "keyset pages neither skip nor repeat"
    days = [row["visit_day"] for row in exported]
    assert days == sorted(days)

    async with seeded.read() as session:
        principal_row = (await session.execute(select(User).where(User.username == "director"))).scalar_one()
    from backend.authz.principal import Principal, Scope

    principal = Principal(
        id=principal_row.id,
        username="director",
        display_name="",
        role="director",
        scope=Scope(kind="national"),
        language="fr",
        session_id=uuid.uuid4(),
    )
    exporter = Exporter(
        seeded, principal, ExportRequest(dataset="visits", format="csv"), (date(2031, 4, 1), None), "fr"
    )
    sizes = [len(chunk) async for chunk in exporter.chunks()]
    assert sum(sizes) == count and max(sizes) <= PAGE_SIZES["visits"] and len(sizes) >= 3
