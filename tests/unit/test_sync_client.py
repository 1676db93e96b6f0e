"""The reference sync client's own logic (outbox, seq, acknowledgement, retries, local copy), against an
in-process fake server. The fake only keeps seqs as the protocol says; the real server is exercised by
tests/integration/test_sync_concurrency.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import cursor as cursors
from sync.client import Backoff, Refused, SyncClient, Unreachable
from sync.errors import SeqGap
from sync.hlc import Hlc
from sync.hlc import format as format_hlc
from sync.outbox import Outbox
from sync.sequence import plan_push
from sync.wire import (
    MSGPACK,
    Change,
    OpResult,
    PullResponse,
    PushResponse,
    decode_push,
    json_encoder,
    media_type,
    msgpack_encoder,
)

VISIT = uuid.UUID("5b0d8f4e-3c2a-4e1b-9f7d-2a6c1e8b4d30")
SERVER = "00000000-0000-0000-0000-000000000000"
Handler = Callable[[httpx.Request], httpx.Response | None]


class FakeServer:
    """Seqs kept as the protocol says (duplicates answer their stored result, a gap is a 409); every
    op is "applied" with version 1. ``before`` may answer a request instead (a 503, a dropped line …)."""

    def __init__(self) -> None:
        self.last_seq: dict[uuid.UUID, int] = {}
        self.stored: dict[tuple[uuid.UUID, int], OpResult] = {}
        self.pushes: list[list[int]] = []  # the seqs of every push that reached the merge
        self.media: list[str] = []
        self.logins: list[dict[str, Any]] = []
        self.before: list[Handler] = []
        self.lose_answers = 0  # commit, then fail the line before the answer arrives
        self.pages: list[PullResponse] = []
        self.pull_params: list[dict[str, str]] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        while self.before and request.url.path.startswith("/api/sync/"):
            answer = self.before.pop(0)(request)
            if answer is not None:
                return answer
        match request.url.path:
            case "/healthz":
                return httpx.Response(
                    200, json={"status": "ok"}, headers={"set-cookie": "csrftoken=tok; Path=/"}
                )
            case "/api/auth/login":
                assert request.headers["x-csrftoken"] == "tok"
                self.logins.append(msgspec.json.decode(request.content))
                return httpx.Response(200, json={"user": {"id": str(uuid.uuid4()), "role": "inspector"}})
            case "/api/sync/push":
                return self.push(request)
            case "/api/sync/pull":
                self.pull_params.append(dict(request.url.params))
                return httpx.Response(200, content=json_encoder.encode(self.pages.pop(0)))
        return httpx.Response(404)

    def push(self, request: httpx.Request) -> httpx.Response:
        body = decode_push(request.content, request.headers["content-type"])
        self.media.append(media_type(request.headers["content-type"]))
        last = self.last_seq.get(body.client_id, 0)
        try:
            plan = plan_push(last, body.ops)
        except SeqGap as gap:
            problem = {"status": 409, "code": "seq_gap", "message": "gap", "field": "ops"}
            return httpx.Response(409, json={**problem, "expected_seq": gap.expected_seq})
        self.pushes.append([op.seq for op in plan.fresh])
        for op in plan.fresh:
            self.stored[(body.client_id, op.seq)] = OpResult(op_id=op.op_id, outcome="applied", version=1)
        self.last_seq[body.client_id] = plan.last_seq
        if self.lose_answers:
            self.lose_answers -= 1
            raise httpx.ReadError("connection reset", request=request)
        answer = PushResponse(
            last_seq=plan.last_seq, results=[self.stored[(body.client_id, op.seq)] for op in body.ops]
        )
        if "msgpack" in request.headers.get("accept", ""):
            return httpx.Response(
                200, content=msgpack_encoder.encode(answer), headers={"content-type": MSGPACK}
            )
        return httpx.Response(
            200, content=json_encoder.encode(answer), headers={"content-type": "application/json"}
        )


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(server: FakeServer, sleeps: Sleeps) -> SyncClient:
    device = SyncClient(
        "http://rasd.test",
        "inspector",
        "rasd-demo",
        transport=server.transport(),
        sleep=sleeps,
        backoff=Backoff(base=0.1, cap=1.0, attempts=5),
    )
    await device.login()
    return device


def fill(client: SyncClient, answers: int) -> None:
    client.create("visit", VISIT, {"agency_id": str(uuid.uuid4()), "template_version_id": str(uuid.uuid4())})
    for number in range(answers):
        client.set("visit", VISIT, f"answers.q{number}", {"value": number, "note": None})


def test_ops_are_numbered_without_gaps_and_stamped_later_and_later() -> None:
    client = SyncClient("http://rasd.test", "inspector", "x", wall=lambda: 1_700_000_000_000)
    fill(client, 3)
    client.submit_visit(VISIT)
    conflict = uuid.uuid4()
    client.resolve(conflict, {"value": "yes", "note": None})
    ops = client.outbox.ops
    assert [op.seq for op in ops] == [1, 2, 3, 4, 5, 6]
    assert [op.hlc for op in ops] == sorted(op.hlc for op in ops) and len({op.hlc for op in ops}) == 6
    assert all(op.hlc.endswith(str(client.client_id)) for op in ops)
    assert len({op.op_id for op in ops}) == 6
    assert (ops[0].kind, ops[0].field, ops[0].entity) == ("create", None, "visit")
    assert (ops[1].kind, ops[1].field) == ("set", "answers.q0")
    assert (ops[4].kind, ops[4].field, ops[4].value) == ("submit", None, None)
    assert (ops[5].entity, ops[5].entity_id, ops[5].kind) == ("conflict", conflict, "resolve")


def test_set_starts_from_the_last_version_seen_unless_told() -> None:
    client = SyncClient("http://rasd.test", "inspector", "x")
    client.replica.versions[("visit", VISIT, "location")] = 4
    assert client.set("visit", VISIT, "location", {"lat": 1, "lon": 2}).base_version == 4
    assert client.set("visit", VISIT, "signature", None).base_version == 0
    assert client.set("visit", VISIT, "location", None, base_version=2).base_version == 2


def test_a_value_that_is_not_portable_never_enters_the_outbox() -> None:
    client = SyncClient("http://rasd.test", "inspector", "x")
    with pytest.raises(ValueError, match="not finite"):
        client.set("visit", VISIT, "answers.q", {"value": float("nan")})
    with pytest.raises(ValueError, match="never fit"):
        client.set("visit", VISIT, "answers.q", {"value": "x" * (3 * 1024 * 1024)})
    assert len(client.outbox) == 0
    assert client.set("visit", VISIT, "answers.q", {"value": 1}).seq == 1  # no seq was burnt


async def test_login_names_the_device_and_sends_the_csrf_token(
    client: SyncClient, server: FakeServer
) -> None:
    assert server.logins == [
        {
            "username": "inspector",
            "password": "rasd-demo",
            "device_id": str(client.client_id),
            "device_label": "rasd reference client",
        }
    ]


async def test_push_sends_the_outbox_in_batches_and_empties_it(
    client: SyncClient, server: FakeServer
) -> None:
    fill(client, 24)
    report = await client.push(max_ops=10)
    assert server.pushes == [list(range(1, 11)), list(range(11, 21)), list(range(21, 26))]
    assert (report.requests, report.acknowledged, report.last_seq, len(client.outbox)) == (3, 25, 25, 0)
    assert len(client.results) == 25 and all(r.outcome == "applied" for r in report.results)
    assert len(report.seconds) == 3
    # Acknowledged writes are versions seen: the next set of a field starts from them.
    assert client.set("visit", VISIT, "answers.q3", {"value": 0, "note": "x"}).base_version == 1
    assert client.set("visit", VISIT, "agency_id", "x").base_version == 1


async def test_messagepack_both_ways(server: FakeServer) -> None:
    client = SyncClient(
        "http://rasd.test", "inspector", "x", encoding="msgpack", transport=server.transport()
    )
    fill(client, 2)
    report = await client.push()
    assert server.media == [MSGPACK] and report.acknowledged == 3


async def test_503_is_retried_with_capped_backoff_and_nothing_is_dropped_meanwhile(
    client: SyncClient, server: FakeServer, sleeps: Sleeps
) -> None:
    fill(client, 4)
    seen: list[int] = []

    def unavailable(request: httpx.Request) -> httpx.Response:
        seen.append(len(client.outbox))
        return httpx.Response(503, json={"status": 503, "code": "unavailable", "message": "busy"})

    server.before = [unavailable] * 4
    report = await client.push()
    assert seen == [5, 5, 5, 5]  # the outbox stays whole until the answer
    assert (report.retries, report.requests, report.acknowledged) == (4, 5, 5)
    assert len(sleeps) == 4 and all(0 < s <= 1.0 for s in sleeps)
    assert 0.4 <= sleeps[3] <= 0.8  # 0.1 * 2**3, jittered down to half at most
    assert server.pushes == [[1, 2, 3, 4, 5]]


async def test_retry_after_is_honoured_up_to_the_cap(
    client: SyncClient, server: FakeServer, sleeps: Sleeps
) -> None:
    fill(client, 0)
    server.before = [lambda request: httpx.Response(503, headers={"retry-after": "0.7"})]
    await client.push()
    assert sleeps == [0.7]


async def test_a_lost_answer_is_resent_and_answered_as_a_duplicate(
    client: SyncClient, server: FakeServer, sleeps: Sleeps
) -> None:
    fill(client, 2)
    server.lose_answers = 1  # the server commits, the line drops before the answer
    report = await client.push()
    assert server.pushes == [[1, 2, 3], []]  # the resend changed nothing on the server
    assert (report.acknowledged, report.retries, len(client.outbox)) == (3, 1, 0)
    assert len(sleeps) == 1


async def test_unreachable_gives_up_and_keeps_the_outbox(client: SyncClient, server: FakeServer) -> None:
    fill(client, 1)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    server.before = [down] * 5
    with pytest.raises(Unreachable):
        await client.push()
    assert [op.seq for op in client.outbox.ops] == [1, 2]
    await client.push()  # the network is back: everything goes
    assert len(client.outbox) == 0 and server.last_seq[client.client_id] == 2


async def test_a_refusal_keeps_the_outbox(client: SyncClient, server: FakeServer) -> None:
    fill(client, 1)
    problem = {"status": 400, "code": "invalid_payload", "message": "no", "field": "ops[0].hlc"}
    server.before = [lambda request: httpx.Response(400, json=problem)]
    with pytest.raises(Refused) as refused:
        await client.push()
    assert (refused.value.status, refused.value.code, refused.value.field) == (
        400,
        "invalid_payload",
        "ops[0].hlc",
    )
    assert len(client.outbox) == 2


async def test_an_expired_session_signs_in_again_once(client: SyncClient, server: FakeServer) -> None:
    fill(client, 0)
    problem = {"status": 401, "code": "not_authenticated", "message": "sign in"}
    server.before = [lambda request: httpx.Response(401, json=problem)]
    await client.push()
    assert len(server.logins) == 2 and len(client.outbox) == 0
    fill(client, 0)
    server.before = [lambda request: httpx.Response(401, json=problem)] * 2
    with pytest.raises(Refused):
        await client.push()
    assert len(client.outbox) == 1


async def test_a_gap_below_the_outbox_renumbers_what_the_server_never_stored(
    client: SyncClient, server: FakeServer
) -> None:
    fill(client, 3)
    await client.push()
    op_ids = [client.set("visit", VISIT, "answers.q9", {"value": n, "note": None}).op_id for n in range(3)]
    server.last_seq[client.client_id] = 2  # a restore: the server forgot seqs 3 and 4
    report = await client.push()
    assert report.gaps == 1
    assert server.pushes[-1] == [3, 4, 5]
    assert server.last_seq[client.client_id] == 5 and len(client.outbox) == 0
    assert [client.results[op_id].outcome for op_id in op_ids] == ["applied"] * 3
    assert client.set("visit", VISIT, "answers.q9", {"value": 0, "note": None}).seq == 6


async def test_a_gap_inside_the_outbox_drops_what_the_server_holds(
    client: SyncClient, server: FakeServer
) -> None:
    fill(client, 4)
    server.last_seq[client.client_id] = 2  # it holds 1 and 2 already (their answer was lost)
    for seq in (1, 2):
        server.stored[(client.client_id, seq)] = OpResult(
            op_id=client.outbox.ops[seq - 1].op_id, outcome="noop"
        )
    gap = {"status": 409, "code": "seq_gap", "message": "gap", "field": "ops", "expected_seq": 3}
    server.before = [lambda request: httpx.Response(409, json=gap)]
    report = await client.push()
    assert server.pushes == [[3, 4, 5]] and report.gaps == 1 and len(client.outbox) == 0


async def test_a_server_that_keeps_refusing_seqs_is_a_protocol_violation(
    client: SyncClient, server: FakeServer
) -> None:
    from sync.outbox import ProtocolViolation

    fill(client, 0)
    gap = {"status": 409, "code": "seq_gap", "message": "gap", "field": "ops", "expected_seq": 7}
    server.before = [lambda request: httpx.Response(409, json=gap)] * 10
    with pytest.raises(ProtocolViolation):
        await client.push()
    assert len(client.outbox) == 1


async def test_a_partial_acknowledgement_keeps_the_rest(server: FakeServer) -> None:
    outbox = Outbox(client_clock())
    for number in range(5):
        outbox.record("visit", VISIT, "set", f"answers.q{number}", {"value": number})
    batch, _ = outbox.batch()
    results = [OpResult(op_id=op.op_id, outcome="applied", version=1) for op in batch[:3]]
    acknowledged = outbox.acknowledge(batch, PushResponse(last_seq=3, results=results))
    assert [op.seq for op, _ in acknowledged] == [1, 2, 3]
    assert [op.seq for op in outbox.ops] == [4, 5]


def test_a_batch_never_exceeds_two_mebibytes() -> None:
    outbox = Outbox(client_clock())
    for number in range(40):
        outbox.record("visit", VISIT, "set", f"answers.q{number}", {"value": "x" * 100_000, "note": None})
    sizes = []
    while len(outbox):
        batch, body = outbox.batch()
        sizes.append(len(batch))
        assert len(body) <= 2 * 1024 * 1024
        outbox.acknowledge(
            batch,
            PushResponse(
                last_seq=batch[-1].seq, results=[OpResult(op_id=op.op_id, outcome="applied") for op in batch]
            ),
        )
    assert sum(sizes) == 40 and len(sizes) > 1


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=0.001, max_value=2), st.floats(min_value=0.01, max_value=30), st.integers(0, 60))
def test_backoff_is_capped_and_grows(base: float, cap: float, attempt: int) -> None:
    backoff = Backoff(base=base, cap=cap)
    delay = backoff.delay(attempt)
    ceiling = min(cap, base * 2.0**attempt)
    assert ceiling / 2 <= delay <= ceiling <= cap


def client_clock() -> Any:
    from sync.hlc import Clock

    return Clock(uuid.uuid4())


def change(entity_id: uuid.UUID, field: str, value: Any, version: int, ms: int) -> Change:
    return Change(
        entity="visit",
        entity_id=entity_id,
        field=field,
        value=value,
        version=version,
        hlc=format_hlc(Hlc(ms, 0, SERVER)),
    )


async def test_pull_all_follows_more_keeps_the_copy_and_the_cursor(
    client: SyncClient, server: FakeServer
) -> None:
    future = 4_000_000_000_000  # the year 2096: observing it moves the device's clock past it
    server.pages = [
        PullResponse(
            changes=[change(VISIT, "status", "draft", 1, 1)],
            cursor=cursors.encode("db1", 1),
            more=True,
            last_seq=0,
        ),
        PullResponse(
            changes=[change(VISIT, "status", "submitted", 2, future), change(VISIT, "location", None, 1, 2)],
            cursor=cursors.encode("db1", 3),
            more=False,
            last_seq=0,
        ),
    ]
    report = await client.pull_all(limit=2)
    assert (report.pages, len(report.changes), report.reset) == (2, 3, False)
    assert client.cursor == cursors.encode("db1", 3)
    assert client.state[("visit", VISIT, "status")].value == "submitted"
    assert [params.get("cursor") for params in server.pull_params] == [None, cursors.encode("db1", 1)]
    assert server.pull_params[0]["limit"] == "2"
    assert client.set("visit", VISIT, "status", "draft").base_version == 2
    assert client.outbox.ops[-1].hlc > format_hlc(Hlc(future, 0, SERVER))


async def test_a_reset_rebuilds_the_copy_and_keeps_the_outbox(client: SyncClient, server: FakeServer) -> None:
    other = uuid.uuid4()
    server.pages = [
        PullResponse(
            changes=[change(other, "status", "draft", 1, 1)],
            cursor=cursors.encode("db1", 1),
            more=False,
            last_seq=0,
        ),
        PullResponse(
            changes=[change(VISIT, "status", "draft", 1, 1)],
            cursor=cursors.encode("db2", 1),
            more=False,
            last_seq=0,
            reset=True,
        ),
    ]
    await client.pull_all()
    fill(client, 1)
    report = await client.pull_all()
    assert report.reset
    assert set(client.state) == {("visit", VISIT, "status")}
    assert client.cursor == cursors.encode("db2", 1)
    assert len(client.outbox) == 2
