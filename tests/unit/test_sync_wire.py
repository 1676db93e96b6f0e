"""Wire types of protocol v1: recorded payloads keep decoding, hostile bodies get one typed error."""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import cursor
from sync.errors import PayloadError
from sync.sequence import plan_push
from sync.wire import (
    MAX_OPS,
    MAX_PUSH_BYTES,
    MAX_SAFE_INT,
    MAX_VALUE_DEPTH,
    Change,
    ConflictView,
    Op,
    OpResult,
    PullResponse,
    PushRequest,
    PushResponse,
    Reason,
    decode_push,
    json_encoder,
    msgpack_encoder,
    pull_json_decoder,
    pull_msgpack_decoder,
    push_response_json_decoder,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sync_v1"
CLIENT = "0c2f6e1e-0b0a-4c4a-9e3b-7e4c2a1b3c4d"
HLC = f"1718013600000-0000-{CLIENT}"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def op(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "op_id": str(uuid.uuid4()),
        "seq": 1,
        "entity": "visit",
        "entity_id": str(uuid.uuid4()),
        "kind": "set",
        "field": "answers.q1",
        "value": {"value": "yes", "note": None},
        "base_version": 0,
        "hlc": HLC,
    }
    fields.update(changes)
    return fields


def push(ops: Any = None, **changes: Any) -> dict[str, Any]:
    return {"protocol": 1, "client_id": CLIENT, "ops": [op()] if ops is None else ops, **changes}


def as_json(document: Any) -> bytes:
    return json.dumps(document).encode()


def refused(body: bytes, content_type: str = "application/json") -> PayloadError:
    with pytest.raises(PayloadError) as raised:
        decode_push(body, content_type)
    return raised.value


# --- Recorded v1 payloads: the schema-evolution guard -------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "application/msgpack"])
def test_the_recorded_push_keeps_decoding(content_type: str) -> None:
    document = recorded("push_visit.json")
    body = as_json(document) if content_type.endswith("json") else msgspec.msgpack.encode(document)
    request = decode_push(body, content_type)
    assert request.protocol == 1
    assert request.client_id == uuid.UUID(CLIENT)
    kinds = [(o.entity, o.kind) for o in request.ops]
    assert kinds[0] == ("visit", "create")
    assert kinds[-1] == ("visit", "submit")
    assert {("attachment", "create"), ("finding", "create"), ("action", "create")} <= set(kinds)
    assert sum(1 for o in request.ops if (o.field or "").startswith("answers.")) >= 3
    assert plan_push(0, request.ops).last_seq == len(request.ops)  # 1, 2, 3 ... with no gap
    assert [o.hlc for o in request.ops] == sorted(o.hlc for o in request.ops)
    # Nothing is lost on the way: the decoded ops encode back to the recorded document.
    assert json.loads(json_encoder.encode(request)) == document


@pytest.mark.parametrize("decoder", [pull_json_decoder, pull_msgpack_decoder], ids=["json", "msgpack"])
def test_the_recorded_pull_page_keeps_decoding(decoder: Any) -> None:
    document = recorded("pull_page.json")
    body = as_json(document) if decoder is pull_json_decoder else msgspec.msgpack.encode(document)
    page = decoder.decode(body)
    assert isinstance(page, PullResponse)
    assert page.more
    assert not page.reset
    assert page.last_seq == 11
    assert cursor.decode(page.cursor).position == 1042
    assert any(change.deleted for change in page.changes)
    assert any(change.author is None for change in page.changes)
    [conflict] = page.conflicts
    assert conflict.status == "open"
    assert len(conflict.candidates) == 2
    assert all(candidate.at.tzinfo is not None for candidate in conflict.candidates)
    assert json.loads(json_encoder.encode(page)) == document


def test_unknown_fields_are_tolerated_everywhere() -> None:
    document = push(future_envelope={"x": 1})
    document["ops"][0]["future_field"] = [1, 2, 3]
    request = decode_push(as_json(document), "application/json")
    assert len(request.ops) == 1

    page = recorded("pull_page.json")
    page["server_time"] = "2024-06-10T12:00:00Z"
    page["changes"][0]["origin"] = "import"
    page["conflicts"][0]["priority"] = "high"
    page["conflicts"][0]["candidates"][0]["device_label"] = "Galaxy Tab A"
    assert pull_json_decoder.decode(as_json(page)).changes[0].entity == "agency"


def test_fields_added_with_defaults_may_be_absent() -> None:
    minimal = {
        "op_id": str(uuid.uuid4()),
        "seq": 1,
        "entity": "visit",
        "entity_id": str(uuid.uuid4()),
        "kind": "submit",
        "hlc": HLC,
    }
    [decoded] = decode_push(as_json(push([minimal])), "application/json").ops
    assert (decoded.field, decoded.value, decoded.base_version) == (None, None, 0)
    page = pull_json_decoder.decode(b'{"changes": [], "cursor": "", "more": false, "last_seq": 0}')
    assert (page.conflicts, page.reset) == ([], False)


def test_responses_round_trip() -> None:
    response = PushResponse(
        last_seq=3,
        results=[
            OpResult(op_id=uuid.uuid4(), outcome="applied", version=2),
            OpResult(op_id=uuid.uuid4(), outcome="conflict", version=1, conflict_id=uuid.uuid4()),
            OpResult(
                op_id=uuid.uuid4(),
                outcome="rejected",
                reason=Reason(code="illegal_transition", message="An action cannot go…", field="status"),
            ),
        ],
    )
    assert push_response_json_decoder.decode(json_encoder.encode(response)) == response
    assert msgspec.msgpack.decode(msgpack_encoder.encode(response), type=PushResponse) == response


def test_media_types() -> None:
    body = as_json(push())
    assert decode_push(body, "application/json; charset=utf-8").ops
    assert decode_push(msgspec.msgpack.encode(push()), "Application/MsgPack").ops
    for wrong in ("text/plain", "", None, "application/x-www-form-urlencoded"):
        assert refused(body, wrong).code == "unsupported_media_type"  # type: ignore[arg-type]


def test_limits_are_accepted_up_to_the_bound() -> None:
    ops = [op(seq=n + 1) for n in range(MAX_OPS)]
    assert len(decode_push(as_json(push(ops)), "application/json").ops) == MAX_OPS
    nested: Any = "deep"
    for _ in range(MAX_VALUE_DEPTH - 1):
        nested = [nested]
    assert decode_push(as_json(push([op(value=nested)])), "application/json").ops[0].value == nested
    edge = op(value={"n": MAX_SAFE_INT, "m": -MAX_SAFE_INT}, seq=MAX_SAFE_INT)
    assert decode_push(as_json(push([edge])), "application/json").ops[0].seq == MAX_SAFE_INT


# --- Hostile bodies: one typed error, never anything else ---------------------------------------


def test_an_oversize_body_is_refused_before_decoding() -> None:
    body = b" " * (MAX_PUSH_BYTES + 1)
    assert refused(body).code == "payload_too_large"
    assert refused(body, "application/msgpack").code == "payload_too_large"


def test_too_many_ops() -> None:
    ops = [op(seq=n + 1) for n in range(MAX_OPS + 1)]
    error = refused(as_json(push(ops)))
    assert (error.code, error.field) == ("too_many_ops", "ops")


def test_an_unknown_protocol() -> None:
    error = refused(as_json(push(protocol=2)))
    assert (error.code, error.field) == ("unsupported_protocol", "protocol")


def deep(levels: int) -> Any:
    value: Any = None
    for _ in range(levels):
        value = [value]
    return value


HOSTILE: list[tuple[Any, str | None]] = [
    (push([op(seq="1")]), "ops[0].seq"),
    (push([op(seq=0)]), "ops[0].seq"),
    (push([op(seq=10**30)]), "ops[0].seq"),
    (push([op(seq=1.5)]), "ops[0].seq"),
    (push([op(seq=True)]), "ops[0].seq"),
    (push([op(base_version=-1)]), "ops[0].base_version"),
    (push([op(base_version=2**64)]), "ops[0].base_version"),
    (push([op(entity_id="not-a-uuid")]), "ops[0].entity_id"),
    (push([op(kind="update")]), "ops[0].kind"),
    (push([op(entity="")]), "ops[0].entity"),
    (push([op(entity="x" * 65)]), "ops[0].entity"),
    (push([op(field="f" * 256)]), "ops[0].field"),
    (push([op(field=7)]), "ops[0].field"),
    (push([op(hlc="yesterday")]), "ops[0].hlc"),
    (push([op(hlc=HLC.upper())]), "ops[0].hlc"),
    (push([op(hlc=HLC + "\n")]), "ops[0].hlc"),
    (push([op(value=10**30)]), "ops[0].value"),
    (push([op(value={"n": MAX_SAFE_INT + 1})]), "ops[0].value"),
    (push([op(value=deep(MAX_VALUE_DEPTH + 1))]), "ops[0].value"),
    (push([op(), op(seq=2, value=[1, [2, {"x": -(2**60)}]])]), "ops[1].value"),
    (push(client_id=12), "client_id"),
    (push(ops={"0": op()}), "ops"),
    (push(ops=[None]), "ops[0]"),
    ({"protocol": 1, "ops": []}, "client_id"),
    ({"protocol": 1, "client_id": CLIENT}, "ops"),
    (push([{k: v for k, v in op().items() if k != "hlc"}]), "ops[0].hlc"),
    (push([{k: v for k, v in op().items() if k != "op_id"}]), "ops[0].op_id"),
    ([1, 2, 3], None),
    (None, None),
    ("push", None),
]


def encodings(document: Any) -> list[str]:
    """JSON always; MessagePack too unless the document holds an integer it cannot carry."""
    try:
        msgspec.msgpack.encode(document)
    except OverflowError:
        return ["application/json"]
    return ["application/json", "application/msgpack"]


@pytest.mark.parametrize(
    ("document", "field", "content_type"),
    [(document, field, kind) for document, field in HOSTILE for kind in encodings(document)],
)
def test_wrong_types_and_missing_fields_name_the_field(
    document: Any, field: str | None, content_type: str
) -> None:
    body = as_json(document) if content_type == "application/json" else msgspec.msgpack.encode(document)
    error = refused(body, content_type)
    assert error.code in {"invalid_payload", "malformed_payload"}
    assert error.field == field
    assert error.message


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"protocol": 1, "client_id": "' + CLIENT.encode() + b'", "ops": [',
        b"\xff\xfe\x00",
        b'{"protocol": 1, "client_id": "' + CLIENT.encode() + b'", "ops": [], "x": NaN}',
        b'{"protocol": 1} trailing',
        b'{"protocol": 1, "client_id": "\xc3\x28", "ops": []}',
        b'{"protocol": 1, "client_id": "'
        + CLIENT.encode()
        + b'", "ops": [], "x": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}",
        b'{"protocol": 1, "client_id": "'
        + CLIENT.encode()
        + b'", "ops": [], "x": '
        + b'{"a":' * 50_000
        + b"1"
        + b"}" * 50_000
        + b"}",
        b'{"protocol": 1, "client_id": "'
        + CLIENT.encode()
        + b'", "ops": [{"seq": 1'
        + b"0" * 100_000
        + b"}]}",
    ],
    ids=[
        "empty",
        "open",
        "truncated",
        "not-utf8",
        "nan",
        "trailing",
        "bad-utf8-string",
        "deep-list",
        "deep-object",
        "huge-int",
    ],
)
def test_malformed_json(body: bytes) -> None:
    assert refused(body).code in {"malformed_payload", "invalid_payload"}


