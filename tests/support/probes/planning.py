"""Cycles, schedules and assignments (/manage/planning): central inspectors and admins only.

Writes are probed with forms that change nothing where they are allowed (an incomplete schedule is
refused with 422, an unknown schedule or assignment is 404), so every role starts from the same data.
"""

from __future__ import annotations

import uuid

from tests.support.authz import Probe, page_only

PLANNERS = {"admin", "central_inspector"}
NOBODY = uuid.UUID(int=0)

PROBES = [
    Probe("GET", "/manage/planning", lambda c: "/manage/planning", page_only(PLANNERS)),
    Probe(
        "POST",
        "/manage/cycles",
        lambda c: "/manage/cycles",
        page_only(PLANNERS, 303),
        form=lambda c: {
            "code": "2031-Q1",
            "kind": "quarter",
            "starts_on": "2031-01-01",
            "ends_on": "2031-03-31",
            "name_ar": "الثلاثي 1 2031",
            "name_fr": "T1 2031",
            "name_en": "Q1 2031",
        },
    ),
    Probe("GET", "/manage/schedules/new", lambda c: "/manage/schedules/new", page_only(PLANNERS)),
    Probe(
        "POST",
        "/manage/schedules",
        lambda c: "/manage/schedules",
        page_only(PLANNERS, 422),
        form=lambda c: {"name": ""},
    ),
    Probe(
        "GET",
        "/manage/schedules/{schedule_id:uuid}",
        lambda c: f"/manage/schedules/{NOBODY}",
        page_only(PLANNERS, 404),
    ),
    Probe(
        "POST",
        "/manage/schedules/{schedule_id:uuid}/generate",
        lambda c: f"/manage/schedules/{NOBODY}/generate",
        page_only(PLANNERS, 404),
    ),
    Probe(
        "POST",
        "/manage/schedules/{schedule_id:uuid}/pause",
        lambda c: f"/manage/schedules/{NOBODY}/pause",
        page_only(PLANNERS, 404),
    ),
    Probe(
        "POST",
        "/manage/schedules/{schedule_id:uuid}/resume",
        lambda c: f"/manage/schedules/{NOBODY}/resume",
        page_only(PLANNERS, 404),
    ),
    Probe(
        "GET",
        "/manage/schedules/{schedule_id:uuid}/edit",
        lambda c: f"/manage/schedules/{NOBODY}/edit",
        page_only(PLANNERS, 404),
    ),
    # A valid change of an unknown schedule: 404 where allowed, and nothing else is touched.
    Probe(
        "POST",
        "/manage/schedules/{schedule_id:uuid}/edit",
        lambda c: f"/manage/schedules/{NOBODY}/edit",
        page_only(PLANNERS, 404),
        form=lambda c: {"name": "Renommé", "due_days": "10", "assignees": c["inspector2_id"]},
    ),
    Probe("GET", "/manage/assignments", lambda c: "/manage/assignments", page_only(PLANNERS)),
    Probe(
        "POST",
        "/manage/assignments/{assignment_id:uuid}/reassign",
        lambda c: f"/manage/assignments/{NOBODY}/reassign",
        page_only(PLANNERS, 404),
        form=lambda c: {"assignee_id": c["inspector2_id"]},
    ),
    Probe(
        "POST",
        "/manage/assignments/{assignment_id:uuid}/cancel",
        lambda c: f"/manage/assignments/{NOBODY}/cancel",
        page_only(PLANNERS, 404),
    ),
]
