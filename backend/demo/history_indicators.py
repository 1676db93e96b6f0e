"""Indicator readings of the demo history, as if imported every quarter from the bodies' systems.

Pure rules (no database): per agency and quarter, the processing delay of files, citizens'
satisfaction and, for the bodies that collect contributions, the collection rates of contributions
and of debts, all following the agency's quality of the quarter. Readings of a quarter arrive a
few days after it ends; for the current quarter, half of the agencies sent an interim reading.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final

from backend.demo.history_answers import COLLECTING_BODIES
from backend.demo.history_plan import NAMESPACE, AgencyPlan, agency_rng
from backend.localtime import LOCAL_ZONE as LOCAL

# indicator: unit
INDICATORS: Final = {
    "processing_delay_days": "days",
    "satisfaction": "/5",
    "collection_rate": "%",
    "debt_collection_rate": "%",
}


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def reading_rows(seed: int, plan: AgencyPlan, created_by: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    """The readings of one agency over the quarters of its plan, those that arrived before ``now``."""
    rng = agency_rng(seed, plan.agency.code, "readings")
    quarters = [assignment.quarter for assignment in plan.assignments]
    middle = (len(quarters) - 1) / 2
    rows: list[dict[str, Any]] = []
    for quarter in quarters:
        quality = _clamp(plan.base + plan.slope * (quarter.index - middle) + rng.gauss(0, 0.05), 0.05, 0.98)
        arrived = datetime.combine(quarter.end, time(10), LOCAL).astimezone(UTC) + timedelta(
            days=rng.randint(5, 20)
        )
        if arrived > now:
            interim = rng.random() < 0.5
            arrived = now - timedelta(days=rng.randint(2, 9))
            if not interim or arrived.astimezone(LOCAL).date() <= quarter.start:
                continue
        values = {
            "processing_delay_days": round(max(2.0, rng.gauss(8 + 40 * (1 - quality), 4)), 1),
            "satisfaction": round(_clamp(1 + 4 * quality + rng.gauss(0, 0.3), 1, 5), 2),
        }
        if plan.agency.body in COLLECTING_BODIES:
            values["collection_rate"] = round(_clamp(60 + 40 * quality + rng.gauss(0, 4), 0, 100), 1)
            values["debt_collection_rate"] = round(_clamp(25 + 60 * quality + rng.gauss(0, 6), 0, 100), 1)
        rows += [
            {
                "id": uuid.uuid5(NAMESPACE, f"reading:{seed}:{plan.agency.code}:{quarter.code}:{indicator}"),
                "agency_id": plan.agency.id,
                "indicator": indicator,
                "period_start": quarter.start,
                "period_end": quarter.end,
                "value": value,
                "unit": INDICATORS[indicator],
                "source": "import",
                "created_by": created_by,
                "created_at": arrived,
            }
            for indicator, value in values.items()
        ]
    return rows