def test_deep_values_in_the_op() -> None:
    # Built by hand: json.dumps itself would recurse too deep.
    raw = b'{"protocol": 1, "client_id": "%s", "ops": [%s]}' % (
        CLIENT.encode(),
        as_json(op(value=None)).replace(b'"value": null', b'"value": ' + b"[" * 100_000 + b"]" * 100_000),
    )
    assert refused(raw).code in {"malformed_payload", "invalid_payload"}
    packed = msgspec.msgpack.encode(push([op(value="HOLE")])).replace(
        msgspec.msgpack.encode("HOLE"), b"\x91" * 100_000 + b"\xc0"
    )
    assert refused(packed, "application/msgpack").code in {"malformed_payload", "invalid_payload"}


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        b"\x00\x01",
        msgspec.msgpack.Ext(1, b"x"),
        {1: "integer key"},
        {"nested": [msgspec.msgpack.Ext(-1, b"\x00\x00\x00\x00")]},
        2**63,
    ],
    ids=["nan", "inf", "binary", "ext", "int-key", "timestamp", "int64"],
)
def test_msgpack_values_that_are_not_json_data(value: Any) -> None:
    body = msgspec.msgpack.encode(push([op(value=value)]))
    error = refused(body, "application/msgpack")
    assert error.code in {"invalid_payload", "malformed_payload"}
    assert error.field in {"ops[0].value", "ops[0]"}


