"""Signing in and out of the pages, their language and stylesheet."""

from __future__ import annotations

from tests.support.authz import ANON, SIGN_IN, USERS, Probe, everyone

PROBES = [
    # Signed-in users are sent on to their start page.
    Probe("GET", "/signin", lambda c: "/signin", {ANON: 200} | dict.fromkeys(USERS, 303)),
    Probe(
        "POST",
        "/signin",
        lambda c: "/signin",
        everyone(401),
        form=lambda c: {"username": "nobody", "password": "x"},
    ),
    Probe(
        "POST",
        "/account/language",
        lambda c: "/account/language",
        everyone(303),
        form=lambda c: {"language": "ar", "next": "/signin"},
    ),
    Probe("POST", "/signout", lambda c: "/signout", everyone(SIGN_IN)),
]
