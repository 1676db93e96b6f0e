"""Which language a response speaks: ``?lang=``, then the user's own, then Accept-Language, then Arabic."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("ar", "fr", "en")
DEFAULT_LANGUAGE: Final = "ar"


def negotiate(query_lang: str | None, user_lang: str | None, accept_language: str | None) -> str:
    if query_lang in LANGUAGES:
        return query_lang
    if user_lang in LANGUAGES:
        return user_lang
    for tag, _quality in _parse_accept(accept_language or ""):
        primary = tag.split("-", 1)[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _parse_accept(header: str) -> list[tuple[str, float]]:
    ranked: list[tuple[str, float]] = []
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((tag, quality))
    return sorted(ranked, key=lambda pair: -pair[1])
