"""The opaque pull cursor: round trip, garbage, and reset after a restore."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import cursor
from sync.errors import InvalidCursor

URL_SAFE = set(string.ascii_letters + string.digits + "-_")
identities = st.text(min_size=1, max_size=200)
positions = st.integers(0, cursor.MAX_POSITION)


@given(identities, positions)
def test_round_trip_in_url_safe_text(identity: str, position: int) -> None:
    text = cursor.encode(identity, position)
    assert set(text) <= URL_SAFE
    assert len(text) <= cursor.MAX_CURSOR_CHARS
    assert cursor.decode(text) == cursor.Cursor(identity, position)


@given(st.text(max_size=120))
def test_garbage_raises_the_typed_error(text: str) -> None:
    error: InvalidCursor | None = None
    try:
        got = cursor.decode(text)
    except InvalidCursor as caught:
        error = caught
    if error is not None:
        assert (error.code, error.field) == ("invalid_cursor", "cursor")
    else:  # hypothesis found a real cursor: then it must be one we could have made
        assert cursor.encode(*got) == text.rstrip("=")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a cursor",
        "a" * (cursor.MAX_CURSOR_CHARS + 1),
        "kwG4cmFzZC1kYi03ZjNjOWEyZTQxZDg0YjBjzQQ",  # truncated
        "kwK4cmFzZC1kYi03ZjNjOWEyZTQxZDg0YjBjzQQS",  # format version 2
        "kwGgAA",  # empty identity
        "kwGkZGItMf8",  # negative position
        "kwHAAA",  # identity null
        "2YrYsdiz2K8",  # Arabic text in base64, not a cursor
        "٣٤٥",
        "kwG4cmFzZC1kYi03ZjNjOWEyZTQxZDg0YjBjzQQS\n",
    ],
)
def test_known_garbage(text: str) -> None:
    with pytest.raises(InvalidCursor):
        cursor.decode(text)


def test_a_recorded_cursor_keeps_decoding() -> None:
    assert cursor.decode("kwG4cmFzZC1kYi03ZjNjOWEyZTQxZDg0YjBjzQQS") == ("rasd-db-7f3c9a2e41d84b0c", 1042)


def test_resume() -> None:
    here = "db-here"
    assert cursor.resume(None, here) == cursor.Resume(0, False)
    assert cursor.resume("", here) == cursor.Resume(0, False)
    assert cursor.resume(cursor.encode(here, 77), here) == cursor.Resume(77, False)
    # After a restore the database has a new identity: start over and tell the device to reset.
    assert cursor.resume(cursor.encode("db-before-restore", 77), here) == cursor.Resume(0, True)
    with pytest.raises(InvalidCursor):
        cursor.resume("garbage!", here)


@pytest.mark.parametrize(("identity", "position"), [("", 1), ("x" * 201, 1), ("db", -1), ("db", 2**63)])
def test_encode_refuses_what_decode_would_refuse(identity: str, position: int) -> None:
    with pytest.raises(ValueError, match="Cannot make a cursor"):
        cursor.encode(identity, position)
