"""Rules of a template document that its types cannot express.

`check_template` returns every problem it finds, not only the first, so that an author fixes a
draft in one pass. It never raises.
"""

from __future__ import annotations

import re
from typing import Final

from backend.checklists import problems as p
from backend.checklists import relevance
from backend.checklists.document import (
    CHOICE_TYPES,
    DURATION_UNITS,
    LANGUAGES,
    RATING_MAX,
    RATING_MIN,
    YES_NO_VALUES,
    Item,
    Localized,
    TemplateDocument,
)
from backend.checklists.problems import TemplateProblem

# A condition (`relevant`, or `finding_on` written as a condition) that `relevance.parse` refuses.
# Kept next to its only check; problems.py is the natural home if another module needs it.
INVALID_EXPRESSION: Final = "invalid_expression"
# References are found by pattern, once the expression is known to parse.
_REFERENCE: Final = re.compile(r"""answer\(\s*(?:'([^']*)'|"([^"]*)")\s*\)""")

_LANGUAGE_NAMES: Final = {"ar": "Arabic", "fr": "French", "en": "English"}
_VALUE_BOUNDED: Final = frozenset({"number", "duration"})
_COUNT_BOUNDED: Final = frozenset({"multi_choice", "photo", "file_sample", "citizen_feedback", "text"})
_WITH_UNIT: Final = frozenset({"number", "duration"})
_WITH_TARGET: Final = frozenset({"number", "duration", "file_sample", "citizen_feedback"})
# Items whose answer can fail: always for these, and for the _WITH_TARGET ones when a target is set.
_ALWAYS_SCORED: Final = frozenset({"yes_no", "single_choice", "multi_choice", "rating"})


def referenced_keys(expression: str) -> list[str]:
    """The item keys that an expression reads through ``answer('key')``, in order."""
    return [single or double for single, double in _REFERENCE.findall(expression)]


def check_template(document: TemplateDocument) -> list[TemplateProblem]:
    """Every semantic problem of a decoded document; an empty list when it is valid."""
    return _Checker(document).run()


