"""The template version document: one JSON document per published version.

The same document is read by the server (validation, scoring) and by the PWA (rendering, live
score), so these types are its single definition on the Python side. Decoding is strict: unknown
fields are refused and every value must have its declared JSON type. Rules that a type cannot say
(unique keys, options only on choice items, references to earlier items, …) live in
`backend.checklists.validate`.

Conventions that the scoring and rendering code rely on:

* `yes_no` answers are ``"yes"``, ``"no"`` or ``"na"``; ``"yes"`` scores full points, ``"no"``
  nothing, ``"na"`` is excluded. Questions are phrased so that ``"yes"`` is the expected answer.
* `min` / `max` bound the value of `number` and `duration` items, the scale of `rating` items
  (within 1–5), and a count for the others that accept them: photos for `photo`, selected options
  for `multi_choice`, rows for `file_sample` and `citizen_feedback`, characters for `text`.
* `target` is what earns full points: the value of a `number` or `duration` answer, each file's
  processing delay in days for `file_sample`, the mean satisfaction (1–5) for `citizen_feedback`.
* `finding_on` proposes a finding: either a list of answer values (``"no"``, option keys, ratings)
  or a condition in the relevance language. A failing answer to a `critical` item also proposes one.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal, get_args

import msgspec


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every struct of the document: keyword-only, strict about unknown fields."""


ItemType = Literal[
    "yes_no",
    "single_choice",
    "multi_choice",
    "rating",
    "number",
    "duration",
    "date",
    "time",
    "text",
    "photo",
    "gps",
    "signature",
    "file_sample",
    "citizen_feedback",
]
ITEM_TYPES: Final[tuple[str, ...]] = get_args(ItemType)

CHOICE_TYPES: Final = frozenset({"single_choice", "multi_choice"})
YES_NO_VALUES: Final = ("yes", "no", "na")
RATING_MIN: Final = 1
RATING_MAX: Final = 5
DURATION_UNITS: Final = ("minutes", "hours", "days")
LANGUAGES: Final = ("ar", "fr", "en")

Key = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=64,
        description="Stable identifier: lower-case letters, digits and underscores.",
    ),
]
Weight = Annotated[float, msgspec.Meta(ge=0, le=1000)]
TextValue = Annotated[str, msgspec.Meta(max_length=4000)]
Expression = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
Unit = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
TargetOp = Literal["<=", "<", ">=", ">", "=="]


class Localized(Base):
    """A text in the three languages of the application.

    A missing language decodes as an empty string so that validation can report every missing
    translation at once; a valid document has all three.
    """

    ar: TextValue = ""
    fr: TextValue = ""
    en: TextValue = ""


class Option(Base):
    """One option of a `single_choice` or `multi_choice` item."""

    key: Key
    label: Localized
    points: Annotated[float, msgspec.Meta(ge=0, le=1000)] = 0.0


class Target(Base):
    """The value that earns full points, e.g. ``{"op": "<=", "value": 20}``."""

    op: TargetOp
    value: float


class Item(Base):
    """One question of a checklist."""

    key: Key
    type: ItemType
    label: Localized
    guidance: Localized | None = None
    required: bool = False
    weight: Weight = 1.0
    critical: bool = False
    relevant: Expression | None = None
    options: Annotated[list[Option], msgspec.Meta(max_length=50)] | None = None
    min: float | None = None
    max: float | None = None
    unit: Unit | None = None
    target: Target | None = None
    finding_on: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=64)] | int], msgspec.Meta(max_length=50)]
        | Expression
        | None
    ) = None


class Section(Base):
    """A titled group of items, weighted in the overall score."""

    key: Key
    title: Localized
    items: Annotated[list[Item], msgspec.Meta(min_length=1, max_length=200)]
    weight: Weight = 1.0


class TemplateDocument(Base):
    """One version of a checklist template, immutable once published."""

    key: Key
    version: Annotated[int, msgspec.Meta(ge=1)]
    title: Localized
    sections: Annotated[list[Section], msgspec.Meta(min_length=1, max_length=50)]

    def all_items(self) -> list[Item]:
        """All items of the document, in document order."""
        return [item for section in self.sections for item in section.items]
