"""The hybrid logical clock (HLC) of protocol v1.

An HLC is text: ``"<unix ms, 13 digits>-<counter, 4 digits>-<client_id>"``, for example
``"1718000000000-0003-0c2f6e1e-0b0a-4c4a-9e3b-7e4c2a1b3c4d"``. Every field is fixed-width and
zero-padded and the client id is a canonical lower-case UUID, so **comparing the texts
lexicographically (byte by byte) gives the same order as comparing** :func:`key`
``(ms, counter, client_id)``. SQL can therefore order and compare HLC columns as plain text (use a
byte-wise collation such as ``COLLATE "C"`` on PostgreSQL), and so can JavaScript with ``<``.

A device advances its clock on every local change (:meth:`Clock.now`) and on every received
stamp (:meth:`Clock.observe`), so a change made after seeing another is later than it even when
the device's wall clock is wrong or goes back. The server clamps stamps too far ahead of its own
time (:func:`clamp`) so that one device with a clock in the future cannot win every field for days.

Protocol quirk: the counter has four digits. When a 10,000th stamp is needed within one
millisecond the clock moves on to the next millisecond with counter 0 instead of overflowing;
it stays monotonic and only runs ahead of the wall clock by a millisecond.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple
from uuid import UUID

from sync.errors import InvalidHlc

UUID_PATTERN: Final = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PATTERN: Final = rf"^[0-9]{{13}}-[0-9]{{4}}-{UUID_PATTERN}$"
# Python's "$" also matches before a final newline: check the length too, or use fullmatch.
LENGTH: Final = 13 + 1 + 4 + 1 + 36
MAX_MS: Final = 9_999_999_999_999  # 13 digits: the year 2286
MAX_COUNTER: Final = 9_999  # 4 digits
MAX_SKEW_MS: Final = 5 * 60 * 1000  # the server accepts a device clock at most five minutes ahead

_HLC = re.compile(PATTERN)
_CLIENT_ID = re.compile(rf"^{UUID_PATTERN}$")


class Hlc(NamedTuple):
    """A parsed stamp. As a tuple it orders exactly like its text form."""

    ms: int
    counter: int
    client_id: str

    def __str__(self) -> str:
        return format(self)


def wall_ms() -> int:
    """The wall clock in unix milliseconds."""
    return time.time_ns() // 1_000_000


def parse(text: str) -> Hlc:
    """Parse the text form; raise :class:`InvalidHlc` unless it is exactly canonical."""
    if not isinstance(text, str) or _HLC.fullmatch(text) is None:
        raise InvalidHlc(f"Not a hybrid logical clock: {str(text)[:80]!r}.", field="hlc")
    return Hlc(int(text[:13]), int(text[14:18]), text[19:])


# Shadows the builtin inside this module on purpose: callers read it as hlc.format(), parse's inverse.
def format(stamp: Hlc) -> str:
    """The canonical text form; raise :class:`InvalidHlc` if a part does not fit its width."""
    ms, counter, client_id = stamp
    if not 0 <= ms <= MAX_MS or not 0 <= counter <= MAX_COUNTER or _CLIENT_ID.fullmatch(client_id) is None:
        raise InvalidHlc(f"Cannot format {stamp!r} as a hybrid logical clock.", field="hlc")
    return f"{ms:013d}-{counter:04d}-{client_id}"


def key(text: str) -> tuple[int, int, str]:
    """The sort key ``(ms, counter, client_id)``; sorting the texts themselves gives the same order."""
    return tuple(parse(text))  # type: ignore[return-value]


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as stamp ``a`` is before, equal to or after stamp ``b``."""
    ka, kb = key(a), key(b)
    return (ka > kb) - (ka < kb)


def _normalize_client_id(client_id: UUID | str) -> str:
    text = str(client_id)
    if _CLIENT_ID.fullmatch(text) is None:
        raise InvalidHlc(f"Not a canonical lower-case client id: {text[:80]!r}.", field="client_id")
    return text


def _carry(ms: int, counter: int) -> tuple[int, int]:
    """Keep the counter within four digits by moving on to the next millisecond."""
    if counter > MAX_COUNTER:
        return ms + 1, 0
    return ms, counter


