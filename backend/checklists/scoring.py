"""Scoring of a visit's answers against its template version, the same in the PWA.

``pwa/js/core/scoring.js`` implements these rules line for line; the vectors in
``tests/fixtures/vectors/scoring.json`` prove that both give the same output.

Answers map item keys to JSON values: ``"yes" | "no" | "na"`` (yes_no); an option key
(single_choice); a list of option keys (multi_choice); an integer (rating); a number (number,
duration, in the item's unit); a list of rows ``{"received": "YYYY-MM-DD", "processed":
"YYYY-MM-DD" | null, ...}`` (file_sample); a list of rows ``{"satisfaction": 1..5, "service",
"waiting_minutes", "comment", ...}`` (citizen_feedback).

Relevance. Items are visited in document order; an item whose ``relevant`` condition is false is
irrelevant: it is neither scored nor proposes a finding, and later conditions read its answer as
null (so hiding an item hides what depends on it). A condition that does not parse (refused by
`parse_template`, but a document may come from elsewhere) leaves the item relevant.

Points of an item, as a ratio from 0 to 1 (then multiplied by the item's weight):

* yes_no: yes 1, no 0.
* single_choice: the option's points / the best option's points.
* multi_choice: the chosen options' points / all options' points (choosing none is an answer: 0).
* rating: (v - min) / (max - min) on the item's scale (1-5 unless min/max say otherwise).
* number, duration: 1 if the answer meets the ``target`` (``{op, value}``), else 0.
* file_sample: the share of files whose processing delay in days meets the target; files with a
  missing, invalid or reversed date are not measured.
* citizen_feedback: the mean satisfaction scaled to (mean - 1) / 4; 1 when it meets the target.
* date, time, text, photo, gps, signature, and number/duration/file_sample without a target: never
  scored, required or not.

Excluded from both points and maxima: irrelevant items, unanswered items, ``"na"`` and any answer
that does not fit the item (unknown option, rating off the scale, a number that is not finite, a
sample with no measurable file), and choice items whose options are all worth 0.

Sections: points = sum of item points x weight, max_points = sum of the weights of the scored
items, pct = points / max_points. The whole: the mean of the section ratios weighted by the section
weights, over sections that scored something; its points and max_points count section weights, so
score_pct = points / max_points. Nothing scored gives a null pct.

Failing and findings. An item with a target fails when the target is not met (file_sample: when
any measured file misses it); any other scored item fails below half its points (no; a rating of 1
or 2 out of 1-5; a choice worth less than half the best). A failing ``critical`` item is listed in
``critical_failed`` and proposes a ``critical`` finding. An answered item whose answer is in its
``finding_on`` list (for multi_choice: any chosen option), or whose ``finding_on`` condition holds,
proposes a ``major`` finding (conditions read the answers of all relevant items). One proposal per
item, the most severe, in document order.

Rounding: points to 4 decimals, percentages to 2, half up, as ``floor(x * 10**n + 0.5) / 10**n`` on
doubles: the same operations in both languages give the same bits (Python's ``round`` is half-even
and JavaScript's ``toFixed`` works on the decimal expansion; neither is used). Sums run in document
order with plain additions (never ``sum``/``fsum``, which compensate).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Final, Literal, NamedTuple

import msgspec

from backend.checklists import relevance
from backend.checklists.document import RATING_MAX, RATING_MIN, Item, Target, TemplateDocument

Answers = Mapping[str, object]

_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_SATISFACTION: Final = (1, 5)


class SectionScore(msgspec.Struct, kw_only=True):
    """Raw points and maxima of a section (its weight kept, so the whole can be recomputed)."""

    key: str
    weight: float
    points: float
    max_points: float
    pct: float | None


class ProposedFinding(msgspec.Struct, kw_only=True):
    item_key: str
    severity: Literal["critical", "major"]


class Score(msgspec.Struct, kw_only=True):
    """The score of a visit, stored as is (``Visit.score``) so trends survive template changes."""

    score_pct: float | None
    points: float
    max_points: float
    sections: list[SectionScore]
    critical_failed: list[str]
    proposed_findings: list[ProposedFinding]


class Assessment(NamedTuple):
    """How one answered, scored item did: its ratio of points (0-1) and whether it fails."""

    ratio: float
    failed: bool


_YES: Final = Assessment(1.0, False)
_NO: Final = Assessment(0.0, True)


def score(document: TemplateDocument, answers: Answers) -> Score:
    """Score the answers of a visit; never raises on odd answers (they are left out)."""
    shown = relevant_items(document, answers)
    seen = {key: value for key, value in answers.items() if shown.get(key, False)}
    sections: list[SectionScore] = []
    critical_failed: list[str] = []
    findings: list[ProposedFinding] = []
    total = total_max = 0.0
    for section in document.sections:
        points = maximum = 0.0
        for item in section.items:
            if not shown[item.key]:
                continue
            answer = seen.get(item.key)
            assessment = assess(item, answer)
            if assessment is not None:
                points += assessment.ratio * item.weight
                maximum += item.weight
            critical = item.critical and assessment is not None and assessment.failed
            if critical:
                critical_failed.append(item.key)
            if critical or _finding(item, answer, seen):
                findings.append(
                    ProposedFinding(item_key=item.key, severity="critical" if critical else "major")
                )
        sections.append(
            SectionScore(
                key=section.key,
                weight=section.weight,
                points=round_half_up(points, 4),
                max_points=round_half_up(maximum, 4),
                pct=_pct(points, maximum),
            )
        )
        if maximum > 0 and section.weight > 0:
            total += section.weight * (points / maximum)
            total_max += section.weight
    return Score(
        score_pct=_pct(total, total_max),
        points=round_half_up(total, 4),
        max_points=round_half_up(total_max, 4),
        sections=sections,
        critical_failed=critical_failed,
        proposed_findings=findings,
    )


def relevant_items(document: TemplateDocument, answers: Answers) -> dict[str, bool]:
    """Whether each item is relevant, in document order; irrelevant answers read as null later."""
    shown: dict[str, bool] = {}
    seen: dict[str, object] = {}
    for item in document.all_items():
        shown[item.key] = _condition(item.relevant, seen, default=True)
        if shown[item.key] and item.key in answers:
            seen[item.key] = answers[item.key]
    return shown


def assess(item: Item, answer: object) -> Assessment | None:
    """The points ratio and failure of one answer, or None when it is not scored."""
    if answer is None:
        return None
    match item.type:
        case "yes_no":
            return (
                Assessment(1.0, False)
                if answer == "yes"
                else Assessment(0.0, True)
                if answer == "no"
                else None
            )
        case "single_choice":
            options = item.options or []
            best = 0.0
            for option in options:
                best = max(best, option.points)
            chosen = next((option for option in options if option.key == answer), None)
            return None if chosen is None or best <= 0 else _halfway(chosen.points / best)
        case "multi_choice":
            if not isinstance(answer, list):
                return None
            total = earned = 0.0
            for option in item.options or []:
                total += option.points
                if option.key in answer:
                    earned += option.points
            return _halfway(earned / total) if total > 0 else None
        case "rating":
            low = item.min if item.min is not None else RATING_MIN
            high = item.max if item.max is not None else RATING_MAX
            value = _integer(answer)
            if value is None or not low <= value <= high or high <= low:
                return None
            return _halfway((value - low) / (high - low))
        case "number" | "duration":
            value = _finite(answer)
            if item.target is None or value is None:
                return None
            return _YES if _meets(value, item.target) else _NO
        case "file_sample":
            delays = processing_delays(answer)
            if item.target is None or not delays:
                return None
            met = 0
            for delay in delays:
                met += 1 if _meets(delay, item.target) else 0
            return Assessment(met / len(delays), met < len(delays))
        case "citizen_feedback":
            mean = mean_satisfaction(answer)
            if mean is None:
                return None
            scaled = (mean - RATING_MIN) / (RATING_MAX - RATING_MIN)
            if item.target is None:
                return Assessment(scaled, False)
            met = _meets(mean, item.target)
            return Assessment(1.0 if met else scaled, not met)
    return None


def processing_delay(row: object) -> int | None:
    """Days from ``received`` to ``processed`` of one sampled file, or None if not measurable."""
    if not isinstance(row, dict):
        return None
    received, processed = _day(row.get("received")), _day(row.get("processed"))
    if received is None or processed is None or processed < received:
        return None
    return processed - received


def processing_delays(rows: object) -> list[int]:
    """The delays of the measurable files of a file_sample answer, in row order."""
    if not isinstance(rows, list):
        return []
    return [delay for delay in map(processing_delay, rows) if delay is not None]


def mean_satisfaction(rows: object) -> float | None:
    """The mean satisfaction (1-5) of a citizen_feedback answer; rows without a valid one are skipped."""
    if not isinstance(rows, list):
        return None
    total, count = 0.0, 0
    for row in rows:
        value = _integer(row.get("satisfaction")) if isinstance(row, dict) else None
        if value is not None and _SATISFACTION[0] <= value <= _SATISFACTION[1]:
            total += value
            count += 1
    return total / count if count else None


class Measures(NamedTuple):
    """What a visit measured, kept as sums and counts so that averages over agencies stay exact."""

    delay_days_sum: float
    delay_samples: int
    satisfaction_sum: float
    satisfaction_count: int


def measures(document: TemplateDocument, answers: Answers) -> Measures:
    """Processing delays (``file_sample``) and citizens' satisfaction (``citizen_feedback``) of the
    relevant items of a visit."""
    shown = relevant_items(document, answers)
    delays: list[int] = []
    satisfaction_sum, satisfaction_count = 0.0, 0
    for section in document.sections:
        for item in section.items:
            if not shown.get(item.key, False):
                continue
            answer = answers.get(item.key)
            if item.type == "file_sample":
                delays += processing_delays(answer)
            elif item.type == "citizen_feedback" and isinstance(answer, list):
                for row in answer:
                    value = _integer(row.get("satisfaction")) if isinstance(row, dict) else None
                    if value is not None and _SATISFACTION[0] <= value <= _SATISFACTION[1]:
                        satisfaction_sum += value
                        satisfaction_count += 1
    return Measures(float(sum(delays)), len(delays), satisfaction_sum, satisfaction_count)


def round_half_up(value: float, digits: int) -> float:
    """``floor(value * 10**digits + 0.5) / 10**digits``, the rounding shared with JavaScript."""
    scale = float(10**digits)
    return math.floor(value * scale + 0.5) / scale


def _pct(points: float, maximum: float) -> float | None:
    return round_half_up(points / maximum * 100, 2) if maximum > 0 else None


def _halfway(ratio: float) -> Assessment:
    return Assessment(ratio, ratio < 0.5)


def _meets(value: float, target: Target) -> bool:
    match target.op:
        case "<=":
            return value <= target.value
        case "<":
            return value < target.value
        case ">=":
            return value >= target.value
        case ">":
            return value > target.value
    return value == target.value


def _condition(expression: str | None, answers: Answers, *, default: bool) -> bool:
    if expression is None:
        return default
    try:
        return relevance.holds(relevance.parse(expression), answers)
    except relevance.ExpressionError:
        return default


def _finding(item: Item, answer: object, answers: Answers) -> bool:
    rule = item.finding_on
    if rule is None or answer is None:
        return False
    if isinstance(rule, str):
        return _condition(rule, answers, default=False)
    given = answer if item.type == "multi_choice" and isinstance(answer, list) else [answer]
    return any(relevance.strictly_equal(value, listed) for value in given for listed in rule)


def _finite(value: object) -> float | None:
    """A finite number (not a boolean), as a double like JavaScript's; None otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _integer(value: object) -> float | None:
    number = _finite(value)
    return number if number is not None and number.is_integer() else None


def _day(value: object) -> int | None:
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).toordinal()
    except ValueError:
        return None