def test_a_uuid_in_binary_msgpack_is_accepted() -> None:
    document = push()
    document["client_id"] = uuid.UUID(CLIENT).bytes
    assert decode_push(msgspec.msgpack.encode(document), "application/msgpack").client_id == uuid.UUID(CLIENT)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(st.binary(max_size=300), st.sampled_from(["application/json", "application/msgpack"]))
def test_random_bytes_never_escape_the_typed_error(body: bytes, content_type: str) -> None:
    with contextlib.suppress(PayloadError):
        decode_push(body, content_type)


@settings(max_examples=300)
@given(
    st.sampled_from(["op_id", "seq", "entity", "entity_id", "kind", "field", "value", "base_version", "hlc"]),
    json_values,
    st.sampled_from(["application/json", "application/msgpack"]),
)
def test_any_value_in_any_field_decodes_or_raises_the_typed_error(
    name: str, value: Any, content_type: str
) -> None:
    document = recorded("push_visit.json")
    document["ops"][3][name] = value
    body = (
        msgspec.msgpack.encode(document)
        if content_type.endswith("msgpack")
        else msgspec.json.encode(document)
    )
    error: PayloadError | None = None
    try:
        request = decode_push(body, content_type)
    except PayloadError as caught:
        error = caught
    if error is not None:
        assert error.field is None or error.field.startswith("ops[3]")
    else:
        assert isinstance(request, PushRequest)
        assert all(isinstance(o, Op) for o in request.ops)


def test_change_and_conflict_defaults() -> None:
    change = Change(entity="visit", entity_id=uuid.uuid4(), version=1, hlc=HLC)
    assert (change.field, change.value, change.author, change.deleted) == (None, None, None, False)
    view = msgspec.json.decode(
        json_encoder.encode(
            {
                "id": str(uuid.uuid4()),
                "entity": "visit",
                "entity_id": str(uuid.uuid4()),
                "candidates": [],
                "status": "resolved",
                "resolution": {"value": 3, "hlc": HLC, "at": "2024-06-10T12:00:00+01:00"},
            }
        ),
        type=ConflictView,
    )
    assert view.resolution is not None
    assert view.resolution.at.utcoffset() is not None
