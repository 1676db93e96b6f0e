"""The opaque pull cursor: which database a device read from, and how far in its change order.

A cursor is URL-safe base64 (no padding) of the MessagePack array ``[1, identity, position]``:
the format version, the database identity (made once per database, new after a restore) and the
position in the commit-ordered change log. Clients must treat it as opaque text. It is not
signed: a forged position only replays or skips changes the user may see anyway, since every
pull is filtered by scope.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Final, Literal, NamedTuple

import msgspec
from msgspec import Meta

from sync.errors import InvalidCursor

VERSION: Final = 1
MAX_CURSOR_CHARS: Final = 512
MAX_POSITION: Final = 2**63 - 1  # a BIGINT change number

Identity = Annotated[str, Meta(min_length=1, max_length=200)]
Position = Annotated[int, Meta(ge=0, le=MAX_POSITION)]

_decoder: Final = msgspec.msgpack.Decoder(tuple[Literal[1], Identity, Position])
_encoder: Final = msgspec.msgpack.Encoder()


class Cursor(NamedTuple):
    identity: str
    position: int


class Resume(NamedTuple):
    """Where a pull starts: ``reset`` tells the device to rebuild its copy from ``position`` 0."""

    position: int
    reset: bool


def encode(identity: str, position: int) -> str:
    """The cursor text for ``position`` in the database ``identity``."""
    if not identity or len(identity) > 200 or not 0 <= position <= MAX_POSITION:
        raise ValueError(f"Cannot make a cursor of {identity!r} at {position}.")
    raw = _encoder.encode((VERSION, identity, position))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(text: str) -> Cursor:
    """Read a cursor made by :func:`encode`; raise :class:`InvalidCursor` on anything else."""
    if not text or len(text) > MAX_CURSOR_CHARS:
        raise InvalidCursor("The cursor is empty or too long.", field="cursor")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        _, identity, position = _decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.MsgspecError):
        # binascii.Error is a ValueError; non-ASCII text raises ValueError too.
        raise InvalidCursor("The cursor was not made by this server.", field="cursor") from None
    return Cursor(identity, position)


def resume(text: str | None, identity: str) -> Resume:
    """Where to start a pull with cursor ``text`` on the database ``identity``.

    No cursor starts from the beginning. A cursor of another database (a restore, or another
    server) starts from the beginning with ``reset``, so the device rebuilds its copy while keeping
    its unacknowledged ops. Garbage raises :class:`InvalidCursor`.
    """
    if not text:
        return Resume(0, False)
    cursor = decode(text)
    if cursor.identity != identity:
        return Resume(0, True)
    return Resume(cursor.position, False)
