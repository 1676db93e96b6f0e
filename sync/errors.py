"""Typed errors of the sync engine, each with a stable code.

The engine knows nothing of HTTP: the backend maps each code to a status and translates the
English message by its code. ``field`` names what was wrong (``ops[3].seq``) when that is known.
"""

from __future__ import annotations

from typing import ClassVar


class SyncError(Exception):
    """The base of every error the sync engine raises on purpose."""

    code: ClassVar[str] = "sync_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            # An instance attribute shadows the class default: one class, several precise codes.
            self.code = code  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, message={self.message!r})"


class PayloadError(SyncError):
    """A push body that cannot be accepted as a whole; nothing of it is applied.

    Codes: ``payload_too_large``, ``unsupported_media_type``, ``malformed_payload`` (not JSON or
    MessagePack, or nested too deep), ``unsupported_protocol``, ``too_many_ops``,
    ``invalid_payload`` (a field of the wrong type or out of bounds), ``duplicate_seq``.
    """

    code: ClassVar[str] = "invalid_payload"


class InvalidHlc(SyncError):
    """Text that is not a hybrid logical clock of the form ``<13 digits>-<4 digits>-<uuid>``."""

    code: ClassVar[str] = "invalid_hlc"


class InvalidCursor(SyncError):
    """A pull cursor that this server did not make (garbage, truncated, or of an unknown version)."""

    code: ClassVar[str] = "invalid_cursor"


class SeqGap(SyncError):
    """A push whose first new op is not ``last_seq + 1``: the client must resend from ``expected_seq``."""

    code: ClassVar[str] = "seq_gap"

    def __init__(self, expected_seq: int, got_seq: int) -> None:
        super().__init__(f"Expected op seq {expected_seq}, got {got_seq}.", field="ops")
        self.expected_seq = expected_seq
        self.got_seq = got_seq
