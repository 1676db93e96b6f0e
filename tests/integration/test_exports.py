"""Exports on SQLite and PostgreSQL: CSV and XLSX of the four datasets, in scope, and a visit's PDF.

The data is made as a phone makes it: ops through ``/api/sync/push`` and a photo uploaded to
``/api/blobs``. Visits happen in a cycle of their own (2031-Q2), so the demo's data never mixes in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import time
import uuid
import zlib
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl
import pytest
from httpx import AsyncClient
from PIL import Image
from sqlalchemy import insert, select

from backend.db.engine import Database
from backend.db.tables import Agency, EvaluationCycle, TemplateVersion, User, Visit
from backend.demo.seed import agency_uuid
from backend.exports.datasets import COLUMNS, PAGE_SIZES, Exporter
from backend.exports.filters import ExportRequest
from tests.support.clients import sign_in
from tests.support.ops import Device
from tests.support.pages import open_page

CYCLE = "2031-Q2"
VISIT_COLUMNS = list(COLUMNS["visits"])


def png(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG (WeasyPrint decodes what it embeds)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


async def upload(client: AsyncClient, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    response = await client.patch(
        f"/api/blobs/{sha}",
        content=data,
        headers={
            "Upload-Offset": "0",
            "Upload-Length": str(len(data)),
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert response.status_code == 204, response.text
    return sha


class Phone:
    """An inspector's phone that makes whole visits through the real push."""

    def __init__(self, client: AsyncClient, template_id: uuid.UUID) -> None:
        self.client, self.template_id, self.device = client, template_id, Device()

    async def visit(
        self,
        agency: str,
        started_at: str,
        answers: dict[str, Any] | None = None,
        *,
        finding: str | None = None,
        action: str | None = None,
        photo: bytes | None = None,
        signature: bytes | None = None,
    ) -> uuid.UUID:
        op, visit_id = self.device.op, uuid.uuid4()
        ops = [
            op(
                "create",
                "visit",
                visit_id,
                value={
                    "agency_id": str(agency_uuid(agency)),
                    "template_version_id": str(self.template_id),
                    "started_at": started_at,
                },
            )
        ]
        for key, value in (answers or {}).items():
            ops.append(op("set", "visit", visit_id, f"answers.{key}", {"value": value, "note": None}))
        finding_id = uuid.uuid4()
        if finding:
            value = {
                "visit_id": str(visit_id),
                "severity": "major",
                "description": finding,
                "item_key": "signage",
            }
            ops.append(op("create", "finding", finding_id, value=value))
        if action:
            value = {
                "visit_id": str(visit_id),
                "title": action,
                "deadline": "2026-01-31",
                "owner_name": "مدير الوكالة",
            }
            ops.append(op("create", "action", uuid.uuid4(), value=value))
        if photo:
            sha = await upload(self.client, photo)
            value = {
                "visit_id": str(visit_id),
                "sha256": sha,
                "size": len(photo),
                "mime": "image/png",
                "item_key": "premises_photos",
            }
            ops.append(op("create", "attachment", uuid.uuid4(), value=value))
        if signature:
            sha = await upload(self.client, signature)
            ops.append(op("set", "visit", visit_id, "signature", {"sha256": sha, "signed_by": "Chef"}))
        ops.append(op("submit", "visit", visit_id))
        response = await self.client.post("/api/sync/push", json=self.device.push_body(ops))
        assert response.status_code == 200, response.text
        outcomes = [result["outcome"] for result in response.json()["results"]]
        assert set(outcomes) == {"applied"}, response.text
        return visit_id


@pytest.fixture
async def template_id(seeded: Database) -> uuid.UUID:
    async with seeded.write() as session, session.begin():
        session.add(
            EvaluationCycle(code=CYCLE, kind="quarter", starts_on=date(2031, 4, 1), ends_on=date(2031, 6, 30))
        )
    async with seeded.read() as session:
        return (await session.execute(select(TemplateVersion.id))).scalar_one()


