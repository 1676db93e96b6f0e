"""What the demo history is written against, read (or made) before anything else is written.

The published checklist template, the quarters (evaluation cycles) that started before today, the
agencies, the demo users as principals, and the two records the history needs and makes once: the
inactive ``demo.history`` inspector, who visits outside the demo inspectors' wilayas, and the
quarterly schedule the assignments belong to. :mod:`backend.demo.history` writes with them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlmodel import col

from backend.authz.principal import Principal, Scope
from backend.checklists import parse_template
from backend.db.engine import Database
from backend.db.tables import (
    Agency,
    Body,
    ChecklistTemplate,
    EvaluationCycle,
    Schedule,
    TemplateVersion,
    User,
)
from backend.demo.history_plan import NAMESPACE, AgencyInfo, Quarter
from backend.demo.history_records import Person
from backend.localtime import LOCAL_ZONE as LOCAL

HISTORY_USER: Final = "demo.history"
SYNCED_WILAYAS: Final = {16: ("inspector", "inspector2"), 31: ("inspector.oran",)}
REVIEWER: Final = "central"


@dataclass(frozen=True)
class Setting:
    """What every batch of the history is written with: the template, the people, the schedule."""

    seed: int
    now: datetime
    document: Any
    sections: dict[str, str]
    template_id: uuid.UUID
    version_id: uuid.UUID
    reviewer: Principal
    history_user: Person
    inspectors: dict[int, list[Person]]
    principals: dict[uuid.UUID, Principal]
    schedule_id: uuid.UUID
    current_quarter: str
    answered_quarters: frozenset[str]


async def load_setting(
    db: Database, seed: int, now: datetime, codes: Sequence[str] | None
) -> tuple[Setting, list[Quarter], list[AgencyInfo]] | None:
    """The setting, the quarters and the agencies (of ``codes``, or all).

    None when there is no published template, no quarter started before today or no reviewer.
    """
    today = now.astimezone(LOCAL).date()
    async with db.write() as session, session.begin():
        row = (
            await session.execute(
                select(TemplateVersion, ChecklistTemplate)
                .join(ChecklistTemplate, col(ChecklistTemplate.id) == col(TemplateVersion.template_id))
                .where(col(TemplateVersion.status) == "published")
                .order_by(col(TemplateVersion.published_at))
                .limit(1)
            )
        ).first()
        cycles = (
            (
                await session.execute(
                    select(EvaluationCycle)
                    .where(col(EvaluationCycle.kind) == "quarter", col(EvaluationCycle.starts_on) < today)
                    .order_by(col(EvaluationCycle.starts_on))
                )
            )
            .scalars()
            .all()
        )
        users = {user.username: user for user in (await session.execute(select(User))).scalars()}
        if row is None or not cycles or REVIEWER not in users:
            return None
        version, template = row
        query = select(Agency, col(Body.code)).join(Body, col(Body.id) == col(Agency.body_id))
        if codes is not None:
            query = query.where(col(Agency.code).in_(list(codes)))
        infos = [
            AgencyInfo(a.id, a.code, body, a.wilaya_code, a.latitude or 36.0, a.longitude or 3.0)
            for a, body in (await session.execute(query.order_by(col(Agency.code)))).all()
        ]
        history = users.get(HISTORY_USER) or await _history_user(session)
        schedule_id = await _schedule(session, seed, template.id, cycles[0].starts_on, users, history)
    quarters = [
        Quarter(cycle.code, cycle.id, cycle.starts_on, cycle.ends_on, index)
        for index, cycle in enumerate(cycles)
    ]
    document = parse_template(version.document)
    person = {name: Person(u.id, name, u.language == "fr") for name, u in users.items() if u.active}
    setting = Setting(
        seed=seed,
        now=now,
        document=document,
        sections={item.key: section.key for section in document.sections for item in section.items},
        template_id=template.id,
        version_id=version.id,
        reviewer=_principal(users[REVIEWER]),
        history_user=Person(history.id, HISTORY_USER, False),
        inspectors={w: [person[n] for n in names if n in person] for w, names in SYNCED_WILAYAS.items()},
        principals={u.id: _principal(u) for name, u in users.items() if name in person},
        schedule_id=schedule_id,
        current_quarter=quarters[-1].code,
        answered_quarters=frozenset(quarter.code for quarter in quarters[-2:]),
    )
    return setting, quarters, infos


def _principal(user: User) -> Principal:
    return Principal(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,  # type: ignore[arg-type]  # checked when the user was made
        scope=Scope(kind=user.scope_kind, ids=tuple(user.scope_ids)),  # type: ignore[arg-type]
        language=user.language,
        session_id=uuid.uuid5(NAMESPACE, f"session:{user.id}"),
    )


async def _history_user(session: Any) -> User:
    user = User(
        username=HISTORY_USER,
        display_name="مفتش (سجل العرض)",
        password_hash="!",  # noqa: S106 - not an argon2 hash: no password can match it
        role="inspector",
        scope_kind="national",
        scope_ids=[],
        language="ar",
        active=False,
    )
    session.add(user)
    await session.flush()
    return user


async def _schedule(
    session: Any, seed: int, template_id: uuid.UUID, first: date, users: dict[str, User], history: User
) -> uuid.UUID:
    schedule_id = uuid.uuid5(NAMESPACE, f"schedule:{seed}")
    if await session.get(Schedule, schedule_id) is None:
        assignees = [users[n].id for names in SYNCED_WILAYAS.values() for n in names if n in users]
        session.add(
            Schedule(
                id=schedule_id,
                name="Évaluation trimestrielle de la qualité du service public",
                template_id=template_id,
                rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
                dtstart=first,
                due_days=75,
                agency_filter={"bodies": [], "wilayas": [], "kinds": []},
                assignee_ids=[str(i) for i in [*assignees, history.id]],
                created_by=users[REVIEWER].id,
                created_at=datetime.combine(first, time(8), LOCAL).astimezone(UTC) - timedelta(days=10),
            )
        )
        await session.flush()
    return schedule_id
