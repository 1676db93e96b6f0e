"""The merge rule: each row of the decision table, and convergence whatever the delivery order."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import hlc
from sync.merge import Candidate, Decision, FieldState, Write, fold, merge, order_key, same_value, winner
from sync.wire import Op

PHONE_A = uuid.UUID("0c2f6e1e-0b0a-4c4a-9e3b-7e4c2a1b3c4d")
PHONE_B = uuid.UUID("7d1e2f3a-4b5c-4d6e-8f70-819293a4b5c6")
AMINA = uuid.UUID("a0000000-0000-4000-8000-000000000001")
KARIM = uuid.UUID("a0000000-0000-4000-8000-000000000002")


def stamp(ms: int, counter: int = 0, client: uuid.UUID = PHONE_A) -> str:
    return hlc.format(hlc.Hlc(1_718_000_000_000 + ms, counter, str(client)))


def write(
    value: Any, ms: int, *, client: uuid.UUID = PHONE_A, author: uuid.UUID = AMINA, base: int = 0
) -> Write:
    return Write(
        op_id=uuid.uuid4(),
        value=value,
        hlc=stamp(ms, client=client),
        client_id=client,
        author=author,
        base_version=base,
    )


def state(
    value: Any, ms: int, *, version: int = 1, client: uuid.UUID = PHONE_A, author: uuid.UUID = AMINA
) -> FieldState:
    return FieldState(
        value=value,
        version=version,
        hlc=stamp(ms, client=client),
        client_id=client,
        author=author,
        op_id=uuid.uuid4(),
    )


# --- The decision table, row by row -------------------------------------------------------------


def test_first_write_is_applied_at_version_1() -> None:
    w = write("yes", 10)
    decision = merge(None, w)
    assert decision.outcome == "applied"
    assert decision.state == FieldState(
        value="yes", version=1, hlc=w.hlc, client_id=PHONE_A, author=AMINA, op_id=w.op_id
    )
    assert decision.candidates == ()


def test_a_later_write_of_the_same_value_is_a_noop_that_takes_the_stamp() -> None:
    current = state(3, 10, version=4)
    w = write(3.0, 20, client=PHONE_B, author=KARIM)
    decision = merge(current, w)
    assert decision.outcome == "noop"
    assert decision.state is not None
    assert (decision.state.version, decision.state.hlc, decision.state.op_id) == (4, w.hlc, w.op_id)
    assert decision.state.value == 3.0


def test_an_earlier_write_of_the_same_value_or_a_replay_changes_nothing() -> None:
    current = state("no", 10)
    assert merge(current, write("no", 5)) == Decision(outcome="noop", state=current)
    replay = Write(
        op_id=current.op_id, value="no", hlc=current.hlc, client_id=PHONE_A, author=AMINA, base_version=0
    )
    assert merge(current, replay).state is current


def test_a_later_write_by_the_same_author_is_applied_even_on_a_stale_base() -> None:
    current = state("no", 10, version=2)
    decision = merge(current, write("yes", 20, client=PHONE_B, base=1))
    assert decision.outcome == "applied"
    assert decision.state is not None
    assert (decision.state.value, decision.state.version) == ("yes", 3)


def test_a_later_write_on_an_up_to_date_base_is_applied() -> None:
    current = state("no", 10, version=2)
    decision = merge(current, write("yes", 20, author=KARIM, base=2))
    assert decision.outcome == "applied"


def test_an_earlier_write_without_conflict_is_superseded() -> None:
    current = state("no", 10, version=2)
    decision = merge(current, write("yes", 5, base=2, author=KARIM))
    assert decision.outcome == "superseded"
    assert decision.state is current


def test_concurrent_write_by_someone_else_that_loses_is_a_conflict_keeping_both() -> None:
    current = state("no", 20, version=1, author=AMINA)
    w = write("yes", 10, client=PHONE_B, author=KARIM, base=0)
    decision = merge(current, w)
    assert decision.outcome == "conflict"
    assert decision.state is current
    assert decision.candidates == (Candidate.of(current), Candidate.of(w))


def test_concurrent_write_by_someone_else_that_wins_is_a_conflict_and_the_new_value() -> None:
    current = state("no", 10, version=1, author=AMINA)
    w = write("yes", 20, client=PHONE_B, author=KARIM, base=0)
    decision = merge(current, w)
    assert decision.outcome == "conflict"
    assert decision.state is not None
    assert (decision.state.value, decision.state.version, decision.state.author) == ("yes", 2, KARIM)
    assert {c.value for c in decision.candidates} == {"no", "yes"}


def test_a_locked_field_never_changes_and_every_change_is_a_conflict() -> None:
    current = state("no", 10, version=3)
    later_by_author = write("yes", 50, base=3)
    decision = merge(current, later_by_author, locked=True)
    assert (decision.outcome, decision.state) == ("conflict", current)
    assert [c.value for c in decision.candidates] == ["no", "yes"]
    assert merge(current, write("no", 50), locked=True) == Decision(outcome="noop", state=current)


def test_a_locked_field_never_written() -> None:
    assert merge(None, write(None, 5), locked=True).outcome == "noop"
    decision = merge(None, write("late answer", 5), locked=True)
    assert (decision.outcome, decision.state) == ("conflict", None)
    assert [c.value for c in decision.candidates] == ["late answer"]


def test_same_value_compares_json_data() -> None:
    assert same_value(1, 1.0)
    assert not same_value(True, 1)
    assert not same_value(False, 0)
    assert not same_value("1", 1)
    assert not same_value([], {})
    assert not same_value(None, 0)
    assert same_value(None, None)
    assert same_value({"value": "yes", "note": [1, 2.0]}, {"note": [1.0, 2], "value": "yes"})
    assert not same_value({"value": "yes"}, {"value": "yes", "note": None})
    assert not same_value([1, 2], [2, 1])


def test_write_of_an_op() -> None:
    op = Op(
        op_id=uuid.uuid4(),
        seq=1,
        entity="visit",
        entity_id=uuid.uuid4(),
        kind="set",
        field="answers.q1",
        value={"value": "yes"},
        base_version=2,
        hlc=stamp(1),
    )
    w = Write.of(op, client_id=PHONE_A, author=AMINA)
    assert (w.op_id, w.value, w.hlc, w.base_version, w.author) == (op.op_id, op.value, op.hlc, 2, AMINA)


def test_fold_opens_one_conflict_with_every_candidate_and_the_oldest_base() -> None:
    current = state("a", 10, version=2, author=AMINA)
    writes = [
        write("b", 5, client=PHONE_B, author=KARIM, base=1),
        write("c", 7, client=PHONE_B, author=KARIM, base=0),
    ]
    folded = fold(current, writes)
    assert [d.outcome for d in folded.decisions] == ["conflict", "conflict"]
    assert folded.state is current
    assert [c.value for c in folded.candidates] == ["b", "c", "a"]  # in key order, each once
    assert folded.base_version == 0


def test_winner_of_nothing() -> None:
    assert winner([]) is None


# --- Properties: convergence and nothing lost ---------------------------------------------------

CLIENTS = [PHONE_A, PHONE_B, uuid.UUID("1b1b1b1b-2c2c-4d4d-8e8e-9f9f9f9f9f9f")]
AUTHORS = [AMINA, KARIM]
START_OP = uuid.UUID("5a5a5a5a-5a5a-4a5a-8a5a-5a5a5a5a5a5a")
values = st.sampled_from(
    [None, True, False, 0, 1, 1.0, 2, "yes", "no", "", [1], {"value": "yes", "note": "x"}]
)


@st.composite
def writes_of_one_field(draw: st.DrawFn) -> list[Write]:
    """Ops on one field from a few devices, with clashing clocks, values and stale bases."""
    count = draw(st.integers(1, 8))
    # An op id names one op: distinct ops never share one (the server dedups replays by it).
    op_ids = draw(
        st.lists(st.uuids().filter(lambda u: u != START_OP), min_size=count, max_size=count, unique=True)
    )
    result = []
    for op_id in op_ids:
        client = draw(st.sampled_from(CLIENTS))
        result.append(
            Write(
                op_id=op_id,
                value=draw(values),
                hlc=stamp(draw(st.integers(0, 4)), draw(st.integers(0, 2)), client),
                client_id=client,
                author=draw(st.sampled_from(AUTHORS)),
                base_version=draw(st.integers(0, 3)),
            )
        )
    return result


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Write], list[Write]]:
    """A set of ops and one delivery of it: any order, some ops several times."""
    ops = draw(writes_of_one_field())
    again = draw(st.lists(st.sampled_from(ops), max_size=6))
    return ops, draw(st.permutations([*ops, *again]))


def initial_states() -> st.SearchStrategy[FieldState | None]:
    return st.none() | st.builds(
        FieldState,
        value=values,
        version=st.integers(1, 3),
        hlc=st.integers(0, 4).map(lambda ms: stamp(ms, 1, CLIENTS[2])),
        client_id=st.just(CLIENTS[2]),
        author=st.sampled_from(AUTHORS),
        op_id=st.just(START_OP),
    )


def exact(value: Any) -> bytes:
    """The value as bytes, so 1 and 1.0 differ: convergence is exact, not just equal."""
    return msgspec.json.encode(value, order="sorted")


@st.composite
def two_deliveries(draw: st.DrawFn) -> tuple[list[Write], list[Write], list[Write]]:
    """A set of ops and two independent deliveries of it."""
    ops = draw(writes_of_one_field())

    def delivery() -> list[Write]:
        again = draw(st.lists(st.sampled_from(ops), max_size=6))
        return draw(st.permutations([*ops, *again]))

    return ops, delivery(), delivery()


@settings(max_examples=300)
@given(two_deliveries())
def test_any_order_and_duplication_converges_to_the_greatest_write(
    case: tuple[list[Write], list[Write], list[Write]],
) -> None:
    ops, one, other = case
    best = winner(ops)
    assert best is not None
    for delivery in (one, other):
        final = fold(None, delivery).state
        assert final is not None
        assert (exact(final.value), final.hlc, final.client_id, final.op_id) == (
            exact(best.value),
            best.hlc,
            best.client_id,
            best.op_id,
        )


@settings(max_examples=300)
@given(initial_states(), deliveries(), st.randoms(use_true_random=False))
def test_from_any_state_every_order_gives_the_same_value(
    start: FieldState | None, delivery: tuple[list[Write], list[Write]], rng: Any
) -> None:
    ops, order = delivery
    shuffled = list(order)
    rng.shuffle(shuffled)
    a, b = fold(start, order).state, fold(start, shuffled).state
    assert a is not None
    assert b is not None
    assert (exact(a.value), order_key(a)) == (exact(b.value), order_key(b))
    contenders: list[Write | FieldState] = [*ops, *([start] if start else [])]
    best = max(contenders, key=order_key)
    assert (exact(a.value), order_key(a)) == (exact(best.value), order_key(best))


@settings(max_examples=300)
@given(initial_states(), deliveries(), st.booleans())
def test_no_value_is_lost(
    start: FieldState | None, delivery: tuple[list[Write], list[Write]], locked: bool
) -> None:
    _, order = delivery
    current = start
    for w in order:
        decision = merge(current, w, locked=locked)
        after = decision.state
        match decision.outcome:
            case "applied":
                assert after is not None
                assert after.op_id == w.op_id
                assert exact(after.value) == exact(w.value)
                assert after.version == (current.version + 1 if current else 1)
            case "noop":
                assert same_value(w.value, current.value if current else None)
                if current is not None:
                    assert after is not None
                    assert after.version == current.version
            case "superseded":
                assert current is not None
                assert after is current
                assert order_key(w) < order_key(current)
            case "conflict":
                # The conflict keeps every candidate: the incoming value and the current one.
                by_op = {c.op_id: c for c in decision.candidates}
                assert exact(by_op[w.op_id].value) == exact(w.value)
                if current is not None:
                    assert exact(by_op[current.op_id].value) == exact(current.value)
                    assert locked or current.author != w.author
            case other:
                pytest.fail(f"unexpected outcome {other}")
        if locked:
            assert after is current
        if decision.outcome != "conflict":
            assert decision.candidates == ()
        current = after


@given(initial_states(), deliveries(), st.booleans())
def test_fold_is_merge_one_by_one(
    start: FieldState | None, delivery: tuple[list[Write], list[Write]], locked: bool
) -> None:
    _, order = delivery
    folded = fold(start, order, locked=locked)
    current = start
    for w, decision in zip(order, folded.decisions, strict=True):
        assert decision == merge(current, w, locked=locked)
        current = decision.state
    assert folded.state == current
    conflicting = [w for w, d in zip(order, folded.decisions, strict=True) if d.outcome == "conflict"]
    assert {c.op_id for c in folded.candidates} >= {w.op_id for w in conflicting}
    assert folded.base_version == (min(w.base_version for w in conflicting) if conflicting else None)


@given(initial_states().filter(lambda s: s is not None), deliveries())
def test_a_locked_field_keeps_its_value_whatever_arrives(
    start: FieldState, delivery: tuple[list[Write], list[Write]]
) -> None:
    _, order = delivery
    folded = fold(start, order, locked=True)
    assert folded.state is start
    for w, decision in zip(order, folded.decisions, strict=True):
        assert decision.outcome == ("noop" if same_value(w.value, start.value) else "conflict")