class _Checker:
    def __init__(self, document: TemplateDocument) -> None:
        self.document = document
        self.problems: list[TemplateProblem] = []
        self.item_keys = {item.key for item in document.all_items()}

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append(TemplateProblem(path=path, code=code, message=message))

    def run(self) -> list[TemplateProblem]:
        self.translations("title", self.document.title)
        seen: dict[str, str] = {}  # key -> path of its first use; sections and items share keys
        earlier: set[str] = set()  # item keys that come before the current item
        for s, section in enumerate(self.document.sections):
            path = f"sections[{s}]"
            self.unique(seen, section.key, path)
            self.translations(f"{path}.title", section.title)
            for i, item in enumerate(section.items):
                item_path = f"{path}.items[{i}]"
                self.unique(seen, item.key, item_path)
                self.item(item, item_path, earlier)
                earlier.add(item.key)
        return self.problems

    def unique(self, seen: dict[str, str], key: str, path: str) -> None:
        if key in seen:
            self.add(f"{path}.key", p.DUPLICATE_KEY, f"key '{key}' is already used at {seen[key]}")
        else:
            seen[key] = path

    def translations(self, path: str, text: Localized) -> None:
        for language in LANGUAGES:
            if not getattr(text, language).strip():
                name = _LANGUAGE_NAMES[language]
                self.add(f"{path}.{language}", p.MISSING_TRANSLATION, f"the {name} text is missing")

    def item(self, item: Item, path: str, earlier: set[str]) -> None:
        self.translations(f"{path}.label", item.label)
        if item.guidance is not None:
            self.translations(f"{path}.guidance", item.guidance)
        self.options(item, path)
        self.bounds(item, path)
        self.unit_and_target(item, path)
        if item.critical and not _can_fail(item):
            self.add(
                f"{path}.critical",
                p.CRITICAL_NOT_SCORED,
                f"a {item.type} item can be critical only if its answer can fail (give it a target)"
                if item.type in _WITH_TARGET
                else f"a {item.type} item has no failing answer, so it cannot be critical",
            )
        if item.relevant is not None and self.expression(f"{path}.relevant", item.relevant):
            self.references(f"{path}.relevant", item.relevant, item.key, earlier, allow_self=False)
        self.finding_on(item, path, earlier)

    def options(self, item: Item, path: str) -> None:
        if item.type not in CHOICE_TYPES:
            if item.options is not None:
                self.add(f"{path}.options", p.OPTIONS_NOT_ALLOWED, f"a {item.type} item has no options")
            return
        if item.options is None or len(item.options) < 2:
            self.add(f"{path}.options", p.OPTIONS_REQUIRED, f"a {item.type} item needs at least two options")
            return
        seen: set[str] = set()
        for o, option in enumerate(item.options):
            if option.key in seen:
                self.add(
                    f"{path}.options[{o}].key", p.DUPLICATE_OPTION, f"option key '{option.key}' is repeated"
                )
            seen.add(option.key)
            self.translations(f"{path}.options[{o}].label", option.label)

    def bounds(self, item: Item, path: str) -> None:
        if item.min is None and item.max is None:
            return
        if item.type not in _VALUE_BOUNDED | _COUNT_BOUNDED | {"rating"}:
            name = "min" if item.min is not None else "max"
            self.add(f"{path}.{name}", p.FIELD_NOT_ALLOWED, f"a {item.type} item takes no min or max")
            return
        for name, value in (("min", item.min), ("max", item.max)):
            if value is None:
                continue
            if item.type == "rating" and not (RATING_MIN <= value <= RATING_MAX and value.is_integer()):
                self.add(
                    f"{path}.{name}",
                    p.OUT_OF_RANGE,
                    f"a rating {name} must be a whole number from {RATING_MIN} to {RATING_MAX}",
                )
            elif item.type in _COUNT_BOUNDED and not (value >= 0 and value.is_integer()):
                self.add(f"{path}.{name}", p.OUT_OF_RANGE, f"{name} is a count: a whole number, 0 or more")
        if item.min is not None and item.max is not None and item.min > item.max:
            self.add(
                f"{path}.min",
                p.MIN_GREATER_THAN_MAX,
                f"min ({item.min:g}) is greater than max ({item.max:g})",
            )

    def unit_and_target(self, item: Item, path: str) -> None:
        if item.unit is not None and item.type not in _WITH_UNIT:
            self.add(f"{path}.unit", p.FIELD_NOT_ALLOWED, f"a {item.type} item takes no unit")
        if item.type == "duration" and item.unit not in DURATION_UNITS:
            self.add(
                f"{path}.unit", p.UNIT_REQUIRED, f"a duration needs a unit among {', '.join(DURATION_UNITS)}"
            )
        target = item.target
        if target is None:
            return
        if item.type not in _WITH_TARGET:
            self.add(f"{path}.target", p.FIELD_NOT_ALLOWED, f"a {item.type} item takes no target")
            return
        low, high = item.min, item.max
        if item.type == "citizen_feedback":
            low, high = RATING_MIN, RATING_MAX  # the target is a mean satisfaction
        elif item.type == "file_sample":
            low, high = 0, None  # the target is a delay in days
        if (low is not None and target.value < low) or (high is not None and target.value > high):
            self.add(
                f"{path}.target.value",
                p.OUT_OF_RANGE,
                f"the target {target.value:g} lies outside the allowed values of the answer",
            )

    def expression(self, path: str, expression: str) -> bool:
        """Whether an expression parses; if not, report where and why."""
        try:
            relevance.parse(expression)
        except relevance.ExpressionError as error:
            self.add(path, INVALID_EXPRESSION, f"this condition does not parse: {error}")
            return False
        return True

    def references(
        self, path: str, expression: str, own_key: str, earlier: set[str], *, allow_self: bool
    ) -> None:
        for key in referenced_keys(expression):
            if key in earlier or (allow_self and key == own_key):
                continue
            if key == own_key:
                self.add(path, p.SELF_REFERENCE, f"an item cannot depend on its own answer ('{key}')")
            elif key in self.item_keys:
                self.add(path, p.FORWARD_REFERENCE, f"item '{key}' comes later; refer only to earlier items")
            else:
                self.add(path, p.UNKNOWN_REFERENCE, f"no item has the key '{key}'")

    def finding_on(self, item: Item, path: str, earlier: set[str]) -> None:
        rule = item.finding_on
        if rule is None:
            return
        if isinstance(rule, str):
            if self.expression(f"{path}.finding_on", rule):
                self.references(f"{path}.finding_on", rule, item.key, earlier, allow_self=True)
            return
        allowed: set[str | int]
        if item.type == "yes_no":
            allowed = set(YES_NO_VALUES)
        elif item.type in CHOICE_TYPES:
            allowed = {option.key for option in item.options or ()}
        elif item.type == "rating":
            low = int(item.min) if item.min is not None else RATING_MIN
            high = int(item.max) if item.max is not None else RATING_MAX
            allowed = set(range(low, high + 1))
        else:
            self.add(
                f"{path}.finding_on",
                p.INVALID_FINDING_VALUE,
                f"a {item.type} item proposes findings through a condition, not a list of values",
            )
            return
        for v, value in enumerate(rule):
            if value not in allowed:
                self.add(
                    f"{path}.finding_on[{v}]",
                    p.INVALID_FINDING_VALUE,
                    f"{value!r} is not a possible answer of this {item.type} item",
                )


def _can_fail(item: Item) -> bool:
    return item.type in _ALWAYS_SCORED or (item.type in _WITH_TARGET and item.target is not None)
