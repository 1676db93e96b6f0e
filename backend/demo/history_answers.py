"""Plausible answers to the demo checklist, drawn from an agency's "quality" of the moment.

Pure rules (no database): given the template document, a quality between 0 and 1 and a seeded
random generator, produce the answers an inspector would have typed. Each scored item succeeds with
a probability near the quality, so good agencies score high, bad ones low, and a drifting quality
makes trends move. Photos and signatures are left out: they would need stored blobs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from backend.checklists import relevance
from backend.checklists.document import Item, TemplateDocument

# Bodies that collect contributions (the others pay benefits or place job seekers).
COLLECTING_BODIES: Final = frozenset({"CNAS", "CASNOS", "CNAC", "CACOBATPH"})
_SERVICES: Final = (
    ("Remboursement", "تعويض"),
    ("Affiliation", "انتساب"),
    ("Attestation", "شهادة"),
    ("Réclamation", "شكوى"),
    ("Carte Chifa", "بطاقة الشفاء"),
)
_COMMENTS: Final = (
    ("Accueil correct.", "استقبال جيد."),
    ("Attente trop longue.", "انتظار طويل جدا."),
    ("Personnel aimable.", "موظفون لطفاء."),
    ("Dossier toujours en instance.", "الملف ما زال قيد المعالجة."),
    ("", ""),
)
_OBSERVATIONS: Final = (
    ("Service globalement satisfaisant.", "الخدمة مرضية إجمالا."),
    ("Affluence forte le matin, guichets insuffisants.", "إقبال كبير صباحا والشبابيك غير كافية."),
    ("Retards de traitement sur les dossiers de remboursement.", "تأخر في معالجة ملفات التعويض."),
    ("Locaux à rénover, signalétique absente.", "المقر بحاجة إلى ترميم واللافتات غائبة."),
)


@dataclass(frozen=True)
class VisitContext:
    """What an answer may depend on besides the quality."""

    day: date
    body: str
    french: bool  # the inspector types in French, else in Arabic
    latitude: float
    longitude: float
    previous_day: date | None  # the agency's previous visit, if any


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _text(pair: tuple[str, str], french: bool) -> str:
    return pair[0] if french else pair[1]


def _clock(rng: random.Random, hour: int) -> str:
    return f"{hour:02d}:{rng.randrange(0, 60, 5):02d}"


def _yes(rng: random.Random, p: float) -> str:
    return "yes" if rng.random() < p else "no"


def _single(item: Item, rng: random.Random, p: float) -> str:
    options = sorted(item.options or [], key=lambda option: -option.points)
    roll = rng.random()
    if roll < p or len(options) == 1:
        return options[0].key
    if roll < p + (1 - p) * 0.6 and len(options) > 2:
        return options[1 if len(options) == 3 else rng.randrange(1, len(options) - 1)].key
    return options[-1].key


def _rating(rng: random.Random, p: float) -> int:
    return int(_clamp(round(1 + 4 * p + rng.gauss(0, 0.6)), 1, 5))


def _file_sample(rng: random.Random, p: float, day: date) -> list[dict[str, Any]]:
    rows = []
    for number in range(rng.randint(10, 12)):
        received = day - timedelta(days=rng.randint(20, 120))
        delay = int(max(1, rng.gauss(8 + 45 * (1 - p), 8)))
        processed = received + timedelta(days=delay)
        rows.append(
            {
                "file": f"D-{received.year}-{rng.randint(1000, 9999)}-{number + 1}",
                "received": received.isoformat(),
                # A file not processed yet by the day of the visit is pending (no measured delay).
                "processed": processed.isoformat() if processed < day else None,
            }
        )
    return rows


def _feedback(rng: random.Random, p: float, french: bool) -> list[dict[str, Any]]:
    return [
        {
            "service": _text(rng.choice(_SERVICES), french),
            "waiting_minutes": int(max(2, rng.gauss(10 + 50 * (1 - p), 10))),
            "satisfaction": int(_clamp(round(1 + 4 * p + rng.gauss(0, 0.8)), 1, 5)),
            "comment": _text(rng.choice(_COMMENTS), french),
        }
        for _ in range(rng.randint(3, 5))
    ]


def _number(key: str, rng: random.Random, p: float, values: dict[str, Any]) -> float | int:
    """Numbers of the demo template, each on its own scale (unknown keys get a small count)."""
    hit = rng.random() < p
    match key:
        case "people_waiting":
            return int(max(0, rng.gauss(10 + 40 * (1 - p), 6)))
        case "measured_waiting_time":
            return int(_clamp(rng.gauss(8 + 55 * (1 - p), 8), 2, 480))
        case "counters_total":
            return rng.randint(4, 12)
        case "counters_open":
            total = int(values.get("counters_total", 6))
            return max(1, total - (0 if hit else rng.randint(1, max(1, total // 2))))
        case "system_downtime":
            return int(max(0, rng.gauss(22 * (1 - p), 4)))
        case "pending_beyond_delay":
            return 0 if hit else rng.randint(1, 5 + int(80 * (1 - p)))
        case "collection_rate":
            return round(_clamp(55 + 45 * p + rng.gauss(0, 5), 0, 100), 1)
        case "outstanding_debts":
            return int(rng.uniform(2e6, 3e8) * (1.2 - p))
        case "complaints_received":
            return rng.randint(0, 20 + int(150 * (1 - p)))
        case "unjustified_absences":
            return 0 if hit else rng.randint(1, 5)
    return rng.randint(0, 10)


def draw_answers(
    document: TemplateDocument, quality: float, rng: random.Random, ctx: VisitContext
) -> dict[str, Any]:
    """The answers of one visit: every item relevant to them except photos and signatures.

    Relevance is followed as the PWA would: an item whose condition is false given the earlier
    answers is not asked, so it gets no answer.
    """
    answers: dict[str, Any] = {}
    for item in document.all_items():
        # The same rule as `scoring.relevant_items`: a condition reads the answers of the items shown
        # before it, and only shown items get an answer.
        if item.relevant is not None and not _shown(item.relevant, answers):
            continue
        p = _clamp(quality + rng.gauss(0, 0.15), 0.02, 0.98)
        value = _value(item, rng, p, ctx, answers)
        if value is not None:
            answers[item.key] = value
    return answers


def _shown(condition: str, answers: dict[str, Any]) -> bool:
    try:
        return relevance.holds(relevance.parse(condition), answers)
    except relevance.ExpressionError:
        return True  # as scoring does: a condition that does not parse leaves the item relevant


def _value(item: Item, rng: random.Random, p: float, ctx: VisitContext, answers: dict[str, Any]) -> Any:
    french = ctx.french
    match item.type:
        case "yes_no":
            if item.key == "collects_contributions":
                return "yes" if ctx.body in COLLECTING_BODIES else "no"
            if item.key == "previous_instructions":
                return "yes" if ctx.previous_day is not None else "no"
            return _yes(rng, p)
        case "single_choice":
            return _single(item, rng, p)
        case "multi_choice":
            return [option.key for option in item.options or [] if rng.random() < p]
        case "rating":
            return _rating(rng, p)
        case "number" | "duration":
            return _number(item.key, rng, p, answers)
        case "file_sample":
            return _file_sample(rng, p, ctx.day)
        case "citizen_feedback":
            return _feedback(rng, p, french)
        case "gps":
            return {
                "lat": round(ctx.latitude + rng.uniform(-0.002, 0.002), 5),
                "lon": round(ctx.longitude + rng.uniform(-0.002, 0.002), 5),
                "accuracy_m": round(rng.uniform(4, 30), 1),
            }
        case "time":
            hour = 15 if item.key == "departure_time" else 9
            return _clock(rng, hour if item.key != "counters_opening_time" else 8)
        case "date":
            return ctx.previous_day.isoformat() if ctx.previous_day else None
        case "text":
            return _free_text(item.key, rng, french)
    return None  # photo, signature: they need blobs


def _free_text(key: str, rng: random.Random, french: bool) -> str | None:
    match key:
        case "people_met":
            return (
                "Chef d'agence, responsable de l'accueil" if french else "مدير الوكالة ورئيس مصلحة الاستقبال"
            )
        case "platform_outage":
            return "Portail indisponible depuis le matin." if french else "البوابة معطلة منذ الصباح."
        case "unimplemented_reasons":
            return "Manque de personnel et de moyens." if french else "نقص في المستخدمين والوسائل."
        case "main_observations":
            return _text(rng.choice(_OBSERVATIONS), french)
        case "good_practices":
            if rng.random() < 0.3:
                return "Espace numérique bien animé." if french else "فضاء رقمي نشط."
            return None
    return None
