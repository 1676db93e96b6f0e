"""The visit page's model: the records read by ``queries`` turned into what the template prints.

Pure (no database, no Litestar): labels in the page's language, answers worded by ``present``,
scores with their section titles, findings and actions, and each open conflict with its candidates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from backend.checklists.document import Item, Localized, TemplateDocument
from backend.checklists.parse import decode_template
from backend.db.tables import Action, Attachment, Finding, SyncConflict
from backend.i18n import translate
from backend.review.present import EMPTY, Shown, position_text, present
from backend.review.queries import VisitContents, VisitRecord
from backend.sync_server.entities import ANSWER_PREFIX
from sync import hlc as hlc_text


@dataclass(frozen=True)
class ItemView:
    key: str
    label: str
    shown: Shown
    note: str | None
    critical: bool


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    items: list[ItemView]
    points: float | None
    max_points: float | None
    pct: float | None


@dataclass(frozen=True)
class FindingView:
    severity: str
    description: str
    item: str | None
    photos: tuple[str, ...]


@dataclass(frozen=True)
class ActionView:
    description: str
    owner: str
    deadline: date | None
    status: str
    overdue: bool


@dataclass(frozen=True)
class CandidateView:
    op_id: str
    shown: Shown
    note: str | None
    author: str
    at: datetime | None


@dataclass(frozen=True)
class ConflictView:
    id: uuid.UUID
    subject: str  # what the conflict is about: an item's label, or an entity's field
    candidates: list[CandidateView]


@dataclass(frozen=True)
class VisitPage:
    record: VisitRecord
    title: str
    template_title: str
    agency: str
    wilaya: str
    body: str
    location: str | None
    signature: str | None
    score_pct: float | None
    points: float | None
    max_points: float | None
    sections: list[SectionView]
    findings: list[FindingView]
    actions: list[ActionView]
    conflicts: list[ConflictView]


def localized(text: Localized | dict[str, str] | None, language: str) -> str:
    if text is None:
        return ""
    values = text if isinstance(text, dict) else {"ar": text.ar, "fr": text.fr, "en": text.en}
    return values.get(language) or values.get("fr") or values.get("ar") or ""


def _named(language: str, ar: str, fr: str) -> str:
    return ar if language == "ar" else fr


def build(record: VisitRecord, contents: VisitContents, language: str, today: date) -> VisitPage:
    """The page of one visit for a reviewer reading in ``language`` on ``today``."""
    document = decode_template(record.document)
    visit = record.visit
    as_of = visit.visit_day or today
    by_item: dict[str, list[str]] = {}
    for attachment in contents.attachments:
        if attachment.item_key and attachment.mime.startswith("image/"):
            by_item.setdefault(attachment.item_key, []).append(attachment.sha256)
    score = visit.score or {}
    section_scores = {s.get("key"): s for s in score.get("sections", []) if isinstance(s, dict)}
    sections = []
    for section in document.sections:
        items = [
            _item(item, contents.answers.get(item.key), by_item.get(item.key, []), language, as_of)
            for item in section.items
        ]
        scored = section_scores.get(section.key, {})
        sections.append(
            SectionView(
                key=section.key,
                title=localized(section.title, language),
                items=items,
                points=scored.get("points"),
                max_points=scored.get("max_points"),
                pct=scored.get("pct"),
            )
        )
    labels = {item.key: localized(item.label, language) for item in document.all_items()}
    signature = (visit.signature_sha256,) if visit.signature_sha256 else ()
    return VisitPage(
        record=record,
        title=translate(
            "review.visit.title",
            language,
            agency=_named(language, record.agency.name_ar, record.agency.name_fr),
        ),
        template_title=localized(record.template_title, language) or localized(document.title, language),
        agency=_named(language, record.agency.name_ar, record.agency.name_fr),
        wilaya=f"{record.wilaya.code:02d} {_named(language, record.wilaya.name_ar, record.wilaya.name_fr)}",
        body={"ar": record.body.name_ar, "fr": record.body.name_fr}.get(language, record.body.name_en),
        location=position_text(visit.location, language),
        signature=signature[0] if signature else None,
        score_pct=visit.score_pct,
        points=score.get("points"),
        max_points=score.get("max_points"),
        sections=sections,
        findings=[_finding(f, contents.attachments, labels, language) for f in contents.findings],
        actions=[_action(a, contents.users, language, today) for a in contents.actions],
        conflicts=[_conflict(c, document, contents.users, language, as_of) for c in contents.conflicts],
    )


def _item(
    item: Item, answer: tuple[Any, str | None] | None, photos: list[str], language: str, as_of: date
) -> ItemView:
    value, note = answer if answer is not None else (None, None)
    shown = present(item, value, language, as_of)
    if item.type == "photo" and photos:  # attachments of the item that the answer may not list yet
        merged = tuple(dict.fromkeys([*shown.photos, *photos]))
        shown = Shown(kind="photos", photos=merged)
    return ItemView(
        key=item.key, label=localized(item.label, language), shown=shown, note=note, critical=item.critical
    )


def _finding(
    finding: Finding, attachments: list[Attachment], labels: dict[str, str], language: str
) -> FindingView:
    by_id = {str(attachment.id): attachment.sha256 for attachment in attachments}
    photos = tuple(dict.fromkeys(by_id[ref] for ref in finding.evidence if ref in by_id))
    return FindingView(
        severity=finding.severity,
        description=finding.description,
        item=labels.get(finding.item_key or "") or finding.item_key,
        photos=photos,
    )


def _action(action: Action, users: dict[uuid.UUID, str], language: str, today: date) -> ActionView:
    owner = users.get(action.owner_id, "") if action.owner_id else ""
    if action.owner_name:
        owner = f"{owner} · {action.owner_name}" if owner else action.owner_name
    return ActionView(
        description=action.description,
        owner=owner or "—",
        deadline=action.deadline,
        status=action.status,
        overdue=action.deadline is not None
        and action.deadline < today
        and action.status in ("open", "in_progress"),
    )


def _when(candidate: dict[str, Any]) -> datetime | None:
    """When the candidate was written on its device (its clock), else when the server received it."""
    try:
        return datetime.fromtimestamp(hlc_text.parse(str(candidate.get("hlc"))).ms / 1000, tz=UTC)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(str(candidate.get("at")))
    except ValueError:
        return None


def _conflict(
    conflict: SyncConflict,
    document: TemplateDocument,
    users: dict[uuid.UUID, str],
    language: str,
    as_of: date,
) -> ConflictView:
    items = {item.key: item for item in document.all_items()}
    item = (
        items.get(conflict.field[len(ANSWER_PREFIX) :]) if conflict.field.startswith(ANSWER_PREFIX) else None
    )
    if item is not None:
        subject = localized(item.label, language)
    else:
        subject = translate(f"review.entity.{conflict.entity}", language) + f" · {conflict.field}"
    candidates = []
    for candidate in conflict.candidates:
        value = candidate.get("value")
        note = None
        if item is not None and isinstance(value, dict):
            note = value.get("note")
            shown = present(item, value.get("value"), language, as_of)
        elif value is None:
            shown = EMPTY
        else:
            shown = Shown(kind="text", text=value if isinstance(value, str) else str(value))
        try:
            author = users.get(uuid.UUID(str(candidate.get("author"))), "—")
        except ValueError:
            author = "—"
        candidates.append(
            CandidateView(
                op_id=str(candidate.get("op_id")), shown=shown, note=note, author=author, at=_when(candidate)
            )
        )
    return ConflictView(id=conflict.id, subject=subject, candidates=candidates)


__all__ = ["VisitPage", "build"]
