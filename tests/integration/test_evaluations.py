"""Evaluations per agency and cycle, from visits made through the real sync push, imported readings
and corrective actions: scores, components, flags, ranks, change, reproducibility, late data,
directors' decisions and the settings form."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from httpx import AsyncClient
from sqlalchemy import select
from sqlmodel import col

from backend.db.engine import Database
from backend.db.tables import AppSetting, Evaluation, EvaluationCycle, TemplateVersion, Visit
from backend.demo.seed import agency_uuid
from backend.evaluations import service
from backend.evaluations.config import from_json
from backend.evaluations.rules import AgencyInputs, evaluate
from backend.i18n import translate
from tests.support.clients import sign_in
from tests.support.ops import Device
from tests.support.pages import open_page, page_sign_in, parse, rows, submit

YEAR = datetime.now(UTC).year
Q1 = f"{YEAR}-Q1"
CNAS_16, CNR_16 = agency_uuid("CNAS-16"), agency_uuid("CNR-16")
HEADER = "agency_code,indicator,period_start,period_end,value\n"


def answer(device: Device, visit_id: uuid.UUID, key: str, value: Any) -> dict[str, Any]:
    return device.op("set", "visit", visit_id, f"answers.{key}", {"value": value, "note": None})


async def push_visit(
    make_client: Callable[[], AsyncClient],
    db: Database,
    agency: uuid.UUID,
    day: str,
    answers: dict[str, Any],
    *,
    submit_it: bool = True,
    action_deadline: str | None = None,
) -> uuid.UUID:
    """A visit by ``inspector`` (wilaya 16) through ``/api/sync/push``: create, answer, submit."""
    async with db.read() as session:
        template_id = (await session.execute(select(col(TemplateVersion.id)))).scalar_one()
    phone, visit_id = Device(), uuid.uuid4()
    ops = [
        phone.op(
            "create",
            "visit",
            visit_id,
            value={
                "agency_id": str(agency),
                "template_version_id": str(template_id),
                "started_at": f"{day}T09:00:00Z",
            },
        ),
        *(answer(phone, visit_id, key, value) for key, value in answers.items()),
    ]
    if action_deadline:
        ops.append(
            phone.op(
                "create",
                "action",
                uuid.uuid4(),
                value={
                    "visit_id": str(visit_id),
                    "title": "Réparer l'extincteur",
                    "deadline": action_deadline,
                },
            )
        )
    if submit_it:
        ops.append(phone.op("submit", "visit", visit_id))
    async with make_client() as inspector:
        await sign_in(inspector, "inspector")
        results = (await inspector.post("/api/sync/push", json=phone.push_body(ops))).json()["results"]
    assert {r["outcome"] for r in results} == {"applied"}, results
    return visit_id


async def import_csv(client: AsyncClient, body: str) -> None:
    soup = await open_page(client, "/manage/indicators")
    response = await submit(
        client,
        soup,
        "form[action='/manage/indicators/import']",
        {},
        files={"file": ("readings.csv", (HEADER + body).encode(), "text/csv")},
    )
    assert response.status_code == 303, response.text[:2000]


async def evaluations_of(db: Database, code: str) -> dict[uuid.UUID, Evaluation]:
    async with db.read() as session:
        found = await session.execute(
            select(Evaluation)
            .join(EvaluationCycle, col(EvaluationCycle.id) == col(Evaluation.cycle_id))
            .where(col(EvaluationCycle.code) == code)
        )
        return {evaluation.agency_id: evaluation for evaluation in found.scalars()}


async def cycle_id(db: Database, code: str) -> uuid.UUID:
    async with db.read() as session:
        return (
            await session.execute(select(col(EvaluationCycle.id)).where(col(EvaluationCycle.code) == code))
        ).scalar_one()


def recomputed(evaluation: Evaluation) -> Any:
    """The evaluation computed again from nothing but what it recorded."""
    inputs = {key: value for key, value in evaluation.inputs.items() if key not in ("config", "previous")}
    return evaluate(msgspec.convert(inputs, AgencyInputs), from_json(evaluation.inputs["config"]))


async def test_an_evaluation_combines_visits_readings_and_actions(
    make_client: Callable[[], AsyncClient], seeded: Database, client: AsyncClient
) -> None:
    day = f"{YEAR}-02-10"
    failing = await push_visit(
        make_client,
        seeded,
        CNAS_16,
        day,
        {
            "safety_equipment": "no",  # a critical item
            "processing_sample": [{"received": f"{YEAR}-01-01", "processed": f"{YEAR}-02-10"}],  # 40 days
            "citizen_interviews": [{"satisfaction": 2}, {"satisfaction": 3}],
        },
        action_deadline=f"{YEAR}-03-15",
    )
    passing = await push_visit(make_client, seeded, CNAS_16, day, {"safety_equipment": "yes"})
    other = await push_visit(make_client, seeded, CNR_16, day, {"safety_equipment": "yes"})
    await push_visit(
        make_client, seeded, CNAS_16, day, {"safety_equipment": "no"}, submit_it=False
    )  # a draft

    await page_sign_in(client, "central")
    await import_csv(
        client,
        f"CNAS-16,collection_rate,{YEAR}-01-01,{YEAR}-03-31,60\n"
        f"CNAS-16,satisfaction,{YEAR}-01-01,{YEAR}-03-31,4\n"
        f"CNR-16,collection_rate,{YEAR}-01-01,{YEAR}-03-31,97\n"
        f"CNR-16,debt_collection_rate,{YEAR}-01-01,{YEAR}-03-31,45\n"
        f"CNAS-16,satisfaction,{YEAR}-01-01,{YEAR}-12-31,1\n",  # a yearly figure: not in a quarter
    )  # the import recomputes the open cycles

    evaluations = await evaluations_of(seeded, Q1)
    assert len(evaluations) == 357  # every agency of the network
    async with seeded.read() as session:
        query = select(Visit).where(col(Visit.id).in_([failing, passing]))
        visits = (await session.execute(query)).scalars().all()
    score_of = {visit.id: visit.score_pct for visit in visits}
    critical = sum(len((visit.score or {})["critical_failed"]) for visit in visits)
    assert "safety_equipment" in next(v for v in visits if v.id == failing).score["critical_failed"]  # type: ignore[index]
    cnas = evaluations[CNAS_16]
    assert {visit[0]: visit[1] for visit in cnas.inputs["visits"]} == {str(k): v for k, v in score_of.items()}
    assert len(cnas.inputs["readings"]) == 2 and cnas.inputs["actions"] == {
        "due": 1,
        "on_time": 0,
        "overdue": 1,
    }
    parts = cnas.components
    assert parts["checklist"] == round(sum(score_of.values()) / 2, 2)  # type: ignore[arg-type]
    assert (
        parts["delay_days"] == 40.0 and parts["satisfaction_mean"] == 3.25 and parts["collection_pct"] == 60.0
    )
    assert parts["follow_up"] == 0.0 and parts["critical_failed"] == critical
    assert {"critical_failed", "low_collection", "overdue_actions"} <= set(cnas.flags)
    assert recomputed(cnas).score == cnas.score and recomputed(cnas).flags == cnas.flags

    cnr = evaluations[CNR_16]
    assert cnr.components["follow_up"] is None and cnr.components["collection_pct"] == 97.0
    # Debt recovery is scored against its own targets (100 points at 70 %, 0 at 20 %).
    assert cnr.components["debt_collection_pct"] == 45.0 and cnr.components["debt_collection"] == 50.0
    assert cnas.components["debt_collection"] is None
    assert [v[0] for v in cnr.inputs["visits"]] == [str(other)]
    first, second = sorted([cnas, cnr], key=lambda e: -(e.score or 0))
    assert (first.rank_national, first.rank_wilaya, second.rank_national, second.rank_wilaya) == (1, 1, 2, 2)
    assert (
        evaluations[agency_uuid("CNAS-31")].score is None
        and evaluations[agency_uuid("CNAS-31")].rank_national is None
    )

    # The ranked page: a national director sees both, ranked, with links to the agency page.
    async with make_client() as director:
        await page_sign_in(director, "director")
        soup = await open_page(director, f"/dashboard/evaluations?cycle={Q1}&wilaya=16")
        table = rows(soup, "table#evaluations")
        assert [row[1].split()[0] for row in table[:2]] == [
            "CNAS-16" if first is cnas else "CNR-16",
            "CNR-16" if first is cnas else "CNAS-16",
        ]
        link = soup.select_one(f"tr[data-agency='CNAS-16'] a[href^='/dashboard/agency/{CNAS_16}']")
        assert link is not None and link["href"].endswith(f"?cycle={Q1}")  # type: ignore[union-attr]
        flags = {tag["data-flag"] for tag in soup.select("tr[data-agency='CNAS-16'] [data-flag]")}
        assert {"critical_failed", "low_collection", "overdue_actions"} <= flags
        by_score = await open_page(director, f"/dashboard/evaluations?cycle={Q1}&sort=score&order=asc")
        assert rows(by_score, "table#evaluations")[0][1].split()[0] == (
            "CNR-16" if first is cnas else "CNAS-16"
        )
    async with make_client() as cnas_director:
        await page_sign_in(cnas_director, "director.cnas")
        soup = await open_page(cnas_director, f"/dashboard/evaluations?cycle={Q1}&per_page=200")
        agencies = [str(tag["data-agency"]) for tag in soup.select("table#evaluations tbody tr")]
        assert agencies and all(code.startswith("CNAS-") for code in agencies)
        assert agencies[0] == "CNAS-16"  # the only one of the body with a score


async def test_late_data_recomputes_and_keeps_the_decision(
    make_client: Callable[[], AsyncClient], seeded: Database, client: AsyncClient
) -> None:
    await push_visit(make_client, seeded, CNAS_16, f"{YEAR}-02-10", {"safety_equipment": "yes"})
    await push_visit(make_client, seeded, CNR_16, f"{YEAR}-02-11", {"safety_equipment": "yes"})
    await page_sign_in(client, "central")
    soup = await open_page(client, f"/dashboard/evaluations?cycle={Q1}")
    response = await submit(client, soup, "form[action='/dashboard/evaluations/recompute']", {})
    assert response.status_code == 303
    before = (await evaluations_of(seeded, Q1))[CNAS_16]
    assert soup.select("form[action$='/decision']") == []  # central inspectors do not decide

    async with make_client() as director:
        await page_sign_in(director, "director.cnas")
        soup = await open_page(director, f"/dashboard/evaluations?cycle={Q1}")
        form = f"form[action='/dashboard/evaluations/{before.id}/decision']"
        too_long = await submit(director, soup, form, {"decision": "x" * 2001})
        assert too_long.status_code == 422
        page = parse(too_long)
        message = translate("evaluations.error.too_long", str(page.html["lang"]), limit=2000)  # type: ignore[index]
        assert page.select_one("[data-field=decision]").get_text(strip=True) == message  # type: ignore[union-attr]
        assert (await evaluations_of(seeded, Q1))[CNAS_16].decision is None
        decided = await submit(director, soup, form, {"decision": "استدعاء مدير الوكالة"})
        assert decided.status_code == 303
        cnr_id = (await evaluations_of(seeded, Q1))[CNR_16].id
        out_of_scope = await director.post(
            f"/dashboard/evaluations/{cnr_id}/decision",
            data={"decision": "x", "_csrf_token": soup.select_one("input[name=_csrf_token]")["value"]},  # type: ignore[index]
        )
        assert out_of_scope.status_code == 404
    assert (await evaluations_of(seeded, Q1))[CNR_16].decision is None

    # Unchanged inputs: nothing is rewritten.
    assert await service.compute_cycle(seeded, before.cycle_id, datetime.now(UTC)) == 0
    # Late data: a reading entered by hand changes the evaluation, its inputs, and keeps the decision.
    soup = await open_page(client, "/manage/indicators")
    entered = await submit(
        client,
        soup,
        "form[action='/manage/indicators']",
        {
            "agency_code": "CNAS-16",
            "indicator": "collection_rate",
            "period_start": f"{YEAR}-01-01",
            "period_end": f"{YEAR}-03-31",
            "value": "20",
        },
    )
    assert entered.status_code == 303
    after = (await evaluations_of(seeded, Q1))[CNAS_16]
    assert after.id == before.id and after.decision == "استدعاء مدير الوكالة"
    assert after.score != before.score and after.computed_at > before.computed_at
    assert [r[1:] for r in after.inputs["readings"]] == [["collection_rate", 20.0]]
    assert "low_collection" in after.flags and recomputed(after).score == after.score


async def test_change_since_the_previous_cycle_of_the_same_kind(
    make_client: Callable[[], AsyncClient], seeded: Database
) -> None:
    await push_visit(make_client, seeded, CNAS_16, f"{YEAR - 1}-11-10", {"safety_equipment": "no"})
    await push_visit(make_client, seeded, CNAS_16, f"{YEAR}-02-10", {"safety_equipment": "yes"})
    now = datetime.now(UTC)
    await service.compute_cycle(seeded, await cycle_id(seeded, f"{YEAR - 1}-Q4"), now)
    await service.compute_cycle(seeded, await cycle_id(seeded, Q1), now)
    previous = (await evaluations_of(seeded, f"{YEAR - 1}-Q4"))[CNAS_16]
    current = (await evaluations_of(seeded, Q1))[CNAS_16]
    assert previous.score is not None and current.score is not None and previous.change is None
    assert current.change == round(current.score - previous.score, 2)
    assert current.inputs["previous"] == {"cycle": f"{YEAR - 1}-Q4", "score": previous.score}
    # The semester is another kind: its previous one is last year's second semester, with no score.
    await service.compute_cycle(seeded, await cycle_id(seeded, f"{YEAR}-S1"), now)
    assert (await evaluations_of(seeded, f"{YEAR}-S1"))[CNAS_16].change is None


async def test_the_settings_form_validates_and_recomputes(
    make_client: Callable[[], AsyncClient], seeded: Database, client: AsyncClient
) -> None:
    await push_visit(
        make_client,
        seeded,
        CNAS_16,
        f"{YEAR}-02-10",
        {"safety_equipment": "yes"},
        action_deadline=f"{YEAR}-02-20",
    )
    await page_sign_in(client, "central")
    soup = await open_page(client, "/manage/settings/evaluation?lang=fr")
    assert soup.select_one("input[name='weights.checklist']")["value"] == "50"  # type: ignore[index]
    bad = await submit(
        client,
        soup,
        "form[action='/manage/settings/evaluation']",
        {"weights.checklist": "beaucoup", "thresholds.satisfaction_min": "7"},
    )
    assert bad.status_code == 422
    page = parse(bad)
    assert page.select_one("input[name='weights.checklist']")["value"] == "beaucoup"  # type: ignore[index]
    lang = str(page.html["lang"])  # type: ignore[index]
    assert page.select_one("[id='weights.checklist-error']").get_text(strip=True) == translate(  # type: ignore[union-attr]
        "evaluations.error.number", lang
    )
    assert page.select_one("[id='thresholds.satisfaction_min-error']") is not None
    async with seeded.read() as session:
        assert await session.get(AppSetting, "evaluation") is None

    fields = {str(tag["name"]): str(tag["value"]) for tag in soup.select("form input[name*='.']")}
    good = await submit(
        client,
        soup,
        "form[action='/manage/settings/evaluation']",
        fields | {"weights.checklist": "100", "weights.indicators": "0", "weights.follow_up": "0"},
    )
    assert good.status_code == 303
    async with seeded.read() as session:
        stored = await session.get(AppSetting, "evaluation")
        assert stored is not None and from_json(stored.value).weights.checklist == 100
    evaluation = (await evaluations_of(seeded, Q1))[CNAS_16]
    assert evaluation.components["follow_up"] == 0.0  # the action is overdue, but weighs nothing now
    assert evaluation.score == evaluation.components["checklist"]
    assert evaluation.inputs["config"]["weights"]["checklist"] == 100
