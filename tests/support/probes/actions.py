"""The follow-up of corrective actions (/dashboard/actions).

The matrix holds no action of its own, so the pages of one action are probed with an id nobody made:
the guard answers first (sign-in, 403), then the roles that may read get a plain 404, the same answer
as for an action outside their scope, so existence never leaks.
"""

from __future__ import annotations

import uuid

from tests.support.authz import Probe, page_only

READERS = {"admin", "central_inspector", "director"}
_NOBODY = uuid.UUID("00000000-0000-4000-8000-00000000ac71")
_SHA = "0" * 64

PROBES = [
    Probe("GET", "/dashboard/actions", lambda c: "/dashboard/actions", page_only(READERS)),
    Probe(
        "GET",
        "/dashboard/actions/{action_id:uuid}",
        lambda c: f"/dashboard/actions/{_NOBODY}",
        page_only(READERS, 404),
    ),
    Probe(
        "POST",
        "/dashboard/actions/{action_id:uuid}/status",
        lambda c: f"/dashboard/actions/{_NOBODY}/status",
        page_only(READERS, 404),
        form=lambda c: {"status": "in_progress", "note": ""},
    ),
    Probe(
        "GET",
        "/dashboard/actions/{action_id:uuid}/evidence/{sha256:str}",
        lambda c: f"/dashboard/actions/{_NOBODY}/evidence/{_SHA}",
        page_only(READERS, 404),
    ),
]
