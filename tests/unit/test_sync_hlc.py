"""The hybrid logical clock: the shared vectors (also run by the PWA's clock) and its properties."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import hlc
from sync.errors import InvalidHlc

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "vectors" / "hlc.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", VECTORS["parse"], ids=lambda case: case.get("why", case["input"]))
def test_parse_vectors(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(InvalidHlc) as raised:
            hlc.parse(case["input"])
        assert raised.value.code == case["error"]
    else:
        assert hlc.parse(case["input"])._asdict() == case["expected"]
        assert hlc.format(hlc.parse(case["input"])) == case["input"]


@pytest.mark.parametrize("case", VECTORS["compare"], ids=lambda case: case["why"])
def test_compare_vectors(case: dict[str, Any]) -> None:
    assert hlc.compare(case["a"], case["b"]) == case["expected"]
    # The documented promise: the texts themselves sort like their keys.
    assert (case["a"] > case["b"]) - (case["a"] < case["b"]) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["advance"], ids=lambda case: case["why"])
def test_advance_vectors(case: dict[str, Any]) -> None:
    wall = [0]
    clock = hlc.Clock(case["client_id"], last=case["start"], wall=lambda: wall[0])
    for step in case["steps"]:
        wall[0] = step["wall_ms"]
        got = clock.now() if step["kind"] == "now" else clock.observe(step["remote"])
        assert got == step["expected"]
        assert clock.last == step["expected"]


@pytest.mark.parametrize("case", VECTORS["clamp"], ids=lambda case: case["hlc"][:18])
def test_clamp_vectors(case: dict[str, Any]) -> None:
    got = hlc.clamp(case["hlc"], case["server_now_ms"], case["max_skew_ms"])
    assert got._asdict() == case["expected"]


@pytest.mark.parametrize("case", VECTORS["clamp_all"], ids=lambda case: case["why"])
def test_clamp_all_vectors(case: dict[str, Any]) -> None:
    got = hlc.clamp_all(case["hlcs"], case["server_now_ms"], case["max_skew_ms"])
    assert [result._asdict() for result in got] == case["expected"]


def test_default_skew_is_five_minutes() -> None:
    now = 1_718_000_000_000
    stamp = hlc.format(hlc.Hlc(now + 10 * 60 * 1000, 3, str(uuid.UUID(int=1))))
    clamped = hlc.clamp(stamp, now)
    assert clamped.clamped
    assert hlc.parse(clamped.hlc).ms == now + 5 * 60 * 1000


client_ids = st.uuids().map(str)
stamps = st.builds(hlc.Hlc, st.integers(0, hlc.MAX_MS), st.integers(0, hlc.MAX_COUNTER), client_ids)


@given(stamps)
def test_format_and_parse_round_trip(stamp: hlc.Hlc) -> None:
    text = hlc.format(stamp)
    assert len(text) == hlc.LENGTH
    assert hlc.parse(text) == stamp
    assert str(stamp) == text


@given(stamps, stamps)
def test_text_order_is_key_order(a: hlc.Hlc, b: hlc.Hlc) -> None:
    ta, tb = hlc.format(a), hlc.format(b)
    assert (ta < tb) == (hlc.key(ta) < hlc.key(tb)) == (a < b)
    assert (ta == tb) == (a == b)


@given(st.text(max_size=80))
def test_parse_accepts_only_the_canonical_form(text: str) -> None:
    try:
        stamp = hlc.parse(text)
    except InvalidHlc:
        return
    assert hlc.format(stamp) == text


def test_format_refuses_what_does_not_fit() -> None:
    client = str(uuid.UUID(int=7))
    for bad in (hlc.Hlc(hlc.MAX_MS + 1, 0, client), hlc.Hlc(0, 10_000, client), hlc.Hlc(0, 0, "x")):
        with pytest.raises(InvalidHlc):
            hlc.format(bad)


def test_clock_refuses_a_non_canonical_client_id() -> None:
    client = uuid.UUID("0c2f6e1e-0b0a-4c4a-9e3b-7e4c2a1b3c4d")
    with pytest.raises(InvalidHlc):
        hlc.Clock(str(client).upper())
    assert hlc.Clock(client).client_id == str(client)


# A run of events on one clock: a local change, or a remote stamp received, each at a wall time
# that may jump forward or back (a phone whose clock is corrected, or wrong).
walls = st.integers(1_700_000_000_000, 1_700_000_100_000)
events = st.lists(
    st.one_of(
        st.tuples(st.just("now"), walls, st.none()),
        st.tuples(st.just("observe"), walls, stamps.filter(lambda s: s.ms < hlc.MAX_MS - 10_000)),
    ),
    max_size=60,
)


@given(client_ids, events)
def test_clock_is_monotonic_and_after_what_it_saw(client_id: str, run: list[Any]) -> None:
    wall = [0]
    clock = hlc.Clock(client_id, wall=lambda: wall[0])
    previous = clock.last
    for kind, wall_ms, remote in run:
        wall[0] = wall_ms
        if kind == "now":
            got = clock.now()
            assert hlc.parse(got).ms >= wall_ms  # never behind the wall clock
        else:
            got = clock.observe(hlc.format(remote))
            # A change made after seeing another is later than it.
            assert hlc.compare(clock.now(), hlc.format(remote)) == 1
        assert hlc.compare(got, previous) == 1
        assert hlc.parse(got).client_id == client_id
        previous = clock.last


@given(client_ids, st.lists(walls, min_size=1, max_size=30))
def test_a_restored_clock_continues_after_its_last_stamp(client_id: str, wall_times: list[int]) -> None:
    first = hlc.Clock(client_id, wall=lambda: wall_times[0])
    last = first.now()
    restored = hlc.Clock(client_id, last=last, wall=lambda: wall_times[-1])
    assert restored.now() > last


@given(st.lists(stamps, max_size=40), st.integers(0, hlc.MAX_MS // 2), st.integers(0, 10**7))
def test_clamp_all_is_bounded_and_keeps_order(stamp_list: list[hlc.Hlc], now: int, skew: int) -> None:
    texts = [hlc.format(stamp) for stamp in stamp_list]
    results = hlc.clamp_all(texts, now, skew)
    bound = now + skew
    for text, result in zip(texts, results, strict=True):
        assert hlc.parse(result.hlc).ms <= bound
        assert result.clamped == (hlc.parse(text).ms > bound)
        if not result.clamped:
            assert result.hlc == text
        assert hlc.parse(result.hlc).client_id == hlc.parse(text).client_id

    def saturated(result: hlc.Clamped) -> bool:
        return result.clamped and hlc.parse(result.hlc).counter == hlc.MAX_COUNTER

    for a, ra in zip(texts, results, strict=True):
        for b, rb in zip(texts, results, strict=True):
            if a < b and not (saturated(ra) and saturated(rb)):  # documented limit past 10,000
                assert ra.hlc <= rb.hlc
            if a == b:
                assert ra.hlc == rb.hlc
