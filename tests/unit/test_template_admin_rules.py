"""Pure rules of template management: statuses, reading an upload, grouping problems, counts."""

from __future__ import annotations

import json

import pytest

from backend.checklists import TemplateInvalid, parse_template
from backend.checklists.admin_rules import (
    MAX_UPLOAD_BYTES,
    count_items,
    group_problems,
    next_status,
    read_upload,
    reason_code,
    summarize,
)
from backend.checklists.problems import TemplateProblem
from backend.demo.seed import TEMPLATES_DIR

DEMO_TEXT = (TEMPLATES_DIR / "quality_public_service.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        ("draft", "publish", "published"),
        ("published", "publish", None),  # published versions are immutable: never published twice
        ("retired", "publish", None),
        ("published", "retire", "retired"),
        ("draft", "retire", None),
        ("retired", "retire", None),
    ],
)
def test_a_version_moves_draft_published_retired_only(
    current: str, action: str, expected: str | None
) -> None:
    assert next_status(current, action) == expected  # type: ignore[arg-type]


def test_a_file_wins_over_the_pasted_text_and_a_bom_is_dropped() -> None:
    assert read_upload(b"\xef\xbb\xbf{}", "ignored") == ("{}", None)
    assert read_upload(None, "{ }") == ("{ }", None)
    assert read_upload(b"", "{ }") == ("{ }", None)


@pytest.mark.parametrize(
    ("file_bytes", "pasted", "code", "kept"),
    [
        (None, "   ", "empty", "   "),
        (b"\xff\xfe{", "", "not_utf8", ""),
        (b" " * (MAX_UPLOAD_BYTES + 1), "", "too_large", ""),
        (None, "é" * (MAX_UPLOAD_BYTES // 2 + 1), "too_large", ""),  # counted in bytes, not characters
    ],
)
def test_unreadable_uploads_are_named(file_bytes: bytes | None, pasted: str, code: str, kept: str) -> None:
    text, problem = read_upload(file_bytes, pasted)
    assert problem is not None and problem.code == code
    assert text == kept


def test_problems_are_grouped_per_item_in_document_order_and_named_by_keys() -> None:
    document = json.loads(DEMO_TEXT)
    document["sections"][1]["items"][2]["label"]["fr"] = ""
    document["sections"][1]["items"][0]["relevant"] = "answer('nowhere') == 1"
    document["sections"][0]["title"]["en"] = ""
    document["title"]["ar"] = ""
    text = json.dumps(document)
    with pytest.raises(TemplateInvalid) as refused:
        parse_template(text)

    groups = group_problems(refused.value.problems, text)

    assert [(g.section, g.item) for g in groups] == [(None, None), (0, None), (1, 0), (1, 2)]
    assert groups[1].section_key == document["sections"][0]["key"] and groups[1].item_key is None
    assert groups[2].item_key == document["sections"][1]["items"][0]["key"]
    assert groups[3].problems[0].path == "sections[1].items[2].label.fr"


def test_groups_of_a_text_that_is_not_json_have_no_keys() -> None:
    problem = TemplateProblem(path="sections[4].items[1].key", code="invalid_value", message="x")
    (group,) = group_problems([problem], "{not json")
    assert (group.section, group.item, group.section_key, group.item_key) == (4, 1, None, None)
    (group,) = group_problems([problem], json.dumps({"sections": [{"key": "a"}]}))  # index out of range
    assert group.section_key is None


def test_unknown_codes_share_a_generic_reason() -> None:
    assert reason_code("forward_reference") == "forward_reference"
    assert reason_code("version_exists") == "version_exists"
    assert reason_code("something_new") == "other"


def test_the_summary_counts_the_demo_template() -> None:
    document = parse_template(DEMO_TEXT)
    summary = summarize(document)
    items = document.all_items()
    assert (summary.sections, summary.items) == (11, 52) == (len(document.sections), len(items))
    assert summary.critical == sum(1 for item in items if item.critical) > 0
    assert summary.required == sum(1 for item in items if item.required)
    assert sum(count for _kind, count in summary.by_type) == 52
    assert count_items(json.loads(DEMO_TEXT)) == 52
