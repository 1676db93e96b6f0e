"""The status machines of visits and corrective actions: who may move what, and why not."""

from __future__ import annotations

import itertools

import pytest

from sync.machines import ACTION, MACHINES, VISIT, check_transition, is_final, is_locked

ROLES = ("inspector", "central_inspector", "director", "admin")
REVIEWERS = ("central_inspector", "director", "admin")
CODES = {"unknown_status", "illegal_transition", "submit_required", "not_author", "not_reviewer"}


def test_an_author_submits_a_draft_and_resubmits_a_returned_visit() -> None:
    for start in ("draft", "returned"):
        assert (
            check_transition("visit", start, "submitted", "inspector", kind="submit", is_author=True) is None
        )


def test_only_the_author_submits() -> None:
    for role in ROLES:
        reason = check_transition("visit", "draft", "submitted", role, kind="submit", is_author=False)
        assert reason is not None
        assert (reason.code, reason.field) == ("not_author", "status")


def test_a_visit_is_submitted_by_a_submit_op_not_by_setting_its_status() -> None:
    reason = check_transition("visit", "draft", "submitted", "inspector", kind="set", is_author=True)
    assert reason is not None
    assert reason.code == "submit_required"


@pytest.mark.parametrize("decision", ["approved", "returned"])
def test_reviewers_approve_or_return_a_submitted_visit(decision: str) -> None:
    for role in REVIEWERS:
        assert check_transition("visit", "submitted", decision, role) is None
    reason = check_transition("visit", "submitted", decision, "inspector", is_author=True)
    assert reason is not None
    assert reason.code == "not_reviewer"
    assert reason.message == f"Only a reviewer can move a visit from submitted to {decision}."


def test_an_approved_visit_is_final() -> None:
    assert is_final("visit", "approved")
    for target in VISIT.statuses:
        if target == "approved":
            continue
        for role, kind in itertools.product(ROLES, ("set", "submit")):
            reason = check_transition("visit", "approved", target, role, kind=kind, is_author=True)
            assert reason is not None
            assert reason.code == "illegal_transition"


def test_a_submit_op_cannot_approve() -> None:
    reason = check_transition("visit", "submitted", "approved", "director", kind="submit")
    assert reason is not None
    assert reason.code == "illegal_transition"


def test_submitted_and_approved_visits_are_locked() -> None:
    assert [status for status in VISIT.statuses if is_locked("visit", status)] == ["submitted", "approved"]
    assert not any(is_locked("action", status) for status in ACTION.statuses)


@pytest.mark.parametrize(
    ("start", "end"), [("open", "in_progress"), ("in_progress", "done"), ("open", "done")]
)
def test_anyone_in_scope_moves_an_action_forward(start: str, end: str) -> None:
    for role in ROLES:
        assert check_transition("action", start, end, role) is None


def test_verifying_a_done_action() -> None:
    for role in REVIEWERS:
        assert check_transition("action", "done", "verified", role) is None
    assert check_transition("action", "done", "verified", "inspector", on_later_visit=True) is None
    reason = check_transition("action", "done", "verified", "inspector")
    assert reason is not None
    assert reason.code == "not_reviewer"
    assert "later visit" in reason.message


@pytest.mark.parametrize("start", ["done", "verified"])
def test_only_a_reviewer_reopens(start: str) -> None:
    for role in REVIEWERS:
        assert check_transition("action", start, "open", role) is None
    reason = check_transition("action", start, "open", "inspector", is_author=True, on_later_visit=True)
    assert reason is not None
    assert reason.code == "not_reviewer"


@pytest.mark.parametrize(
    ("start", "end"),
    [("in_progress", "open"), ("verified", "done"), ("done", "in_progress"), ("open", "verified")],
)
def test_moves_that_do_not_exist(start: str, end: str) -> None:
    reason = check_transition("action", start, end, "admin", on_later_visit=True)
    assert reason is not None
    assert reason.code == "illegal_transition"
    assert reason.message == f"An action cannot go from {start} to {end}."


def test_an_unknown_status_is_named() -> None:
    reason = check_transition("action", "open", "overdue", "admin")
    assert reason is not None
    assert (reason.code, reason.field) == ("unknown_status", "status")
    assert "'overdue'" in reason.message


def test_staying_in_a_status_is_allowed() -> None:
    for name, machine in MACHINES.items():
        for status in machine.statuses:
            assert check_transition(name, status, status, "inspector", kind="submit") is None  # type: ignore[arg-type]


def test_the_graphs_are_exactly_the_documented_ones() -> None:
    expected = {
        "visit": {
            ("draft", "submitted"),
            ("returned", "submitted"),
            ("submitted", "approved"),
            ("submitted", "returned"),
        },
        "action": {
            ("open", "in_progress"),
            ("in_progress", "done"),
            ("open", "done"),
            ("done", "verified"),
            ("done", "open"),
            ("verified", "open"),
        },
    }
    for name, machine in MACHINES.items():
        possible = set()
        for start, end in itertools.permutations(machine.statuses, 2):
            for role, kind, author, later in itertools.product(
                ROLES, ("set", "submit"), (False, True), (False, True)
            ):
                reason = check_transition(
                    name,  # type: ignore[arg-type]
                    start,
                    end,
                    role,
                    kind=kind,
                    is_author=author,
                    on_later_visit=later,
                )
                if reason is None:
                    possible.add((start, end))
                else:
                    assert reason.code in CODES
                    assert reason.message
                    assert reason.field == "status"
        assert possible == expected[name]
