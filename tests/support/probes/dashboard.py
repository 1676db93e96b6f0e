"""The directors' dashboard: drill-down pages, the visits behind a figure, trend charts."""

from __future__ import annotations

from backend.demo.seed import agency_uuid
from tests.support.authz import ANON, SIGN_IN, USERS, Probe, page_only

READERS = {"admin", "central_inspector", "director"}
IN_SCOPE = agency_uuid("CNAS-16")  # every reader sees it (national, or body CNAS)
OUT_OF_SCOPE = agency_uuid("CNR-31")  # only the national readers see it
NATIONAL = {"admin", "central_inspector"}


def _out_of_cnas(ok: int = 200) -> dict[str, int]:
    """Out of the CNAS director's scope: 404 for them, as if it did not exist."""
    return {ANON: SIGN_IN} | {
        role: ok if role in NATIONAL else 404 if role == "director" else 403 for role in USERS
    }


PROBES = [
    Probe("GET", "/dashboard", lambda c: "/dashboard", page_only(READERS)),
    Probe("GET", "/dashboard/body/{code:str}", lambda c: "/dashboard/body/CNAS", page_only(READERS)),
    Probe(
        "GET",
        "/dashboard/body/{code:str}",
        lambda c: "/dashboard/body/CNR",
        _out_of_cnas(),
        name="out of scope",
    ),
    Probe(
        "GET", "/dashboard/wilaya/{code:int}", lambda c: "/dashboard/wilaya/16?body=CNAS", page_only(READERS)
    ),
    Probe(
        "GET",
        "/dashboard/wilaya/{code:int}",
        lambda c: "/dashboard/wilaya/31?body=CNR",
        _out_of_cnas(),
        name="out of scope",
    ),
    Probe(
        "GET",
        "/dashboard/agency/{agency_id:uuid}",
        lambda c: f"/dashboard/agency/{IN_SCOPE}",
        page_only(READERS),
    ),
    Probe(
        "GET",
        "/dashboard/agency/{agency_id:uuid}",
        lambda c: f"/dashboard/agency/{OUT_OF_SCOPE}",
        _out_of_cnas(),
        name="out of scope",
    ),
    Probe("GET", "/dashboard/visits", lambda c: "/dashboard/visits?indicator=score", page_only(READERS)),
    Probe(
        "GET",
        "/dashboard/visits",
        lambda c: f"/dashboard/visits?agency={OUT_OF_SCOPE}",
        _out_of_cnas(),
        name="out of scope",
    ),
    Probe(
        "GET",
        "/dashboard/charts/{name:str}",
        lambda c: "/dashboard/charts/score.svg?body=CNAS",
        page_only(READERS),
    ),
    Probe(
        "GET",
        "/dashboard/charts/{name:str}",
        lambda c: "/dashboard/charts/score.svg?body=CNR",
        _out_of_cnas(),
        name="out of scope",
    ),
]
