"""The relevance language: the vectors shared with the PWA, and what arbitrary text does to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.checklists import TemplateInvalid, parse_template
from backend.checklists.relevance import MAX_DEPTH, ExpressionError, evaluate, holds, parse, truthy
from backend.demo import TEMPLATES_DIR

VECTORS = json.loads((Path(__file__).parents[1] / "fixtures/vectors/relevance.json").read_text("utf-8"))
CASES = VECTORS["cases"]


def _strict(value: Any) -> Any:
    """A value with its JSON type kept visible: 1, 1.0 and true must not compare equal here."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return {k: _strict(v) for k, v in value.items()}


def test_there_are_enough_vectors_of_both_kinds() -> None:
    assert len(CASES) >= 40
    assert sum("error" in case for case in CASES) >= 10
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c for c in CASES if "error" not in c], ids=lambda c: c["name"])
def test_vector_value(case: dict[str, Any]) -> None:
    answers = case.get("answers", VECTORS["answers"])
    assert _strict(evaluate(parse(case["expression"]), answers)) == _strict(case["expected"])


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=lambda c: c["name"])
def test_vector_error(case: dict[str, Any]) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(case["expression"])
    error = caught.value
    assert {"code": error.code, "position": error.position, "message": str(error)} == case["error"]


def test_names_are_refused_and_keys_are_only_looked_up() -> None:
    for source in ("__import__('os')", "answer('q').__class__", "exec", "open('x')"):
        with pytest.raises(ExpressionError):
            parse(source)
    assert evaluate(parse("answer('__class__')"), {}) is None


def test_holds_is_the_truthiness_of_the_value() -> None:
    assert not holds(parse("answer('a')"), {"a": []})
    assert holds(parse("answer('a')"), {"a": ["x"]})
    assert [truthy(v) for v in (None, False, 0, 0.0, "", [], {})] == [False] * 7
    assert [truthy(v) for v in (True, -1, "x", [0], {"a": 1}, float("inf"))] == [True] * 6


def test_huge_integers_are_doubles_as_in_javascript() -> None:
    assert evaluate(parse("answer('n') > 1"), {"n": 10**400})
    assert evaluate(parse("answer('n') == 9007199254740992"), {"n": 2**53 + 1})


def test_a_template_whose_condition_does_not_parse_is_refused_with_the_position() -> None:
    document = json.loads((TEMPLATES_DIR / "quality_public_service.json").read_text("utf-8"))
    document["sections"][1]["items"][1]["relevant"] = "answer('reception_desk') = 'yes'"
    document["sections"][2]["items"][1]["finding_on"] = "answer('measured_waiting_time') >"
    with pytest.raises(TemplateInvalid) as caught:
        parse_template(document)
    problems = [(p.path, p.code) for p in caught.value.problems]
    assert problems == [
        ("sections[1].items[1].relevant", "invalid_expression"),
        ("sections[2].items[1].finding_on", "invalid_expression"),
    ]
    assert "(at character 26)" in caught.value.problems[0].message


TOKENS = st.sampled_from(
    ["answer", "count", "(", ")", "[", "]", ",", "'q'", '"x"', "'", '"', "==", "!=", "<", "<=", ">", ">=",
     "=", "!", "-", ".", "1", "2.5", "-3", "and", "or", "not", "in", "null", "true", "false", " ", "\n",
     "q", "😀", "ن", "١"]
)  # fmt: skip


@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_the_documented_error(source: str) -> None:
    _parse_and_evaluate(source)


@given(st.lists(TOKENS, max_size=40).map("".join))
def test_arbitrary_token_soup_parses_or_raises_the_documented_error(source: str) -> None:
    _parse_and_evaluate(source)


def test_nesting_is_bounded_before_python_recursion_is() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("(" * 10_000)
    assert caught.value.code == "too_deep"
    assert caught.value.position == MAX_DEPTH
    assert holds(parse(" or ".join(["false"] * 5_000) + " or true"), {})


def _parse_and_evaluate(source: str) -> None:
    try:
        node = parse(source)
    except ExpressionError as error:
        position = error.position
    else:
        for answers in ({}, {"q": "x", "x": [1, None]}, {"q": None, "x": {"a": 1}}):
            evaluate(node, answers)
        return
    assert 0 <= position <= len(source)
