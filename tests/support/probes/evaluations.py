"""Evaluations (/dashboard/evaluations), their settings, and indicator readings (/manage/indicators)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tests.support.authz import ANON, SIGN_IN, Probe, page_only

READERS = {"admin", "central_inspector", "director"}
PLANNERS = {"admin", "central_inspector"}
WRITERS = {"admin", "central_inspector", "director"}  # indicators.write (directors within their scope)

PROBES = [
    Probe("GET", "/dashboard/evaluations", lambda c: "/dashboard/evaluations", page_only(READERS)),
    Probe(
        "POST",
        "/dashboard/evaluations/recompute",
        lambda c: "/dashboard/evaluations/recompute",
        page_only(PLANNERS, 303),
        form=lambda c: {"cycle": f"{datetime.now(UTC).year}-Q1"},  # a demo cycle
    ),
    # Directors and administrators decide; the others are refused before anything is looked up, and
    # an evaluation that does not exist (or is out of scope) is not found.
    Probe(
        "POST",
        "/dashboard/evaluations/{evaluation_id:uuid}/decision",
        lambda c: f"/dashboard/evaluations/{uuid.uuid4()}/decision",
        {ANON: SIGN_IN, "admin": 404, "director": 404, "central_inspector": 403, "inspector": 403},
        form=lambda c: {"decision": "Convoquer le directeur d'agence"},
    ),
    Probe("GET", "/manage/settings/evaluation", lambda c: "/manage/settings/evaluation", page_only(PLANNERS)),
    Probe(
        "POST",
        "/manage/settings/evaluation",
        lambda c: "/manage/settings/evaluation",
        page_only(PLANNERS, 422),
        form=lambda c: {"weights.checklist": "lots"},
    ),
    Probe("GET", "/manage/indicators", lambda c: "/manage/indicators", page_only(WRITERS)),
    Probe(
        "POST",
        "/manage/indicators",
        lambda c: "/manage/indicators",
        page_only(WRITERS, 303),
        form=lambda c: {
            "agency_code": "CNAS-16",
            "indicator": "satisfaction",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "value": "3.5",
        },
    ),
    Probe(
        "POST",
        "/manage/indicators/import",
        lambda c: "/manage/indicators/import",
        page_only(WRITERS, 422),
        form=lambda c: {},
        name="no file",
    ),
]
