"""Pure rules of template management: the life of a version, reading an upload, grouping its problems.

No web framework and no database here, so that each rule has a unit test
(``tests/unit/test_template_admin_rules.py``).

A version is uploaded as a draft, published once (then immutable: devices get it through the sync
feed), and retired when no new visit should start on it. Visits already started on a retired
version keep syncing and scoring against it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast

from backend.checklists import problems as p
from backend.checklists.document import ITEM_TYPES, TemplateDocument
from backend.checklists.parse import MAX_DOCUMENT_BYTES
from backend.checklists.problems import TemplateProblem
from backend.checklists.validate import INVALID_EXPRESSION

# The largest document the validator reads; the upload form says so before anyone tries.
MAX_UPLOAD_BYTES: Final = MAX_DOCUMENT_BYTES
STATUSES: Final = ("draft", "published", "retired")
Action = Literal["publish", "retire"]
# action -> (the status it starts from, the status it leads to)
TRANSITIONS: Final[dict[str, tuple[str, str]]] = {
    "publish": ("draft", "published"),
    "retire": ("published", "retired"),
}
# Codes of problems that the upload itself adds to those of the validator.
VERSION_EXISTS: Final = "version_exists"
NOT_UTF8: Final = "not_utf8"
EMPTY: Final = "empty"
# Every code with its own sentence in the catalogue (``templates.problem.<code>``); others read "other".
KNOWN_CODES: Final = frozenset(
    {
        p.MALFORMED,
        p.TOO_LARGE,
        p.UNKNOWN_FIELD,
        p.MISSING_FIELD,
        p.WRONG_TYPE,
        p.INVALID_VALUE,
        p.DUPLICATE_KEY,
        p.MISSING_TRANSLATION,
        p.OPTIONS_REQUIRED,
        p.OPTIONS_NOT_ALLOWED,
        p.DUPLICATE_OPTION,
        p.FIELD_NOT_ALLOWED,
        p.MIN_GREATER_THAN_MAX,
        p.OUT_OF_RANGE,
        p.UNIT_REQUIRED,
        p.UNKNOWN_REFERENCE,
        p.FORWARD_REFERENCE,
        p.SELF_REFERENCE,
        p.INVALID_FINDING_VALUE,
        p.CRITICAL_NOT_SCORED,
        INVALID_EXPRESSION,
        VERSION_EXISTS,
        NOT_UTF8,
        EMPTY,
    }
)
_WHERE: Final = re.compile(r"^sections\[(?P<section>[0-9]+)\](?:\.items\[(?P<item>[0-9]+)\])?")


def next_status(current: str, action: Action) -> str | None:
    """The status a version moves to, or None when ``action`` does not apply to ``current``."""
    start, end = TRANSITIONS[action]
    return end if current == start else None


def reason_code(code: str) -> str:
    """The catalogue suffix that explains a problem code (unknown codes share a generic sentence)."""
    return code if code in KNOWN_CODES else "other"


def read_upload(file_bytes: bytes | None, pasted: str) -> tuple[str, TemplateProblem | None]:
    """The document's text from an uploaded file (preferred when not empty) or the pasted text.

    Returns:
        The text (kept for the form even when refused, unless too large to show back) and the one
        problem that stops it from being validated, if any.
    """
    if file_bytes:
        if len(file_bytes) > MAX_UPLOAD_BYTES:
            return "", _problem("", p.TOO_LARGE, "the file is too large")
        try:
            text = file_bytes.decode("utf-8-sig")
        except UnicodeDecodeError:
            return "", _problem("", NOT_UTF8, "the file is not UTF-8 text")
    else:
        text = pasted
    if len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
        return "", _problem("", p.TOO_LARGE, "the document is too large")
    if not text.strip():
        return text, _problem("", EMPTY, "no document was given")
    return text, None


@dataclass
class ProblemGroup:
    """The problems of one place of the document: the whole document, a section, or one item."""

    section: int | None
    item: int | None
    section_key: str | None = None
    item_key: str | None = None
    problems: list[TemplateProblem] = field(default_factory=list)


def group_problems(problems: list[TemplateProblem], text: str) -> list[ProblemGroup]:
    """Problems grouped per item (then per section, then the document), in document order.

    ``text`` is the refused document: when it is JSON, each group is named by the keys of its section
    and item, so that an author finds it without counting.
    """
    raw = _loads(text)
    groups: dict[tuple[int, int], ProblemGroup] = {}
    for problem in problems:
        match = _WHERE.match(problem.path)
        section = int(match["section"]) if match else None
        item = int(match["item"]) if match and match["item"] is not None else None
        key = (-1 if section is None else section, -1 if item is None else item)
        if key not in groups:
            groups[key] = ProblemGroup(
                section=section,
                item=item,
                section_key=_key_at(raw, section, None),
                item_key=_key_at(raw, section, item) if item is not None else None,
            )
        groups[key].problems.append(problem)
    return [groups[key] for key in sorted(groups)]


@dataclass(frozen=True)
class Summary:
    """Counts shown at the head of a preview and in the list of versions."""

    sections: int
    items: int
    required: int
    critical: int
    conditional: int
    by_type: list[tuple[str, int]]


def summarize(document: TemplateDocument) -> Summary:
    """How many sections and items, and of which kinds, a document holds."""
    items = document.all_items()
    kinds: Counter[str] = Counter(item.type for item in items)
    return Summary(
        sections=len(document.sections),
        items=len(items),
        required=sum(1 for item in items if item.required),
        critical=sum(1 for item in items if item.critical),
        conditional=sum(1 for item in items if item.relevant),
        by_type=[(kind, kinds[kind]) for kind in ITEM_TYPES if kinds[kind]],
    )


def count_items(document: dict[str, Any]) -> int:
    """Items of a stored (already valid) document, without decoding it."""
    return sum(len(section.get("items", [])) for section in document.get("sections", []))


def _problem(path: str, code: str, message: str) -> TemplateProblem:
    return TemplateProblem(path=path, code=code, message=message)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _key_at(raw: Any, section: int | None, item: int | None) -> str | None:
    """The ``key`` of ``sections[section]`` (or of its ``items[item]``) in raw JSON, if it has one."""
    if section is None or not isinstance(raw, dict):
        return None
    node = _element(raw.get("sections"), section)
    if item is not None and node is not None:
        node = _element(node.get("items"), item)
    key = node.get("key") if node is not None else None
    return key if isinstance(key, str) else None


def _element(values: Any, index: int) -> dict[str, Any] | None:
    element = values[index] if isinstance(values, list) and index < len(values) else None
    return cast(dict[str, Any], element) if isinstance(element, dict) else None
