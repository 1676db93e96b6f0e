"""Typed problems found in a template document, with stable codes."""

from __future__ import annotations

from typing import Final

from backend.checklists.document import Base

# Stable codes: clients and tests match on them, so they are never renamed.
MALFORMED: Final = "malformed"  # not JSON at all, or truncated
TOO_LARGE: Final = "too_large"
UNKNOWN_FIELD: Final = "unknown_field"
MISSING_FIELD: Final = "missing_field"
WRONG_TYPE: Final = "wrong_type"
INVALID_VALUE: Final = "invalid_value"  # right type, but outside a constraint (pattern, range, enum)
DUPLICATE_KEY: Final = "duplicate_key"
MISSING_TRANSLATION: Final = "missing_translation"
OPTIONS_REQUIRED: Final = "options_required"
OPTIONS_NOT_ALLOWED: Final = "options_not_allowed"
DUPLICATE_OPTION: Final = "duplicate_option"
FIELD_NOT_ALLOWED: Final = "field_not_allowed"
MIN_GREATER_THAN_MAX: Final = "min_greater_than_max"
OUT_OF_RANGE: Final = "out_of_range"
UNIT_REQUIRED: Final = "unit_required"
UNKNOWN_REFERENCE: Final = "unknown_reference"
FORWARD_REFERENCE: Final = "forward_reference"
SELF_REFERENCE: Final = "self_reference"
INVALID_FINDING_VALUE: Final = "invalid_finding_value"
CRITICAL_NOT_SCORED: Final = "critical_not_scored"


class TemplateProblem(Base):
    """One problem of a template document.

    Attributes:
        path: Where the problem is, e.g. ``sections[2].items[4].options``; empty for the whole
            document.
        code: A stable code from this module.
        message: An English explanation for the template author.
    """

    path: str
    code: str
    message: str


class TemplateInvalid(Exception):
    """A template document that cannot be published, with every problem found."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{p.path or '<document>'}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"invalid template: {summary}{more}")
