"""What the reference client makes of a server's refusal: the problem document and its errors.

:mod:`sync.client` reads the body of an error response into a :class:`Problem` and raises
:class:`Refused` (a refusal for good) or :class:`Unreachable` (the server stayed unavailable through
every retry). Both are :class:`~sync.outbox.ClientError`: the outbox is intact whenever one is raised.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

from sync.outbox import ClientError


class Problem(msgspec.Struct, kw_only=True):
    """The server's error document; ``expected_seq`` comes with a 409 ``seq_gap`` only."""

    status: int = 0
    code: str = "unknown"
    message: str = ""
    field: str | None = None
    expected_seq: int | None = None


class Refused(ClientError):
    """The server refused a request for good (a problem other than a gap or a transient failure)."""

    code: ClassVar[str] = "refused"

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(
            f"HTTP {status} {problem.code}: {problem.message}", code=problem.code, field=problem.field
        )
        self.status = status
        self.problem = problem


class Unreachable(ClientError):
    """The server stayed unavailable (503, network failure) through every retry."""

    code: ClassVar[str] = "unreachable"
