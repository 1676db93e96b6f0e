"""Per-client op sequence: replays, new ops and gaps."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.errors import PayloadError, SeqGap
from sync.sequence import plan_push
from sync.wire import Op

HLC = "1718013600000-0000-0c2f6e1e-0b0a-4c4a-9e3b-7e4c2a1b3c4d"


def ops(*seqs: int) -> list[Op]:
    return [
        Op(
            op_id=uuid.uuid4(),
            seq=seq,
            entity="visit",
            entity_id=uuid.uuid4(),
            kind="set",
            field="f",
            hlc=HLC,
        )
        for seq in seqs
    ]


def test_a_first_push() -> None:
    plan = plan_push(0, ops(1, 2, 3))
    assert ([o.seq for o in plan.fresh], plan.duplicates, plan.last_seq) == ([1, 2, 3], (), 3)


def test_a_retried_push_after_a_lost_answer_is_all_duplicates() -> None:
    plan = plan_push(3, ops(1, 2, 3))
    assert ([o.seq for o in plan.duplicates], plan.fresh, plan.last_seq) == ([1, 2, 3], (), 3)


def test_a_push_overlapping_what_was_acknowledged() -> None:
    plan = plan_push(2, ops(3, 1, 2, 4))
    assert [o.seq for o in plan.duplicates] == [1, 2]
    assert [o.seq for o in plan.fresh] == [3, 4]
    assert plan.last_seq == 4


def test_an_empty_push() -> None:
    assert plan_push(5, []).last_seq == 5


@pytest.mark.parametrize(("last_seq", "seqs", "got"), [(0, (2, 3), 2), (4, (5, 7), 7), (4, (6,), 6)])
def test_a_gap_names_the_expected_seq(last_seq: int, seqs: tuple[int, ...], got: int) -> None:
    with pytest.raises(SeqGap) as raised:
        plan_push(last_seq, ops(*seqs))
    expected = last_seq + 1 if seqs[0] != last_seq + 1 else seqs[0] + 1
    assert (raised.value.code, raised.value.expected_seq, raised.value.got_seq) == ("seq_gap", expected, got)


def test_two_ops_with_one_seq() -> None:
    with pytest.raises(PayloadError) as raised:
        plan_push(0, ops(1, 2, 2))
    assert raised.value.code == "duplicate_seq"


@given(st.integers(0, 50), st.integers(0, 30), st.integers(0, 30), st.randoms(use_true_random=False))
def test_any_window_without_holes_is_planned(last_seq: int, start_back: int, count: int, rng: object) -> None:
    first = max(1, last_seq + 1 - start_back)
    batch = ops(*range(first, first + count))
    rng.shuffle(batch)  # type: ignore[attr-defined]
    plan = plan_push(last_seq, batch)
    assert all(o.seq <= last_seq for o in plan.duplicates)
    assert [o.seq for o in plan.fresh] == list(range(last_seq + 1, plan.last_seq + 1))
    assert len(plan.duplicates) + len(plan.fresh) == count
    assert plan.last_seq == max(last_seq, first + count - 1)
