"""A reference client of sync protocol v1 over HTTP, for tests, benchmarks and independent clients.

It does what the PWA does, in memory: ops are recorded in an :class:`~sync.outbox.Outbox` (seq 1,
2, 3 … and a stamp of the hybrid logical clock); :meth:`SyncClient.push` sends it in batches and an
op leaves it only once the server has acknowledged it; :meth:`SyncClient.pull_all` follows ``more``
and keeps a :class:`~sync.replica.Replica` of every field it was sent, and the cursor.

Failures, as the protocol asks (DESIGN.md, "Sync protocol (v1)"):

* 503 (or 502/504 from a proxy) or a network failure: the same batch is sent again after a capped,
  jittered exponential backoff. A push is idempotent (a replayed op answers its stored result), so
  resending a batch whose answer was lost is safe.
* 409 ``seq_gap``: the outbox follows the seq the server expects (:meth:`Outbox.realign`) and sends
  again from there.
* 401: the session expired; the client signs in again, once, and resends. Nothing is dropped.
* anything else raises :class:`Refused` and leaves the outbox as it was.

This is the only module of ``sync/`` that imports httpx (an HTTP client, not a web framework), so
that the engine itself keeps to the standard library and msgspec.

It is also the client's public entry point (README, ``bench/``, independent clients): it re-exports
what a caller handles besides :class:`SyncClient` (the errors, :class:`~sync.problems.Problem`, the
reports, :class:`~sync.outbox.Backoff`), so ``from sync.client import …`` is all a caller needs.
The recording helpers are :class:`~sync.recorder.OpRecorder`'s, the errors live in
:mod:`sync.problems` and the reports in :mod:`sync.reports`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import httpx
import msgspec

from sync.hlc import Clock, wall_ms
from sync.outbox import Backoff, ClientError, Encoding, Outbox, ProtocolViolation
from sync.problems import Problem, Refused, Unreachable
from sync.recorder import OpRecorder
from sync.replica import Key, Replica
from sync.reports import PullReport, PushReport
from sync.wire import (
    JSON,
    MAX_OPS,
    MSGPACK,
    Change,
    ConflictView,
    OpResult,
    PullResponse,
    PushResponse,
    media_type,
    pull_json_decoder,
    pull_msgpack_decoder,
    push_response_json_decoder,
)

__all__ = [
    "Backoff",
    "ClientError",
    "Problem",
    "ProtocolViolation",
    "PullReport",
    "PushReport",
    "Refused",
    "SyncClient",
    "Unreachable",
]

log = logging.getLogger("rasd.sync.client")

PUSH_PATH: Final = "/api/sync/push"
PULL_PATH: Final = "/api/sync/pull"
LOGIN_PATH: Final = "/api/auth/login"
CSRF_COOKIE: Final = "csrftoken"
CSRF_HEADER: Final = "x-csrftoken"
# Statuses after which the very same request may be sent again (a proxy in front answers 502/504).
RETRY_STATUSES: Final = frozenset({502, 503, 504})
MAX_GAPS: Final = 3  # 409s in a row within one push before giving up: the server is confused

_push_response_msgpack_decoder: Final = msgspec.msgpack.Decoder(PushResponse)
_problem_decoder: Final = msgspec.json.Decoder(Problem)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


class SyncClient(OpRecorder):
    """One device speaking protocol v1 to a Rasd server; make one per simulated device.

    Pushes are serialized by a lock; a pull may run alongside a push. Ops are recorded with the
    helpers of :class:`~sync.recorder.OpRecorder` (``create``, ``set``, ``record_visit`` …).

    Args:
        base_url: the server, e.g. ``http://127.0.0.1:8000``.
        username: the user to sign in as; ``password`` theirs.
        client_id: this device's id (a new one when None); it is also the ``device_id`` of the login.
        encoding: ``"json"`` or ``"msgpack"`` for push and pull bodies.
        device_label: how the device is named in the admin's list.
        transport: an httpx transport (tests pass ``httpx.MockTransport`` or an ASGI transport).
        backoff: the retry policy for 503 and network failures.
        wall: the wall clock of the HLC in unix ms (tests pass a fake one).
        sleep: how to wait between retries (tests pass a recorder).
        timeout: per request, in seconds.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        client_id: uuid.UUID | None = None,
        encoding: Encoding = "json",
        *,
        device_label: str = "rasd reference client",
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: Backoff | None = None,
        wall: Callable[[], int] = wall_ms,
        sleep: Sleep = asyncio.sleep,
        timeout: float = 60.0,
    ) -> None:
        if encoding not in ("json", "msgpack"):
            raise ValueError(f"encoding is 'json' or 'msgpack', not {encoding!r}")
        self.username = username
        self._password = password
        self.client_id = client_id or uuid.uuid4()
        self.encoding: Encoding = encoding
        self.device_label = device_label
        self.backoff = backoff or Backoff()
        self.clock = Clock(self.client_id, wall=wall)
        self.outbox = Outbox(self.clock)
        self.replica = Replica()
        self.results: dict[uuid.UUID, OpResult] = {}  # every acknowledged op's result, by op id
        self.user: dict[str, Any] | None = None
        self._sleep = sleep
        self._http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout)
        self._push_lock = asyncio.Lock()

    # -- the local copy, for convenience ----------------------------------------------------------
    @property
    def state(self) -> dict[Key, Change]:
        """The latest change pulled of each ``(entity, entity_id, field)``."""
        return self.replica.state

    @property
    def cursor(self) -> str | None:
        return self.replica.cursor

    @property
    def conflicts(self) -> dict[uuid.UUID, ConflictView]:
        return self.replica.conflicts

    # -- lifecycle --------------------------------------------------------------------------------
    async def __aenter__(self) -> SyncClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def login(self) -> dict[str, Any]:
        """Sign in: fetch the CSRF cookie with a GET, then post the credentials with its token.

        Returns the signed-in user (id, role, scope …) as the server describes it.
        """
        if CSRF_COOKIE not in self._http.cookies:
            await self._http.get("/healthz")
        token = self._http.cookies.get(CSRF_COOKIE)
        if token is None:
            raise ProtocolViolation("The server set no CSRF cookie.")
        self._http.headers[CSRF_HEADER] = token
        response = await self._http.post(
            LOGIN_PATH,
            json={
                "username": self.username,
                "password": self._password,
                "device_id": str(self.client_id),
                "device_label": self.device_label,
            },
        )
        if response.status_code != 200:
            raise Refused(response.status_code, _problem(response))
        user: dict[str, Any] = response.json()["user"]
        self.user = user
        return user

    # -- push -------------------------------------------------------------------------------------
    async def push(self, max_ops: int = MAX_OPS) -> PushReport:
        """Send the whole outbox, in batches of at most ``max_ops`` ops (and 2 MiB).

        Raises:
            Refused: the server refused a batch for good; it and the rest stay in the outbox.
            Unreachable: the server stayed unavailable through every retry.
            ProtocolViolation: the server answered without making progress.
        """
        if not 1 <= max_ops <= MAX_OPS:
            raise ValueError(f"max_ops is between 1 and {MAX_OPS}")
        async with self._push_lock:
            report = PushReport(last_seq=self.outbox.server_last_seq)
            gaps_in_a_row = 0
            while len(self.outbox):
                batch, body = self.outbox.batch(max_ops, self.encoding)
                answer = await self._send_push(body, report)
                if isinstance(answer, Problem):  # 409 seq_gap
                    gaps_in_a_row += 1
                    report.gaps += 1
                    if gaps_in_a_row > MAX_GAPS or answer.expected_seq is None:
                        raise ProtocolViolation(f"The server keeps refusing seqs: {answer.message}")
                    self.outbox.realign(answer.expected_seq)
                    continue
                gaps_in_a_row = 0
                for op, result in self.outbox.acknowledge(batch, answer):
                    self.results[op.op_id] = result
                    self.replica.note_write(op, result)
                    report.results.append(result)
                    report.acknowledged += 1
            report.last_seq = self.outbox.server_last_seq
            return report

    def _accept(self) -> str:
        return MSGPACK if self.encoding == "msgpack" else JSON

    async def _send_push(self, body: bytes, report: PushReport) -> PushResponse | Problem:
        """One batch, sent again through transient failures; a 409 gap comes back as its problem."""
        headers = {"content-type": self._accept(), "accept": self._accept()}
        signed_in_again = False
        attempt = 0
        while True:
            report.requests += 1
            started = time.perf_counter()
            try:
                response = await self._http.post(PUSH_PATH, content=body, headers=headers)
            except httpx.TransportError as error:
                attempt = await self._wait_or_give_up(attempt, f"push failed: {error!r}")
                report.retries += 1
                continue
            if response.status_code == 200:
                report.seconds.append(time.perf_counter() - started)
                return _decode(
                    response, push_response_json_decoder, _push_response_msgpack_decoder, self._accept()
                )
            if response.status_code in RETRY_STATUSES:
                why = f"push answered {response.status_code}"
                attempt = await self._wait_or_give_up(attempt, why, _retry_after(response))
                report.retries += 1
                continue
            problem = _problem(response)
            if response.status_code == 409 and problem.code == "seq_gap":
                return problem
            if response.status_code == 401 and not signed_in_again:
                signed_in_again = True
                await self.login()
                continue
            raise Refused(response.status_code, problem)

    async def _wait_or_give_up(self, attempt: int, why: str, retry_after: float | None = None) -> int:
        if attempt + 1 >= self.backoff.attempts:
            raise Unreachable(f"{why}; gave up after {attempt + 1} attempts")
        delay = self.backoff.delay(attempt, retry_after)
        log.info("%s; retrying in %.2fs", why, delay)
        await self._sleep(delay)
        return attempt + 1

    # -- pull -------------------------------------------------------------------------------------
    async def pull(self, limit: int = 500) -> PullResponse:
        """Fetch one page from the stored cursor, apply it to the copy, and return it."""
        params: dict[str, str | int] = {"limit": limit}
        if self.replica.cursor:
            params["cursor"] = self.replica.cursor
        signed_in_again = False
        attempt = 0
        while True:
            try:
                response = await self._http.get(PULL_PATH, params=params, headers={"accept": self._accept()})
            except httpx.TransportError as error:
                attempt = await self._wait_or_give_up(attempt, f"pull failed: {error!r}")
                continue
            if response.status_code in RETRY_STATUSES:
                why = f"pull answered {response.status_code}"
                attempt = await self._wait_or_give_up(attempt, why, _retry_after(response))
                continue
            if response.status_code == 401 and not signed_in_again:
                signed_in_again = True
                await self.login()
                continue
            if response.status_code != 200:
                raise Refused(response.status_code, _problem(response))
            page = _decode(response, pull_json_decoder, pull_msgpack_decoder, self._accept())
            self.replica.apply(page, self.clock)
            return page

    async def pull_all(self, limit: int = 500, max_pages: int | None = None) -> PullReport:
        """Pull page after page while the server says ``more``; the copy and cursor follow each page."""
        started = time.perf_counter()
        changes: list[Change] = []
        conflicts: list[ConflictView] = []
        pages = 0
        reset = False
        while max_pages is None or pages < max_pages:
            page = await self.pull(limit)
            pages += 1
            reset = reset or page.reset
            changes.extend(page.changes)
            conflicts.extend(page.conflicts)
            if not page.more:
                break
        return PullReport(changes, conflicts, pages, reset, time.perf_counter() - started)


def _decode(
    response: httpx.Response,
    json_decoder: msgspec.json.Decoder[T],
    msgpack_decoder: msgspec.msgpack.Decoder[T],
    fallback: str,
) -> T:
    """Decode a 200 body by its media type (MessagePack or JSON; ``fallback`` when it has none)."""
    kind = media_type(response.headers.get("content-type")) or fallback
    try:
        if "msgpack" in kind:
            return msgpack_decoder.decode(response.content)
        return json_decoder.decode(response.content)
    except msgspec.MsgspecError as error:
        raise ProtocolViolation(
            f"Unreadable answer to {response.request.url.path} ({kind}): {error}"
        ) from None


def _problem(response: httpx.Response) -> Problem:
    """The problem document of an error response, or a stand-in when the body is not one."""
    try:
        problem = _problem_decoder.decode(response.content)
    except msgspec.MsgspecError:
        return Problem(
            status=response.status_code, code=f"http_{response.status_code}", message=response.text[:200]
        )
    if not problem.status:
        problem.status = response.status_code
    return problem


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the backoff decides