@pytest.fixture
async def visits(make_client: Callable[[], AsyncClient], template_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Three visits in Algiers: two in the cycle (CNAS, CNR), one after it."""
    async with make_client() as client:
        await sign_in(client, "inspector")
        phone = Phone(client, template_id)
        return {
            "cnas": await phone.visit(
                "CNAS-16",
                "2031-04-10T08:30:00Z",
                {
                    "signage": "no",
                    "reception_quality": 4,
                    "information_display": ["opening_hours", "digital_services"],
                },
                finding="Signalétique absente",
                action='=HYPERLINK("http://evil.example","clic")',
            ),
            "cnr": await phone.visit("CNR-16", "2031-05-02T09:00:00Z", {"signage": "yes"}),
            "later": await phone.visit("CNAS-16", "2031-07-05T09:00:00Z", {"signage": "yes"}),
        }


def parse_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


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


# --- the PDF report ---------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str | None:
    """The text of a PDF in logical order, with poppler's pdftotext or pypdf; None if neither."""
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        )
        return result.stdout.decode("utf-8")
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_parts(pdf: bytes) -> list[bytes]:
    """The file itself and every stream it holds, inflated (objects may sit in compressed streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return parts


def count_in(pdf: bytes, pattern: bytes) -> int:
    return sum(len(re.findall(pattern, part)) for part in pdf_parts(pdf))


def unicode_of_fonts(pdf: bytes) -> set[str]:
    """Every character the PDF's fonts map glyphs back to (their ToUnicode CMaps)."""
    found: set[str] = set()
    for data in pdf_parts(pdf)[1:]:
        if b"begincmap" not in data:
            continue
        for hexes in re.findall(rb"<([0-9A-Fa-f]+)>", data):
            if len(hexes) % 4 == 0 and len(hexes) >= 4:
                raw = bytes.fromhex(hexes.decode())
                found.update(raw.decode("utf-16-be", errors="ignore"))
    return found


async def test_a_visit_report_is_a_pdf_with_its_names_photo_and_pages(
    make_client: Callable[[], AsyncClient], seeded: Database, template_id: uuid.UUID
) -> None:
    async with seeded.read() as session:
        document = (await session.execute(select(TemplateVersion.document))).scalar_one()
    yes_no = [i["key"] for s in document["sections"] for i in s["items"] if i["type"] == "yes_no"]
    async with make_client() as inspector, make_client() as director:
        await sign_in(inspector, "inspector")
        phone = Phone(inspector, template_id)
        answers: dict[str, Any] = dict.fromkeys(yes_no, "no")
        answers["main_observations"] = "ملاحظات عامة طويلة " * 40
        answers["processing_sample"] = [{"received": "2031-03-01", "processed": "2031-03-20"}] * 12
        visit_id = await phone.visit(
            "CNAS-16",
            "2031-04-10T08:30:00Z",
            answers,
            finding="Guichets fermés",
            action="Ouvrir trois guichets",
            photo=png(320, 240),
            signature=png(120, 60, (0, 0, 0)),
        )
        await sign_in(director, "director.cnas")
        response = await director.get(f"/dashboard/visits/{visit_id}/report.pdf?lang=ar")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert count_in(pdf, rb"/Type\s*/Page\b") >= 2, "a long visit takes several pages"
    assert count_in(pdf, rb"/Subtype\s*/Image") >= 2, "the photo and the signature are embedded"
    name_ar, name_fr = "وكالة CNAS الجزائر", "Agence CNAS d'Alger"
    glyphs = unicode_of_fonts(pdf)
    assert set(name_ar.replace(" ", "")) <= glyphs, "the Arabic name is real text, not pictures"
    assert set(name_fr.replace(" ", "").replace("'", "")) <= glyphs
    text = pdf_text(pdf)
    if text is None:
        raise AssertionError("neither pdftotext nor pypdf (a dev dependency) is installed")
    # pdftotext marks direction changes with control characters; the words must read in logical order
    # (shaped glyphs drawn right to left, mapped back to the letters as they are typed).
    lines = [
        re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", line).strip() for line in text.splitlines()
    ]
    assert "تقرير زيارة تفتيش" in lines
    # Each word reads in logical order (letters as typed, not mirrored); text extractors differ in
    # how they order the runs of a mixed Arabic/Latin line, so the line itself is not compared.
    agency_line = next(line for line in lines if "CNAS" in line and "وكالة" in line)
    assert all(word in agency_line for word in name_ar.split())
    assert "ةلاكو" not in text and "رئازجلا" not in text
    assert name_fr in lines


async def test_a_report_outside_the_scope_is_not_found(
    make_client: Callable[[], AsyncClient], visits: dict[str, uuid.UUID]
) -> None:
    async with make_client() as client:
        await sign_in(client, "director.cnas")
        response = await client.get(f"/dashboard/visits/{visits['cnr']}/report.pdf")
        assert response.status_code == 404
        assert 'data-problem-code="not_found"' in response.text
        missing = await client.get(f"/dashboard/visits/{uuid.uuid4()}/report.pdf")
        assert missing.status_code == 404


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
