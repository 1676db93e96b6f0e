"""Checklist scoring: the vectors shared with the PWA, and what odd answers do to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.checklists import TemplateDocument, TemplateInvalid, decode_template, parse_template
from backend.checklists.scoring import (
    assess,
    mean_satisfaction,
    processing_delay,
    processing_delays,
    relevant_items,
    round_half_up,
    score,
)
from backend.demo import TEMPLATES_DIR

ROOT = Path(__file__).parents[2]
VECTORS = json.loads((ROOT / "tests/fixtures/vectors/scoring.json").read_text("utf-8"))
CASES = VECTORS["cases"]
HELPERS = VECTORS["helpers"]
DEMO = parse_template((TEMPLATES_DIR / "quality_public_service.json").read_bytes())
DEMO_ANSWERS = next(case["answers"] for case in CASES if case.get("template_path"))


def _document(case: dict[str, Any]) -> TemplateDocument:
    source = (ROOT / case["template_path"]).read_bytes() if "template_path" in case else case["template"]
    if case.get("template_valid", True):
        return parse_template(source)
    with pytest.raises(TemplateInvalid):
        parse_template(source)
    return decode_template(source)


def test_there_are_enough_vectors_and_they_cover_every_scored_type() -> None:
    assert len(CASES) >= 15
    types = {
        item["type"]
        for case in CASES
        if "template" in case
        for s in case["template"]["sections"]
        for item in s["items"]
    }
    scored = {
        "yes_no",
        "single_choice",
        "multi_choice",
        "rating",
        "number",
        "duration",
        "file_sample",
        "citizen_feedback",
    }
    assert scored <= types
    assert any(case["expected"]["critical_failed"] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_vector(case: dict[str, Any]) -> None:
    assert msgspec.to_builtins(score(_document(case), case["answers"])) == case["expected"]


@pytest.mark.parametrize("case", HELPERS["processing_delays"], ids=str)
def test_processing_delays_vector(case: dict[str, Any]) -> None:
    assert processing_delays(case["rows"]) == case["expected"]


@pytest.mark.parametrize("case", HELPERS["mean_satisfaction"], ids=str)
def test_mean_satisfaction_vector(case: dict[str, Any]) -> None:
    assert mean_satisfaction(case["rows"]) == case["expected"]


@pytest.mark.parametrize("case", HELPERS["round_half_up"], ids=str)
def test_round_half_up_vector(case: dict[str, Any]) -> None:
    assert round_half_up(case["value"], case["digits"]) == case["expected"]


def test_processing_delay_of_one_row() -> None:
    assert processing_delay({"received": "2024-02-28", "processed": "2024-03-01"}) == 2
    assert processing_delay({"received": "2024-03-01", "processed": None}) is None


def test_relevance_cascades_in_document_order() -> None:
    shown = relevant_items(DEMO, {"reception_desk": "no", "previous_instructions": "yes"})
    assert not shown["reception_staffed"] and not shown["reception_quality"]
    assert shown["instructions_implemented"]
    assert not shown["unimplemented_reasons"]  # instructions_implemented is not answered yet
    shown = relevant_items(DEMO, {"previous_instructions": "no", "instructions_implemented": "some"})
    assert not shown["instructions_implemented"] and not shown["unimplemented_reasons"]
    assert len(shown) == 52


def test_assess_gives_the_ratio_and_the_failure_of_one_item() -> None:
    items = {item.key: item for item in DEMO.all_items()}
    assert assess(items["instructions_implemented"], "most") == (2 / 3, False)
    assert assess(items["instructions_implemented"], "some") == (1 / 3, True)
    assert assess(items["measured_waiting_time"], 20) == (1.0, False)
    assert assess(items["measured_waiting_time"], 21) == (0.0, True)
    assert assess(items["main_observations"], "text") is None
    assert assess(items["safety_equipment"], "na") is None


def test_a_stale_answer_of_a_hidden_item_changes_nothing() -> None:
    hidden = DEMO_ANSWERS | {"collects_contributions": "no"}
    hidden_with_stale = hidden | {"collection_rate": 10}
    without = {key: value for key, value in hidden.items() if key != "collection_rate"}
    assert score(DEMO, hidden_with_stale) == score(DEMO, without)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["yes", "no", "na", "2024-01-05", "2024-02-30", "all", "none", "kiosk"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["received", "processed", "satisfaction", "comment"]), inner, max_size=4
    ),
    max_leaves=12,
)  # fmt: skip
KEYS = st.sampled_from([item.key for item in DEMO.all_items()])


@settings(max_examples=300)
@given(st.dictionaries(KEYS, JSON, max_size=20))
def test_odd_answers_never_raise_and_stay_in_bounds(answers: dict[str, Any]) -> None:
    result = score(DEMO, answers)
    assert result.score_pct is None or 0 <= result.score_pct <= 100
    assert 0 <= result.points <= result.max_points
    for section in result.sections:
        assert 0 <= section.points <= section.max_points
        assert (section.pct is None) == (section.max_points == 0)
    assert set(result.critical_failed) <= {f.item_key for f in result.proposed_findings}


@settings(max_examples=100)
@given(st.dictionaries(KEYS, JSON, max_size=20), KEYS)
def test_answering_na_is_the_same_as_not_answering(answers: dict[str, Any], key: str) -> None:
    items = {item.key: item for item in DEMO.all_items()}
    if items[key].finding_on is not None or items[key].relevant is not None:
        return
    later = any(key in (item.relevant or "") for item in DEMO.all_items())
    if later:
        return
    unanswered = {k: v for k, v in answers.items() if k != key}
    assert score(DEMO, unanswered | {key: "na"}) == score(DEMO, unanswered)
