"""Template management pages (``/manage/templates``): central inspectors and admins only.

The matrix holds no template version id, so the version rows ask for an unknown one: a permitted role
reaches the handler (404), the others are stopped by the guard first (403).
"""

from __future__ import annotations

import uuid

from tests.support.authz import Probe, page_only

MANAGERS = {"admin", "central_inspector"}
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-00000000a11e")

PROBES = [
    Probe("GET", "/manage/templates", lambda c: "/manage/templates", page_only(MANAGERS)),
    Probe("GET", "/manage/templates/new", lambda c: "/manage/templates/new", page_only(MANAGERS)),
    # An empty upload is refused with the form re-rendered: nothing is stored by the matrix.
    Probe(
        "POST",
        "/manage/templates",
        lambda c: "/manage/templates",
        page_only(MANAGERS, 422),
        form=lambda c: {"document": ""},
    ),
    Probe(
        "GET",
        "/manage/templates/versions/{version_id:uuid}",
        lambda c: f"/manage/templates/versions/{UNKNOWN}",
        page_only(MANAGERS, 404),
    ),
    Probe(
        "POST",
        "/manage/templates/versions/{version_id:uuid}/publish",
        lambda c: f"/manage/templates/versions/{UNKNOWN}/publish",
        page_only(MANAGERS, 404),
    ),
    Probe(
        "POST",
        "/manage/templates/versions/{version_id:uuid}/retire",
        lambda c: f"/manage/templates/versions/{UNKNOWN}/retire",
        page_only(MANAGERS, 404),
    ),
]
