"""One visit of the demo history in full: answers, score, findings and corrective actions.

Pure rules (no database). The score and the measures come from `backend.checklists.scoring`, so
what is stored equals what the PWA would have shown. The same record is written either as rows
(straight into the tables) or as sync ops (through the real push pipeline).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

import msgspec

from backend.checklists.document import TemplateDocument
from backend.checklists.scoring import Score, measures, score
from backend.demo.history_answers import VisitContext, draw_answers
from backend.demo.history_plan import ActionLife, PlannedVisit, action_life, agency_rng

_SURNAMES: Final = (
    ("Benali", "بن علي"),
    ("Bouzid", "بوزيد"),
    ("Haddad", "حداد"),
    ("Khelifi", "خليفي"),
    ("Mansouri", "منصوري"),
    ("Saadi", "سعدي"),
    ("Brahimi", "براهيمي"),
    ("Belkacem", "بلقاسم"),
    ("Cherif", "شريف"),
    ("Ferhat", "فرحات"),
    ("Hamidi", "حميدي"),
    ("Meziane", "مزيان"),
    ("Rahmani", "رحماني"),
    ("Slimani", "سليماني"),
    ("Taleb", "طالب"),
    ("Zerrouki", "زروقي"),
)
# Who answers for what, by section of the checklist.
_OWNERS: Final = {
    "reception": ("chef du service accueil", "رئيس مصلحة الاستقبال"),
    "waiting": ("chef du service accueil", "رئيس مصلحة الاستقبال"),
    "counters_digital": ("responsable informatique", "مسؤول الإعلام الآلي"),
    "processing": ("chef du service des prestations", "رئيس مصلحة الأداءات"),
    "collection": ("chef du service du recouvrement", "رئيس مصلحة التحصيل"),
}
_DIRECTOR: Final = ("directeur de l'agence", "مدير الوكالة")
_TITLES: Final = {
    "reception": ("Réorganiser l'accueil des usagers", "إعادة تنظيم استقبال المواطنين"),
    "waiting": ("Réduire le temps d'attente", "تقليص مدة الانتظار"),
    "counters_digital": ("Rétablir les plateformes numériques", "إعادة تشغيل المنصات الرقمية"),
    "processing": ("Résorber les dossiers en instance", "تصفية الملفات العالقة"),
    "collection": ("Renforcer le recouvrement des cotisations", "تعزيز تحصيل الاشتراكات"),
    "follow_up": ("Exécuter les instructions de la dernière inspection", "تنفيذ تعليمات التفتيش السابق"),
    "staff": ("Faire respecter la présence du personnel", "ضبط حضور المستخدمين"),
    "premises": ("Mettre les locaux aux normes", "مطابقة المقر للمعايير"),
    "citizens": ("Traiter les réclamations des usagers", "معالجة شكاوى المواطنين"),
}
_GENERIC_TITLE: Final = ("Corriger l'écart constaté", "تصحيح النقص المسجل")


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    username: str
    french: bool


@dataclass(frozen=True)
class FindingRecord:
    id: uuid.UUID
    item_key: str
    severity: str
    description: str


@dataclass(frozen=True)
class ActionRecord:
    id: uuid.UUID
    finding_id: uuid.UUID
    title: str
    owner_name: str
    deadline: date
    life: ActionLife


@dataclass(frozen=True)
class VisitRecord:
    plan: PlannedVisit
    inspector: Person
    answers: dict[str, Any]
    score: Score
    measures: dict[str, Any]
    findings: list[FindingRecord]
    actions: list[ActionRecord]


def owner_name(seed: int, agency_code: str, section: str, french: bool) -> str:
    """The person named on site for a section: the same one at every visit of the agency."""
    role = _OWNERS.get(section, _DIRECTOR)
    surname = agency_rng(seed, agency_code, "owner:" + role[0]).choice(_SURNAMES)
    return f"{surname[0]} ({role[0]})" if french else f"{surname[1]} ({role[1]})"


def build_visit(
    seed: int,
    document: TemplateDocument,
    sections: dict[str, str],
    visit: PlannedVisit,
    inspector: Person,
    previous_day: date | None,
    later_visits: list[PlannedVisit],
    now: datetime,
) -> VisitRecord:
    """Draw the answers of ``visit``, score them and derive its findings and actions."""
    rng = random.Random(f"{seed}:{visit.id}")  # noqa: S311 - demo data
    agency = visit.agency
    context = VisitContext(
        day=visit.day,
        body=agency.body,
        french=inspector.french,
        latitude=agency.latitude,
        longitude=agency.longitude,
        previous_day=previous_day,
    )
    answers = draw_answers(document, visit.quality, rng, context)
    result = score(document, answers)
    labels = {item.key: item.label for item in document.all_items()}
    findings: list[FindingRecord] = []
    actions: list[ActionRecord] = []
    for proposal in result.proposed_findings:
        critical = proposal.severity == "critical"
        if not critical and rng.random() > 0.6:
            continue
        label = labels[proposal.item_key]
        finding_id = uuid.uuid5(visit.id, "finding:" + proposal.item_key)
        findings.append(
            FindingRecord(
                id=finding_id,
                item_key=proposal.item_key,
                severity=proposal.severity,
                description=(label.fr if inspector.french else label.ar) or label.en,
            )
        )
        if rng.random() > (0.9 if critical else 0.45):
            continue
        section = sections[proposal.item_key]
        title = _TITLES.get(section, _GENERIC_TITLE)
        deadline = visit.day + timedelta(days=rng.choice((30, 45) if critical else (45, 60, 90)))
        actions.append(
            ActionRecord(
                id=uuid.uuid5(visit.id, "action:" + proposal.item_key),
                finding_id=finding_id,
                title=title[0] if inspector.french else title[1],
                owner_name=owner_name(seed, agency.code, section, inspector.french),
                deadline=deadline,
                life=action_life(rng, visit.quality, visit.submitted_at, deadline, later_visits, now),
            )
        )
    return VisitRecord(
        plan=visit,
        inspector=inspector,
        answers=answers,
        score=result,
        measures=measures(document, answers)._asdict(),
        findings=findings,
        actions=actions,
    )


def visit_row(record: VisitRecord, template_version_id: uuid.UUID, reviewer_id: uuid.UUID) -> dict[str, Any]:
    plan = record.plan
    location = record.answers.get("arrival_location")
    return {
        "id": plan.id,
        "agency_id": plan.agency.id,
        "template_version_id": template_version_id,
        "assignment_id": None,  # set by the caller for the visit its quarter's assignment asked for
        "cycle_id": None,  # as the sync pipeline leaves it: visits count by visit_day
        "created_by": record.inspector.id,
        "status": plan.status,
        "started_at": plan.started_at,
        "submitted_at": plan.submitted_at,
        "reviewed_at": plan.reviewed_at,
        "reviewer_id": reviewer_id if plan.reviewed_at else None,
        "review_comment": plan.review_comment,
        "location": location,
        "signature_sha256": None,
        "score": msgspec.to_builtins(record.score),
        "score_pct": record.score.score_pct,
        "visit_day": plan.day,
        **record.measures,
    }


def child_rows(record: VisitRecord, reviewer_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Answers, findings, actions and action events of a visit written straight into the tables."""
    plan, author = record.plan, record.inspector.id
    rows: dict[str, list[dict[str, Any]]] = {
        "answer": [
            {
                "visit_id": plan.id,
                "item_key": key,
                "value": value,
                "note": None,
                "author_id": author,
                "updated_at": plan.submitted_at,
            }
            for key, value in record.answers.items()
        ],
        "finding": [
            {
                "id": finding.id,
                "visit_id": plan.id,
                "agency_id": plan.agency.id,
                "item_key": finding.item_key,
                "severity": finding.severity,
                "description": finding.description,
                "evidence": [],
                "created_by": author,
                "created_at": plan.submitted_at,
                "deleted": False,
            }
            for finding in record.findings
        ],
        "action": [],
        "action_event": [],
    }
    for action in record.actions:
        rows["action"].append(
            {
                "id": action.id,
                "visit_id": plan.id,
                "finding_id": action.finding_id,
                "agency_id": plan.agency.id,
                "description": action.title,
                "owner_id": None,
                "owner_name": action.owner_name,
                "deadline": action.deadline,
                "status": action.life.status,
                "created_by": author,
                "created_at": plan.submitted_at,
                "done_at": action.life.done_at,
                "verified_at": action.life.verified_at,
                "verified_in_visit_id": action.life.verified_in,
                "deleted": False,
            }
        )
        rows["action_event"] += event_rows(action, author, reviewer_id)
    return rows


def event_rows(action: ActionRecord, author: uuid.UUID, reviewer_id: uuid.UUID) -> list[dict[str, Any]]:
    return [
        {
            "action_id": action.id,
            "at": at,
            "actor_id": reviewer_id if to_status == "verified" else author,
            "from_status": from_status,
            "to_status": to_status,
            "note": _NOTES.get(to_status, ""),
            "evidence": [],
        }
        for at, from_status, to_status in action.life.events
    ]


_NOTES: Final = {
    "open": "Action fixée lors de la visite.",
    "in_progress": "Travaux engagés par l'agence.",
    "done": "L'agence déclare l'action réalisée.",
    "verified": "Vérifié sur place lors de la visite suivante.",
}
