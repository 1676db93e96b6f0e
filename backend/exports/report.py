"""The PDF report of one visit: header, scores, answers per section, photos, findings, actions.

The report is an HTML template rendered to PDF by WeasyPrint, whose Pango shapes Arabic (joining
forms, right-to-left runs) when the document says ``lang="ar" dir="rtl"``. Photos and the signature
are read from the blob store and inlined as ``data:`` URIs, and the URL fetcher refuses every other
scheme: what an inspector typed can never make the server fetch a URL or read a local file.
Rendering is CPU-bound, so it runs in a worker thread. Photos are capped in number and bytes, so one
report never holds more than a bounded amount of memory.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import anyio.to_thread
from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import col

from backend.actions.rules import is_overdue
from backend.authz.principal import Principal
from backend.authz.queries import agency_scope_clause
from backend.blobs.store import BlobStore
from backend.db.engine import Database
from backend.db.tables import (
    Agency,
    Attachment,
    Blob,
    Body,
    TemplateVersion,
    User,
    Visit,
    Wilaya,
)
from backend.db.types import utcnow
from backend.errors import NotFound
from backend.exports.answer_text import show_answer
from backend.exports.datasets import localized
from backend.localtime import local_today
from backend.review.queries import visit_contents
from backend.web.page import RTL_LANGUAGES, translator
from backend.web.templating import make_environment

TEMPLATE: Final = "exports/visit_report.html"
IMAGE_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_PHOTOS: Final = 40
MAX_PHOTO_BYTES: Final = 10 * 1024 * 1024
MAX_TOTAL_PHOTO_BYTES: Final = 40 * 1024 * 1024


@dataclass(frozen=True)
class Photo:
    uri: str
    caption: str
    taken_at: Any


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return make_environment()


async def visit_report_pdf(
    db: Database, store: BlobStore, principal: Principal, visit_id: uuid.UUID, language: str
) -> tuple[bytes, str]:
    """The PDF of a visit in ``language``, and a file name for it.

    Raises:
        NotFound: no such visit in the principal's scope (the same answer as no visit at all).
    """
    context = await _context(db, store, principal, visit_id, language)
    html = _environment().get_template(TEMPLATE).render(context)
    pdf = await anyio.to_thread.run_sync(_render, html)
    visit = context["visit"]
    return pdf, f"rasd-visit-{context['agency'].code}-{visit.visit_day or 'undated'}.pdf"


def _render(html: str) -> bytes:
    # WeasyPrint takes seconds to import (its CSS engine, fontconfig): loaded with the first report,
    # not when a worker starts.
    from backend.exports.pdf_engine import render_pdf

    return render_pdf(html)


async def _context(
    db: Database, store: BlobStore, principal: Principal, visit_id: uuid.UUID, language: str
) -> dict[str, Any]:
    t = translator(language)
    inspector, reviewer = aliased(User), aliased(User)
    query = (
        select(Visit, Agency, Body, Wilaya, inspector.display_name, reviewer.display_name)  # type: ignore[call-overload]
        .join(Agency, col(Agency.id) == col(Visit.agency_id))
        .join(Body, col(Body.id) == col(Agency.body_id))
        .join(Wilaya, col(Wilaya.code) == col(Agency.wilaya_code))
        .outerjoin(inspector, inspector.id == col(Visit.created_by))
        .outerjoin(reviewer, reviewer.id == col(Visit.reviewer_id))
        .where(
            col(Visit.id) == visit_id, col(Visit.status) != "deleted", agency_scope_clause(principal.scope)
        )
    )
    async with db.read() as session:
        found = (await session.execute(query)).first()
        if found is None:
            raise NotFound("visit_id")
        visit, agency, body, wilaya, inspector_name, reviewer_name = found
        document = await session.get(TemplateVersion, visit.template_version_id)
        contents = await visit_contents(session, visit_id)  # the records the reviewer reads too
        images = list(
            (
                await session.execute(
                    select(Attachment, Blob)
                    .join(Blob, col(Blob.sha256) == col(Attachment.sha256))
                    .where(
                        col(Attachment.visit_id) == visit_id,
                        col(Attachment.deleted).is_(False),
                        col(Blob.completed_at).is_not(None),
                    )
                    .order_by(col(Attachment.taken_at), col(Attachment.id))
                )
            ).all()
        )
        signature = await session.get(Blob, visit.signature_sha256) if visit.signature_sha256 else None
    sections = _sections(document.document if document else {}, contents.answers, visit.score, language, t)
    items = {item["key"]: item for section in sections for item in section["items_raw"]}
    photos, left_out = await _photos(store, images, items, language)
    signature_uri = None
    if signature is not None and signature.completed_at is not None and signature.mime in IMAGE_TYPES:
        signature_uri = await _data_uri(store, signature.sha256, signature.mime, signature.length)
    today = local_today(utcnow())
    return {
        "lang": language,
        "dir": "rtl" if language in RTL_LANGUAGES else "ltr",
        "t": t,
        "visit": visit,
        "agency": agency,
        "body_name": getattr(body, f"name_{language}", None) or body.name_fr,
        "wilaya_name": wilaya.name_ar if language == "ar" else wilaya.name_fr,
        "wilaya": wilaya,
        "inspector_name": inspector_name,
        "reviewer_name": reviewer_name,
        "template_title": localized((document.document if document else {}).get("title"), language),
        "sections": sections,
        "findings": [(finding, _label(items, finding.item_key, language)) for finding in contents.findings],
        "actions": [
            (action, is_overdue(action.status, action.deadline, today)) for action in contents.actions
        ],
        "photos": photos,
        "photos_left_out": left_out,
        "signature_uri": signature_uri,
    }


def _label(items: dict[str, dict[str, Any]], key: str | None, language: str) -> str:
    item = items.get(key or "")
    return localized(item.get("label"), language) if item else (key or "")


def _sections(
    document: dict[str, Any],
    answers: dict[str, tuple[Any, str | None]],
    score: dict[str, Any] | None,
    language: str,
    t: Any,
) -> list[dict[str, Any]]:
    scores = {section.get("key"): section for section in (score or {}).get("sections", [])}
    sections = []
    for section in document.get("sections", []):
        rows = []
        for item in section.get("items", []):
            if item["key"] not in answers:
                continue
            value, note = answers[item["key"]]
            rows.append(
                {
                    "label": localized(item.get("label"), language),
                    "shown": show_answer(item, value, language, t),
                    "note": note,
                }
            )
        sections.append(
            {
                "key": section.get("key"),
                "title": localized(section.get("title"), language),
                "pct": scores.get(section.get("key"), {}).get("pct"),
                "answers": rows,
                "items_raw": section.get("items", []),
            }
        )
    return sections


async def _photos(
    store: BlobStore, images: list[Any], items: dict[str, dict[str, Any]], language: str
) -> tuple[list[Photo], int]:
    photos: list[Photo] = []
    total = 0
    left_out = 0
    for attachment, blob in images:
        fits = len(photos) < MAX_PHOTOS and total + blob.length <= MAX_TOTAL_PHOTO_BYTES
        if attachment.mime not in IMAGE_TYPES or blob.length > MAX_PHOTO_BYTES or not fits:
            left_out += attachment.mime in IMAGE_TYPES
            continue
        uri = await _data_uri(store, blob.sha256, attachment.mime, blob.length)
        if uri is None:
            left_out += 1
            continue
        total += blob.length
        photos.append(Photo(uri, _label(items, attachment.item_key, language), attachment.taken_at))
    return photos, left_out


async def _data_uri(store: BlobStore, sha256: str, mime: str, length: int) -> str | None:
    if length > MAX_PHOTO_BYTES or not await store.has(sha256):
        return None
    pieces = [piece async for piece in store.read(sha256)]
    return f"data:{mime};base64,{base64.b64encode(b''.join(pieces)).decode('ascii')}"
