"""The review of submitted visits: reviewers in, inspectors refused, unknown visits not found."""

from __future__ import annotations

import uuid

from tests.support.authz import Probe, page_only

REVIEWERS = {"admin", "central_inspector", "director"}
# No visit or conflict has these ids: a reviewer gets 404, the same answer as for one out of scope.
NO_VISIT = uuid.UUID("00000000-0000-4000-8000-00000000a11e")
NO_CONFLICT = uuid.UUID("00000000-0000-4000-8000-00000000c0f1")

PROBES = [
    Probe("GET", "/manage/review", lambda c: "/manage/review", page_only(REVIEWERS)),
    Probe(
        "GET",
        "/manage/review/{visit_id:uuid}",
        lambda c: f"/manage/review/{NO_VISIT}",
        page_only(REVIEWERS, 404),
    ),
    Probe(
        "POST",
        "/manage/review/{visit_id:uuid}/approve",
        lambda c: f"/manage/review/{NO_VISIT}/approve",
        page_only(REVIEWERS, 404),
        form=lambda c: {},
    ),
    Probe(
        "POST",
        "/manage/review/{visit_id:uuid}/return",
        lambda c: f"/manage/review/{NO_VISIT}/return",
        page_only(REVIEWERS, 404),
        form=lambda c: {"comment": "À reprendre"},
    ),
    Probe(
        "POST",
        "/manage/review/conflicts/{conflict_id:uuid}/resolve",
        lambda c: f"/manage/review/conflicts/{NO_CONFLICT}/resolve",
        page_only(REVIEWERS, 404),
        form=lambda c: {"candidate": str(uuid.uuid4())},
    ),
]
