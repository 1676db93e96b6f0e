"""The wire types of sync protocol v1 (DESIGN.md, "Sync protocol (v1)") and their codecs.

Schema evolution (a phone may stay offline for weeks on an old version):

* unknown fields are ignored on decode, so an old server reads a newer client and the reverse;
* a field added later gets a default, so payloads without it keep decoding;
* no field is ever renamed, reordered or retyped; a breaking change is a new ``protocol`` number.

Recorded payloads under ``tests/fixtures/sync_v1/`` must keep decoding with these types.

Protocol quirks, enforced on decode so that every server and every device can hold and compare
the same values: an op's ``value`` is JSON data (null, booleans, finite numbers, strings, lists,
objects with string keys), integers within JavaScript's safe range (±(2**53 - 1)), nested at most
:data:`MAX_VALUE_DEPTH` deep. MessagePack extensions, binary and timestamps are refused.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from sync.errors import PayloadError
from sync.hlc import LENGTH as HLC_LENGTH
from sync.hlc import PATTERN as HLC_PATTERN

PROTOCOL: Final = 1
MAX_OPS: Final = 1000
MAX_PUSH_BYTES: Final = 2 * 1024 * 1024
MAX_SAFE_INT: Final = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
MAX_VALUE_DEPTH: Final = 32
JSON: Final = "application/json"
MSGPACK: Final = "application/msgpack"

OpKind = Literal["create", "set", "delete", "submit", "resolve"]
Outcome = Literal["applied", "noop", "superseded", "conflict", "rejected"]

Seq = Annotated[int, Meta(ge=1, le=MAX_SAFE_INT)]
Version = Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]
HlcText = Annotated[str, Meta(pattern=HLC_PATTERN, min_length=HLC_LENGTH, max_length=HLC_LENGTH)]
# Generous bounds: the server rejects an unknown entity or field per op ("rejected"); these only
# stop hostile sizes, since a decode error refuses the whole push.
EntityName = Annotated[str, Meta(min_length=1, max_length=64)]
FieldName = Annotated[str, Meta(min_length=1, max_length=255)]
AwareDatetime = Annotated[datetime, Meta(tz=True)]


class Base(msgspec.Struct, kw_only=True):
    """The base of every sync wire type. Unlike the API's strict base, unknown fields are tolerated.

    Subclasses repeat ``kw_only=True``: msgspec inherits it, but type checkers only see it declared.
    """


class Op(Base, kw_only=True):
    """One change made on a device, as kept in its outbox and in the server's op log."""

    op_id: UUID
    seq: Seq
    entity: EntityName
    entity_id: UUID
    kind: OpKind
    field: FieldName | None = None
    value: Any = None
    base_version: Version = 0  # 0 = the device never saw this field
    hlc: HlcText


class PushRequest(Base, kw_only=True):
    protocol: Literal[1]
    client_id: UUID
    ops: Annotated[list[Op], Meta(max_length=MAX_OPS)]


class Reason(Base, kw_only=True):
    """Why an op was rejected: ``code`` is stable, ``message`` English (translated by code)."""

    code: str
    message: str
    field: str | None = None


class OpResult(Base, kw_only=True):
    op_id: UUID
    outcome: Outcome
    version: int | None = None
    conflict_id: UUID | None = None
    reason: Reason | None = None


class PushResponse(Base, kw_only=True):
    last_seq: int
    results: list[OpResult]


class Change(Base, kw_only=True):
    """The current value of one field (``field`` null: the entity itself, e.g. its deletion)."""

    entity: str
    entity_id: UUID
    field: str | None = None
    value: Any = None
    version: int
    hlc: str
    author: UUID | None = None  # None for what the server made (reference data)
    deleted: bool = False


class ConflictCandidate(Base, kw_only=True):
    """One of the values written concurrently, with who wrote it, from which device and when."""

    value: Any = None
    author: UUID | None = None
    client_id: UUID | None = None
    hlc: str
    at: AwareDatetime  # when the server received it
    op_id: UUID | None = None


class Resolution(Base, kw_only=True):
    """How a reviewer resolved a conflict (with a ``resolve`` op)."""

    value: Any = None
    author: UUID | None = None
    hlc: str
    at: AwareDatetime


class ConflictView(Base, kw_only=True):
    id: UUID
    entity: str
    entity_id: UUID
    field: str | None = None
    base_value: Any = None  # the value the writers started from (at base_version)
    base_version: int = 0
    candidates: list[ConflictCandidate]
    status: Literal["open", "resolved"]
    resolution: Resolution | None = None


