"""A visit's PDF report on SQLite and PostgreSQL: real text in both scripts, the photo and the
signature embedded, several pages; a visit outside the reader's scope is not found.

The CSV and XLSX exports are tested in test_exports_datasets.py; the data comes from
tests/support/exports.py.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import uuid
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from backend.db.engine import Database
from backend.db.tables import TemplateVersion
from tests.support.clients import sign_in
from tests.support.exports import Phone, add_cycle, make_visits, png


@pytest.fixture
async def template_id(seeded: Database) -> uuid.UUID:
    return await add_cycle(seeded)


@pytest.fixture
async def visits(make_client: Callable[[], AsyncClient], template_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Three visits in Algiers: two in the cycle (CNAS, CNR), one after it."""
    return await make_visits(make_client, template_id)


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
