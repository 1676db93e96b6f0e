"""What every planning page shares: the guard, and refusals shown beside their field."""

from __future__ import annotations

from typing import Any, Final

from backend.authz.guards import requires
from backend.errors import DomainError
from backend.http.language import request_language
from backend.http.params import Req
from backend.i18n import translate

GUARD: Final = [requires("planning.manage")]


def field_messages(request: Req, found: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """Errors per field in the reader's language, each naming its field."""
    language = request_language(request)
    return {
        name: translate(code, language, **{"field": translate(f"planning.field.{name}", language), **params})
        for name, (code, params) in found.items()
    }


def domain_errors(error: DomainError) -> dict[str, tuple[str, dict[str, Any]]]:
    """A service's refusal as the errors of a form: under its field, or the whole form's."""
    return {error.field or "form": (error.code, error.params)}