class Clock:
    """The clock of one client. Not thread-safe: one owner advances it.

    Args:
        client_id: this client's id, a canonical lower-case UUID.
        last: the last stamp this clock issued or observed, restored from storage.
        wall: the wall clock in unix ms; tests pass a fake one.
    """

    def __init__(
        self, client_id: UUID | str, *, last: str | None = None, wall: Callable[[], int] = wall_ms
    ) -> None:
        self.client_id = _normalize_client_id(client_id)
        self._wall = wall
        if last is None:
            self._ms, self._counter = 0, 0
        else:
            stamp = parse(last)
            self._ms, self._counter = stamp.ms, stamp.counter

    @property
    def last(self) -> str:
        """The latest stamp of this clock, to store and restore."""
        return format(Hlc(self._ms, self._counter, self.client_id))

    def now(self) -> str:
        """A new stamp for a local change: later than every stamp issued or observed before."""
        wall = self._wall()
        if wall > self._ms:
            self._ms, self._counter = wall, 0
        else:
            self._ms, self._counter = _carry(self._ms, self._counter + 1)
        return self.last

    def observe(self, remote: str) -> str:
        """Take in a stamp received from elsewhere (a pull); return this clock's new stamp.

        After this, :meth:`now` is later than ``remote``.
        """
        other = parse(remote)
        wall = self._wall()
        ms = max(self._ms, other.ms, wall)
        if ms == self._ms == other.ms:
            counter = max(self._counter, other.counter) + 1
        elif ms == self._ms:
            counter = self._counter + 1
        elif ms == other.ms:
            counter = other.counter + 1
        else:
            counter = 0
        self._ms, self._counter = _carry(ms, counter)
        return self.last


class Clamped(NamedTuple):
    """The result of :func:`clamp`: the stamp to store, whether it changed, and by how much it was ahead."""

    hlc: str
    clamped: bool
    skew_ms: int


def clamp(hlc: str, server_now_ms: int, max_skew_ms: int = MAX_SKEW_MS) -> Clamped:
    """Bring a stamp more than ``max_skew_ms`` ahead of the server back to that bound.

    The counter and client id are kept, so stamps of the same millisecond keep their order and
    distinct clients stay distinct. ``skew_ms`` is how far ahead of ``server_now_ms`` the stamp
    was (negative when behind), for the log. To keep the order of several stamps of one client
    that are all too far ahead, use :func:`clamp_all`.
    """
    stamp = parse(hlc)
    bound = server_now_ms + max_skew_ms
    skew = stamp.ms - server_now_ms
    if stamp.ms <= bound:
        return Clamped(hlc, False, skew)
    return Clamped(format(stamp._replace(ms=bound)), True, skew)


def clamp_all(hlcs: Sequence[str], server_now_ms: int, max_skew_ms: int = MAX_SKEW_MS) -> list[Clamped]:
    """Clamp a batch (one push) so that the clamped stamps keep their relative order.

    :func:`clamp` alone would map ``(bound+10s, counter 5)`` and ``(bound+11s, counter 0)`` to
    ``(bound, 5)`` and ``(bound, 0)`` and invert them. Here every stamp beyond the bound gets the
    bound's millisecond and a counter after every unclamped stamp of the batch at that millisecond,
    ranked in the original order; equal inputs give equal outputs. Past 10,000 clamped stamps in
    one batch the counter saturates at 9999 and order falls back to the client id (then op id).
    """
    parsed = [parse(text) for text in hlcs]
    bound = server_now_ms + max_skew_ms
    first_free = 1 + max((p.counter for p in parsed if p.ms == bound), default=-1)
    ahead = sorted({p for p in parsed if p.ms > bound})
    counters = {p: min(MAX_COUNTER, first_free + rank) for rank, p in enumerate(ahead)}
    results: list[Clamped] = []
    for text, stamp in zip(hlcs, parsed, strict=True):
        skew = stamp.ms - server_now_ms
        if stamp.ms <= bound:
            results.append(Clamped(text, False, skew))
        else:
            results.append(Clamped(format(Hlc(bound, counters[stamp], stamp.client_id)), True, skew))
    return results
