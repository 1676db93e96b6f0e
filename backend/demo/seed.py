"""``rasd demo``: the reference network, the demo users and the checklist template, created once."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Final

import anyio.to_thread
from sqlalchemy import func, select

from backend.auth.passwords import hash_password
from backend.db.engine import Database
from backend.db.tables import Agency, Body, ChecklistTemplate, EvaluationCycle, TemplateVersion, User, Wilaya
from backend.db.types import utcnow
from backend.demo.geo_data import BODIES, WILAYAS
from backend.sync_server.feed import agency_record, publish, template_record

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
# Stable ids: the same agency has the same id on every machine that seeds the demo.
_NAMESPACE: Final = uuid.UUID("5f1d8a52-8a0e-4f4e-9d67-6b1d2f0c0a11")
# Local centres below some agencies, so that the hierarchy is visible in the demo.
_CENTRES: Final = {("CNAS", 16): 3, ("CNAS", 31): 2, ("CASNOS", 16): 1, ("ANEM", 16): 2, ("CNR", 31): 1}

# username, role, scope kind, scope ids, display name, language
DEMO_USERS: Final[tuple[tuple[str, str, str, tuple[str, ...], str, str], ...]] = (
    ("admin", "admin", "national", (), "مدير النظام", "ar"),
    ("central", "central_inspector", "national", (), "المفتش المركزي", "ar"),
    ("director", "director", "national", (), "المدير العام", "ar"),
    ("director.cnas", "director", "bodies", ("CNAS",), "مدير الصندوق الوطني للتأمينات الاجتماعية", "ar"),
    ("inspector", "inspector", "wilayas", ("16",), "مفتش الجزائر 1", "ar"),
    ("inspector2", "inspector", "wilayas", ("16",), "مفتش الجزائر 2", "fr"),
    ("inspector.oran", "inspector", "wilayas", ("31",), "مفتش وهران", "ar"),
)


def _of(name: str) -> str:
    """French "de", elided before a vowel: "de Tlemcen", "d'Oran"."""
    return f"d'{name}" if name[:1].upper() in "AEIOUÉÈÎ" else f"de {name}"


def agency_uuid(code: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, code)


def demo_agencies(body_ids: dict[str, int]) -> list[Agency]:
    agencies: list[Agency] = []
    for body in BODIES:
        for wilaya in WILAYAS:
            code = f"{body.code}-{wilaya.code:02d}"
            parent = Agency(
                id=agency_uuid(code),
                code=code,
                body_id=body_ids[body.code],
                wilaya_code=wilaya.code,
                kind="agency",
                name_ar=f"وكالة {body.code} {wilaya.name_ar}",
                name_fr=f"Agence {body.code} {_of(wilaya.name_fr)}",
                latitude=wilaya.latitude,
                longitude=wilaya.longitude,
            )
            agencies.append(parent)
            for number in range(1, _CENTRES.get((body.code, wilaya.code), 0) + 1):
                centre_code = f"{code}-C{number}"
                agencies.append(
                    Agency(
                        id=agency_uuid(centre_code),
                        code=centre_code,
                        body_id=parent.body_id,
                        wilaya_code=wilaya.code,
                        kind="centre",
                        parent_id=parent.id,
                        name_ar=f"مركز {body.code} {wilaya.name_ar} {number}",
                        name_fr=f"Centre {body.code} {wilaya.name_fr} {number}",
                        latitude=round(wilaya.latitude + 0.01 * number, 5),
                        longitude=round(wilaya.longitude + 0.01 * number, 5),
                    )
                )
    return agencies


def demo_cycles(today: date) -> list[EvaluationCycle]:
    """The quarters and semesters of this year and the last one."""
    cycles = []
    for year in (today.year - 1, today.year):
        for quarter in range(1, 5):
            start = date(year, 3 * quarter - 2, 1)
            end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
            cycles.append(
                _cycle(
                    f"{year}-Q{quarter}",
                    "quarter",
                    start,
                    end,
                    f"T{quarter} {year}",
                    f"الثلاثي {quarter} {year}",
                    f"Q{quarter} {year}",
                )
            )
        for half in (1, 2):
            start, end = date(year, 6 * half - 5, 1), date(year + (half == 2), (6 * half) % 12 + 1, 1)
            cycles.append(
                _cycle(
                    f"{year}-S{half}",
                    "semester",
                    start,
                    end,
                    f"S{half} {year}",
                    f"السداسي {half} {year}",
                    f"H{half} {year}",
                )
            )
    return cycles


def _cycle(
    code: str, kind: str, start: date, end_exclusive: date, fr: str, ar: str, en: str
) -> EvaluationCycle:
    from datetime import timedelta

    return EvaluationCycle(
        id=uuid.uuid5(_NAMESPACE, "cycle:" + code),
        code=code,
        kind=kind,
        starts_on=start,
        ends_on=end_exclusive - timedelta(days=1),
        name={"ar": ar, "fr": fr, "en": en},
    )


async def seed_demo(db: Database, *, password: str, scale: int = 1) -> bool:
    """Create the demo once; return False (and change nothing) when the network already exists."""
    del scale  # the history grown by --scale belongs to the evaluation loop
    async with db.read() as session:
        if (await session.execute(select(func.count()).select_from(Body))).scalar_one():
            return False
    password_hash = await anyio.to_thread.run_sync(hash_password, password)
    document = json.loads((TEMPLATES_DIR / "quality_public_service.json").read_text(encoding="utf-8"))
    now = utcnow()
    async with db.write() as session, session.begin():
        bodies = [Body(code=b.code, name_ar=b.name_ar, name_fr=b.name_fr, name_en=b.name_en) for b in BODIES]
        session.add_all(bodies)
        session.add_all(Wilaya(code=w.code, name_ar=w.name_ar, name_fr=w.name_fr) for w in WILAYAS)
        await session.flush()
        agencies = demo_agencies({body.code: body.id for body in bodies if body.id is not None})
        session.add_all(agencies)
        session.add_all(demo_cycles(now.date()))
        for username, role, kind, ids, display, language in DEMO_USERS:
            session.add(
                User(
                    username=username,
                    display_name=display,
                    password_hash=password_hash,
                    role=role,
                    scope_kind=kind,
                    scope_ids=list(ids),
                    language=language,
                )
            )
        template = ChecklistTemplate(key=document["key"], title=document["title"])
        session.add(template)
        await session.flush()
        version = TemplateVersion(
            template_id=template.id,
            version=document["version"],
            status="published",
            document=document,
            published_at=now,
        )
        session.add(version)
        await session.flush()
        # Devices learn the network and the checklist from the same feed as everything else.
        codes = {body.id: body.code for body in bodies}
        records = [agency_record(agency, codes[agency.body_id]) for agency in agencies]
        await publish(session, [*records, template_record(version, template.key)], now)
    return True


def print_logins(password: str) -> None:
    print(f"Demo logins (password for all: {password}):")
    for username, role, kind, ids, _display, _language in DEMO_USERS:
        scope = kind + (":" + ",".join(ids) if ids else "")
        print(f"  {username:16} {role:18} {scope}")
