"""The template document format: the demo template, and what a bad document is told."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any, get_args

import pytest

from backend.checklists import ITEM_TYPES, TemplateDocument, TemplateInvalid, parse_template
from backend.checklists.document import ItemType
from backend.demo import TEMPLATES_DIR

DEMO_PATH = TEMPLATES_DIR / "quality_public_service.json"


def _demo() -> TemplateDocument:
    return parse_template(DEMO_PATH.read_bytes())


def _text(word: str) -> dict[str, str]:
    return {"ar": f"نص {word}", "fr": f"texte {word}", "en": f"text {word}"}


def _minimal() -> dict[str, Any]:
    """A small valid document; each bad case below spoils one thing in it."""
    return {
        "key": "mini",
        "version": 1,
        "title": _text("title"),
        "sections": [
            {
                "key": "s1",
                "title": _text("s1"),
                "weight": 1,
                "items": [
                    {"key": "q1", "type": "yes_no", "label": _text("q1"), "required": True},
                    {"key": "q2", "type": "number", "label": _text("q2"), "min": 0, "max": 100},
                    {
                        "key": "q3",
                        "type": "single_choice",
                        "label": _text("q3"),
                        "options": [
                            {"key": "good", "label": _text("good"), "points": 2},
                            {"key": "bad", "label": _text("bad"), "points": 0},
                        ],
                    },
                ],
            },
            {
                "key": "s2",
                "title": _text("s2"),
                "items": [
                    {"key": "q4", "type": "rating", "label": _text("q4")},
                    {"key": "q5", "type": "text", "label": _text("q5"), "relevant": "answer('q1') == 'no'"},
                ],
            },
        ],
    }


def _problems(document: dict[str, Any] | bytes) -> list[tuple[str, str]]:
    with pytest.raises(TemplateInvalid) as caught:
        parse_template(document)
    return [(problem.path, problem.code) for problem in caught.value.problems]


# --- the demo template -----------------------------------------------------------------------


def test_demo_template_parses_with_its_key_and_version() -> None:
    document = _demo()
    assert document.key == "quality_public_service"
    assert document.version == 1
    assert document.title.ar == "جودة الخدمة العمومية في الوكالة"
    assert document.title.fr == "Qualité du service public à l'agence"


def test_demo_template_has_between_30_and_60_items() -> None:
    assert 30 <= len(_demo().all_items()) <= 60


def test_demo_template_uses_every_item_type() -> None:
    used = Counter(item.type for item in _demo().all_items())
    assert set(used) == set(ITEM_TYPES)


def test_item_types_constant_lists_the_fourteen_types_of_the_design() -> None:
    assert len(ITEM_TYPES) == len(set(ITEM_TYPES)) == 14
    assert {"yes_no", "file_sample", "citizen_feedback", "gps", "signature"} <= set(ITEM_TYPES)


def test_demo_template_opens_with_gps_and_closes_with_the_manager_signature() -> None:
    items = _demo().all_items()
    assert items[0].type == "gps"
    assert items[-1].type == "signature"
    assert items[-1].required


def test_demo_template_asks_for_at_least_one_photo_of_the_premises() -> None:
    photos = [item for item in _demo().all_items() if item.type == "photo"]
    assert photos
    assert all(photo.min is not None and photo.min >= 1 for photo in photos)


def test_demo_template_files_beyond_the_legal_delay_are_critical() -> None:
    samples = [item for item in _demo().all_items() if item.type == "file_sample"]
    assert samples
    assert all(sample.critical and sample.target is not None for sample in samples)


def test_demo_template_waiting_time_is_measured_against_a_target() -> None:
    waiting = next(item for item in _demo().all_items() if item.key == "measured_waiting_time")
    assert waiting.type == "duration"
    assert waiting.unit == "minutes"
    assert waiting.target is not None
    assert (waiting.target.op, waiting.target.value) == ("<=", 20)


def test_demo_template_hides_follow_up_items_when_there_is_no_reception_desk() -> None:
    items = {item.key: item for item in _demo().all_items()}
    for key in ("reception_staffed", "reception_quality"):
        assert items[key].relevant == "answer('reception_desk') == 'yes'"
    assert sum(item.relevant is not None for item in items.values()) >= 3


def test_demo_template_gives_guidance_on_most_items() -> None:
    items = _demo().all_items()
    assert sum(item.guidance is not None for item in items) > len(items) / 2


def test_parse_accepts_decoded_json_as_well_as_bytes() -> None:
    assert parse_template(json.loads(DEMO_PATH.read_bytes())) == _demo()
    assert parse_template(DEMO_PATH.read_text(encoding="utf-8")) == _demo()


def test_the_minimal_document_is_valid() -> None:
    document = parse_template(_minimal())
    assert [item.key for item in document.all_items()] == ["q1", "q2", "q3", "q4", "q5"]
    assert document.sections[1].weight == 1.0  # the default


# --- bad documents ---------------------------------------------------------------------------

Spoil = Callable[[dict[str, Any]], None]


def _item(document: dict[str, Any], section: int, item: int) -> dict[str, Any]:
    found: dict[str, Any] = document["sections"][section]["items"][item]
    return found


def _set(section: int, item: int, **fields: Any) -> Spoil:
    return lambda document: _item(document, section, item).update(fields)


def _drop_arabic_label(document: dict[str, Any]) -> None:
    del _item(document, 0, 1)["label"]["ar"]


def _duplicate_option(document: dict[str, Any]) -> None:
    _item(document, 0, 2)["options"][1]["key"] = "good"


def _section_key_reused_by_item(document: dict[str, Any]) -> None:
    _item(document, 1, 0)["key"] = "s1"


BAD_CASES: list[tuple[str, Spoil, str, str]] = [
    ("duplicate item key", _set(1, 0, key="q2"), "sections[1].items[0].key", "duplicate_key"),
    ("section key reused", _section_key_reused_by_item, "sections[1].items[0].key", "duplicate_key"),
    ("missing Arabic label", _drop_arabic_label, "sections[0].items[1].label.ar", "missing_translation"),
    (
        "blank French label",
        _set(0, 0, label={"ar": "س", "fr": "  ", "en": "q"}),
        "sections[0].items[0].label.fr",
        "missing_translation",
    ),
    ("choice without options", _set(0, 2, options=None), "sections[0].items[2].options", "options_required"),
    (
        "options on yes_no",
        _set(0, 0, options=[{"key": "a", "label": _text("a")}] * 2),
        "sections[0].items[0].options",
        "options_not_allowed",
    ),
    ("duplicate option key", _duplicate_option, "sections[0].items[2].options[1].key", "duplicate_option"),
    ("min greater than max", _set(0, 1, min=50, max=10), "sections[0].items[1].min", "min_greater_than_max"),
    ("rating beyond 5", _set(1, 0, max=7), "sections[1].items[0].max", "out_of_range"),
    (
        "fractional photo count",
        _set(1, 1, type="photo", relevant=None, min=1.5),
        "sections[1].items[1].min",
        "out_of_range",
    ),
    (
        "relevance to unknown key",
        _set(1, 1, relevant="answer('q9') == 'yes'"),
        "sections[1].items[1].relevant",
        "unknown_reference",
    ),
    (
        "relevance to a later key",
        _set(0, 0, relevant="answer('q4') > 2"),
        "sections[0].items[0].relevant",
        "forward_reference",
    ),
    (
        "relevance to itself",
        _set(0, 1, relevant="answer('q2') > 2"),
        "sections[0].items[1].relevant",
        "self_reference",
    ),
    (
        "finding on an impossible answer",
        _set(0, 2, finding_on=["ugly"]),
        "sections[0].items[2].finding_on[0]",
        "invalid_finding_value",
    ),
    ("duration without unit", _set(0, 1, type="duration"), "sections[0].items[1].unit", "unit_required"),
    (
        "target on yes_no",
        _set(0, 0, target={"op": "<=", "value": 1}),
        "sections[0].items[0].target",
        "field_not_allowed",
    ),
    ("critical text", _set(1, 1, critical=True), "sections[1].items[1].critical", "critical_not_scored"),
    ("unknown field", _set(0, 0, colour="red"), "sections[0].items[0].colour", "unknown_field"),
    ("wrong type", _set(0, 0, required="yes"), "sections[0].items[0].required", "wrong_type"),
    ("unknown item type", _set(0, 1, type="slider"), "sections[0].items[1].type", "invalid_value"),
    ("negative weight", _set(0, 1, weight=-1), "sections[0].items[1].weight", "invalid_value"),
    ("bad key characters", _set(0, 1, key="Q 2"), "sections[0].items[1].key", "invalid_value"),
]


@pytest.mark.parametrize(
    ("spoil", "path", "code"), [case[1:] for case in BAD_CASES], ids=[case[0] for case in BAD_CASES]
)
def test_a_bad_document_is_refused_naming_the_place(spoil: Spoil, path: str, code: str) -> None:
    document = _minimal()
    spoil(document)
    assert _problems(document) == [(path, code)]


def test_missing_required_field_is_named() -> None:
    document = _minimal()
    del document["sections"][1]["title"]
    assert _problems(document) == [("sections[1].title", "missing_field")]


def test_wrong_type_at_the_top_level_is_named() -> None:
    document = _minimal()
    document["version"] = "1"
    assert _problems(document) == [("version", "wrong_type")]


def test_malformed_json_is_refused() -> None:
    assert _problems(b'{"key": "mini", ') == [("", "malformed")]
    assert _problems(b"[]") == [("", "wrong_type")]


def test_every_semantic_problem_is_reported_at_once() -> None:
    document = _minimal()
    _set(0, 1, min=5, max=1)(document)
    _set(0, 2, options=None)(document)
    _drop_arabic_label(document)
    problems = _problems(document)
    assert ("sections[0].items[1].min", "min_greater_than_max") in problems
    assert ("sections[0].items[2].options", "options_required") in problems
    assert ("sections[0].items[1].label.ar", "missing_translation") in problems


def test_problems_carry_an_english_message() -> None:
    document = _minimal()
    _set(1, 1, relevant="answer('nowhere') == 'yes'")(document)
    with pytest.raises(TemplateInvalid) as caught:
        parse_template(document)
    (problem,) = caught.value.problems
    assert "nowhere" in problem.message
    assert "sections[1].items[1].relevant" in str(caught.value)


def test_item_type_literal_and_constant_agree() -> None:
    assert get_args(ItemType) == ITEM_TYPES
