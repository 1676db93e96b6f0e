"""Evaluation rules: weights and their renormalization, normalization against targets, flags, ranks
with ties, change since the previous cycle, empty inputs, and the settings form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec
import pytest

from backend.evaluations.config import DEFAULT, EvaluationConfig, Targets, Thresholds, Weights
from backend.evaluations.inputs import count_actions
from backend.evaluations.rules import (
    ActionCounts,
    AgencyInputs,
    ReadingInput,
    VisitInput,
    change,
    combine,
    competition_ranks,
    evaluate,
    normalize,
    ranks_within,
)
from backend.evaluations.settings_form import form_values, parse_settings

TARGETS = Targets(
    delay_days_best=10,
    delay_days_worst=60,
    satisfaction_best=5,
    satisfaction_worst=1,
    collection_pct_best=100,
    collection_pct_worst=50,
    debt_collection_pct_best=60,
    debt_collection_pct_worst=10,
)
CONFIG = EvaluationConfig(targets=TARGETS)


def test_normalize_is_linear_and_clamped_in_both_directions() -> None:
    assert normalize(10, 10, 60) == 100.0
    assert normalize(35, 10, 60) == 50.0
    assert normalize(90, 10, 60) == 0.0 and normalize(2, 10, 60) == 100.0
    assert normalize(3, 5, 1) == 50.0  # more is better
    assert normalize(0.5, 5, 1) == 0.0


def test_weights_combine_the_components_present() -> None:
    weights = Weights(checklist=50, indicators=30, follow_up=20)
    assert combine({"checklist": 80, "indicators": 60, "follow_up": 100}, weights) == 78.0
    # No action due: follow-up drops out, 50 and 30 are renormalized over 80.
    assert combine({"checklist": 80, "indicators": 60, "follow_up": None}, weights) == 72.5
    assert combine({"checklist": 80}, weights) == 80.0
    assert combine({}, weights) is None
    assert combine({"follow_up": 100}, Weights(checklist=1, indicators=1, follow_up=0)) is None


def test_components_pool_visits_and_readings_each_counting_once() -> None:
    inputs = AgencyInputs(
        visits=[
            VisitInput(
                "v1", 80.0, 1, delay_days_sum=40, delay_samples=2, satisfaction_sum=8, satisfaction_count=2
            ),
            VisitInput("v2", 60.0, 0, delay_days_sum=20, delay_samples=2),
        ],
        readings=[
            ReadingInput("r1", "processing_delay_days", 25.0),
            ReadingInput("r2", "satisfaction", 3.0),
            ReadingInput("r3", "collection_rate", 75.0),
            ReadingInput("r4", "debt_collection_rate", 35.0),
        ],
        actions=ActionCounts(due=4, on_time=3, overdue=1),
    )
    result = evaluate(inputs, CONFIG)
    parts = result.components
    assert parts["checklist"] == 70.0
    assert parts["delay_days"] == 20.0  # (60/4 + 25) / 2
    assert parts["delay"] == 80.0
    assert parts["satisfaction_mean"] == 3.5  # (8/2 + 3) / 2
    assert parts["satisfaction"] == 62.5
    assert parts["collection"] == 50.0
    assert parts["debt_collection_pct"] == 35.0
    assert parts["debt_collection"] == 50.0  # halfway between 10 (0 points) and 60 (100 points)
    assert parts["indicators"] == round((80 + 62.5 + 50 + 50) / 4, 2)
    assert parts["follow_up"] == 75.0
    assert result.score == round((70 * 50 + parts["indicators"] * 30 + 75 * 20) / 100, 2)
    assert result.flags == ["critical_failed", "low_collection", "overdue_actions"]


def test_empty_inputs_give_no_score_and_no_flag() -> None:
    result = evaluate(AgencyInputs(), DEFAULT)
    assert result.score is None and result.flags == []
    assert result.components["checklist"] is None and result.components["visits"] == 0


def test_flags_follow_the_thresholds() -> None:
    inputs = AgencyInputs(
        visits=[
            VisitInput(
                "v", 40.0, delay_days_sum=100, delay_samples=2, satisfaction_sum=2, satisfaction_count=1
            )
        ]
    )
    strict = EvaluationConfig(targets=TARGETS)
    assert evaluate(inputs, strict).flags == ["low_score", "long_delays", "low_satisfaction"]
    lenient = EvaluationConfig(
        targets=TARGETS, thresholds=Thresholds(score_pct_min=0, delay_days_max=100, satisfaction_min=1)
    )
    assert evaluate(inputs, lenient).flags == []


def test_competition_ranks_share_ties_and_skip() -> None:
    ranks = competition_ranks({"a": 90.0, "b": 80.0, "c": 80.0, "d": 70.0, "e": None})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}
    assert competition_ranks({}) == {}
    within = ranks_within({"a": 50.0, "b": 60.0, "c": 10.0}, {"a": 16, "b": 16, "c": 31})
    assert within == {"a": 2, "b": 1, "c": 1}


def test_change_since_previous_cycle() -> None:
    assert change(72.5, 70.0) == 2.5
    assert change(60.0, 70.25) == -10.25
    assert change(None, 70.0) is None and change(70.0, None) is None


def test_actions_due_on_time_and_overdue() -> None:
    today = date(2026, 6, 15)
    late_done = datetime(2026, 6, 11, 12, tzinfo=UTC)
    rows = [
        (date(2026, 6, 10), "done", datetime(2026, 6, 9, 8, tzinfo=UTC), None),  # on time
        (date(2026, 6, 10), "verified", late_done, None),  # done after its deadline
        (date(2026, 6, 10), "open", None, None),  # overdue
        (date(2026, 6, 20), "in_progress", None, None),  # not due yet
        (date(2026, 6, 20), "done", None, None),  # done early: due and on time
        # 23:30 UTC on the 10th is already the 11th in Algiers: late.
        (date(2026, 6, 10), "done", datetime(2026, 6, 10, 23, 30, tzinfo=UTC), None),
    ]
    assert count_actions(rows, today) == ActionCounts(due=5, on_time=2, overdue=1)
    assert count_actions([], today) == ActionCounts()


def test_inputs_round_trip_through_json_and_give_the_same_result() -> None:
    inputs = AgencyInputs(
        visits=[VisitInput("v", 55.5, 2)], readings=[ReadingInput("r", "satisfaction", 4.0)]
    )
    again = msgspec.json.decode(msgspec.json.encode(inputs), type=AgencyInputs)
    assert evaluate(again, DEFAULT) == evaluate(inputs, DEFAULT)


def test_settings_form_accepts_the_defaults_and_names_bad_fields() -> None:
    values = form_values(DEFAULT)
    config, errors = parse_settings(values)
    assert errors == {} and config == DEFAULT
    config, errors = parse_settings(values | {"weights.checklist": "abc", "thresholds.satisfaction_min": "9"})
    assert config is None
    assert errors["weights.checklist"].code == "evaluations.error.number"
    assert errors["thresholds.satisfaction_min"].code == "evaluations.error.range"
    assert errors["thresholds.satisfaction_min"].params == {"min": "1", "max": "5"}
    _config, errors = parse_settings(values | {"thresholds.overdue_actions_max": "1.5"})
    assert errors["thresholds.overdue_actions_max"].code == "evaluations.error.integer"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        (
            {"weights.checklist": "0", "weights.indicators": "0", "weights.follow_up": "0"},
            "weights.checklist",
            "no_weight",
        ),
        ({"targets.delay_days_best": "90"}, "targets.delay_days_best", "best_not_better"),
        ({"targets.satisfaction_best": "1.5"}, "targets.satisfaction_best", "best_not_better"),
        ({"targets.debt_collection_pct_best": "20"}, "targets.debt_collection_pct_best", "best_not_better"),
        ({"weights.follow_up": ""}, "weights.follow_up", "required"),
    ],
)
def test_settings_form_rules_across_fields(changes: dict[str, str], field: str, code: str) -> None:
    config, errors = parse_settings(form_values(DEFAULT) | changes)
    assert config is None and errors[field].code == f"evaluations.error.{code}"


def test_saved_documents_without_targets_still_load() -> None:
    from backend.evaluations.config import from_json

    assert from_json({"weights": {"checklist": 1, "indicators": 1, "follow_up": 1}}).targets == Targets()
    # Saved before debt recovery was scored: its targets take their defaults.
    older = {"targets": {"collection_pct_best": 90.0, "collection_pct_worst": 40.0}}
    assert from_json(older).targets == Targets(collection_pct_best=90.0, collection_pct_worst=40.0)