class PullResponse(Base, kw_only=True):
    changes: list[Change]
    conflicts: list[ConflictView] = msgspec.field(default_factory=list)
    cursor: str
    more: bool
    last_seq: int
    reset: bool = False


# Reusable codecs: building them once is what makes msgspec fast.
json_encoder: Final = msgspec.json.Encoder()
msgpack_encoder: Final = msgspec.msgpack.Encoder()
push_json_decoder: Final = msgspec.json.Decoder(PushRequest)
push_msgpack_decoder: Final = msgspec.msgpack.Decoder(PushRequest)
push_response_json_decoder: Final = msgspec.json.Decoder(PushResponse)
pull_json_decoder: Final = msgspec.json.Decoder(PullResponse)
pull_msgpack_decoder: Final = msgspec.msgpack.Decoder(PullResponse)

_MSGPACK_TYPES: Final = frozenset({MSGPACK, "application/x-msgpack", "application/vnd.msgpack"})
_MISSING = re.compile(r"missing required field `([^`]*)`")
_ERROR_PATH = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)


def media_type(content_type: str | None) -> str:
    """``"application/json; charset=utf-8"`` → ``"application/json"``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode_push(body: bytes, content_type: str | None) -> PushRequest:
    """Decode a push body (JSON or MessagePack) into a :class:`PushRequest`, or refuse it whole.

    Raises:
        PayloadError: the only error raised, with a stable ``code`` and, when known, the ``field``.
    """
    if len(body) > MAX_PUSH_BYTES:
        raise PayloadError(
            f"A push is at most {MAX_PUSH_BYTES} bytes; this one has {len(body)}.", code="payload_too_large"
        )
    kind = media_type(content_type)
    if kind == JSON:
        decoder: msgspec.json.Decoder[PushRequest] | msgspec.msgpack.Decoder[PushRequest] = push_json_decoder
    elif kind in _MSGPACK_TYPES:
        decoder = push_msgpack_decoder
    else:
        raise PayloadError(
            f"A push is {JSON} or {MSGPACK}, not {kind or 'untyped'}.", code="unsupported_media_type"
        )
    try:
        request = decoder.decode(body)
    except msgspec.ValidationError as error:
        raise _validation_error(str(error)) from None
    except msgspec.DecodeError as error:
        raise PayloadError(f"The body is not valid {kind}: {error}.", code="malformed_payload") from None
    except RecursionError:
        raise PayloadError("The body is nested too deep.", code="malformed_payload") from None
    for index, op in enumerate(request.ops):
        problem = check_value(op.value)
        if problem is not None:
            raise PayloadError(f"Invalid op value: {problem}.", field=f"ops[{index}].value")
    return request


def _validation_error(text: str) -> PayloadError:
    match = _ERROR_PATH.match(text)
    what, path = (match["what"], match["path"]) if match else (text, None)
    field = (path or "").lstrip(".") or None  # "$.ops[0].seq" -> "ops[0].seq"; "$" -> None
    missing = _MISSING.search(what)
    if missing is not None:  # "Object missing required field `seq` - at `$.ops[0]`": name the field
        field = f"{field}.{missing[1]}" if field else missing[1]
    if field == "protocol":
        return PayloadError(
            f"Unsupported protocol; this server speaks protocol {PROTOCOL}.",
            code="unsupported_protocol",
            field=field,
        )
    if field == "ops" and "length" in what:
        return PayloadError(f"A push holds at most {MAX_OPS} ops.", code="too_many_ops", field=field)
    return PayloadError(f"Invalid push: {what}.", field=field)


def check_value(value: Any) -> str | None:
    """Why ``value`` is not portable JSON data (see the module docstring), or None if it is."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_VALUE_DEPTH:
            return f"nested deeper than {MAX_VALUE_DEPTH} levels"
        if item is None or isinstance(item, bool | str):
            continue
        if isinstance(item, int):
            if not -MAX_SAFE_INT <= item <= MAX_SAFE_INT:
                return "integer outside ±(2**53 - 1)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "number that is not finite"
        elif isinstance(item, list):
            stack.extend((element, depth + 1) for element in item)
        elif isinstance(item, dict):
            for name, element in item.items():
                if not isinstance(name, str):
                    return "object key that is not a string"
                stack.append((element, depth + 1))
        else:
            return f"{type(item).__name__} is not JSON data"
    return None
