"""The base of every wire type (msgspec), and the shapes shared by all features."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Strict by default: an unknown field in a request is an error naming that field."""


class Problem(msgspec.Struct, kw_only=True):
    """The one shape of every error answered by the API."""

    status: int
    code: str
    message: str
    field: str | None = None
    errors: list[ProblemDetail] = msgspec.field(default_factory=list)


class ProblemDetail(msgspec.Struct, kw_only=True):
    code: str
    message: str
    field: str | None = None


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """A page of a list; ``next_offset`` is None on the last page."""

    items: list[T]
    total: int
    offset: int
    limit: int
    next_offset: int | None
