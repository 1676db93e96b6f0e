"""What the reference client tells its caller after a push or a pull (tests and the benchmark)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sync.wire import Change, ConflictView, OpResult


@dataclass
class PushReport:
    """What one :meth:`~sync.client.SyncClient.push` did: requests sent, ops acknowledged, their results."""

    requests: int = 0
    retries: int = 0
    gaps: int = 0
    acknowledged: int = 0
    last_seq: int = 0
    results: list[OpResult] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # wall time of each answered request


class PullReport(NamedTuple):
    """What one :meth:`~sync.client.SyncClient.pull_all` received, page after page."""

    changes: list[Change]
    conflicts: list[ConflictView]
    pages: int
    reset: bool
    seconds: float
