"""The exports: the form, its downloads and a visit's PDF report (``dashboard.read``, in scope)."""

from __future__ import annotations

import uuid

from tests.support.authz import Probe, page_only

READERS = {"admin", "central_inspector", "director"}

PROBES = [
    Probe("GET", "/dashboard/exports", lambda c: "/dashboard/exports", page_only(READERS)),
    Probe(
        "GET",
        "/dashboard/exports/download",
        lambda c: "/dashboard/exports/download?dataset=visits&format=csv&agency=CNAS-16",
        page_only(READERS),
    ),
    # No visit exists when the matrix runs: a reader gets 404, never a report of another scope
    # (tests/integration/test_exports_report.py checks an existing visit in and out of scope).
    Probe(
        "GET",
        "/dashboard/visits/{visit_id:uuid}/report.pdf",
        lambda c: f"/dashboard/visits/{uuid.uuid4()}/report.pdf",
        page_only(READERS, 404),
    ),
]
