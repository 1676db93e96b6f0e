"""One exception handler: every error leaves as a problem document in the user's language.

Domain errors carry their code; Litestar's own errors (validation, CSRF, 404, 405, body too large)
are mapped to codes too, so that a client never has to parse English text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Response
from litestar.exceptions import HTTPException, ValidationException

from backend.errors import DomainError
from backend.http.language import request_language
from backend.http.params import Req
from backend.i18n import translate
from backend.wire import Problem, ProblemDetail
from sync.errors import SeqGap, SyncError

log = logging.getLogger("rasd.errors")

_STATUS_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_attempts",
    503: "unavailable",
}
_problem_encoder = msgspec.json.Encoder()
# msgspec says "… - at `$.field[0].x`"; Litestar puts the same path in the "key" of its extra.
_MSGSPEC_PATH = re.compile(r"\s*-\s*at `\$\.?([^`]*)`")


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=_problem_encoder.encode(problem),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=headers,
    )


def domain_error_handler(request: Req, exc: DomainError) -> Response[bytes]:
    language = request_language(request)
    message = translate(exc.code, language, field=exc.field or "", **exc.params)
    problem = Problem(status=exc.status_code, code=exc.code, message=message, field=exc.field)
    return problem_response(problem)


def validation_handler(request: Req, exc: ValidationException) -> Response[bytes]:
    language = request_language(request)
    details = []
    for entry in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(entry, dict):
            continue
        raw = str(entry.get("message", ""))
        # Litestar names the handler's kwarg ("data") when the error is at the top of the body.
        key = entry.get("key")
        field = _field_from(raw) or (key if key not in (None, "data") else None)
        detail = _MSGSPEC_PATH.sub("", raw)
        code = "required" if raw.startswith("Object missing required field") else "invalid"
        details.append(
            ProblemDetail(
                code=code, field=field, message=translate(code, language, field=field or "", detail=detail)
            )
        )
    if not details:
        detail = _MSGSPEC_PATH.sub("", str(exc.detail))
        field = _field_from(str(exc.detail))
        code = "invalid" if field else "malformed"
        details.append(
            ProblemDetail(
                code=code, field=field, message=translate(code, language, field=field or "", detail=detail)
            )
        )
    first = details[0]
    problem = Problem(status=400, code=first.code, message=first.message, field=first.field, errors=details)
    return problem_response(problem)


def http_error_handler(request: Req, exc: HTTPException) -> Response[bytes]:
    language = request_language(request)
    status = exc.status_code
    code = _STATUS_CODES.get(
        status, "malformed" if status == 400 else "invalid" if status < 500 else "internal"
    )
    if status == 403 and "CSRF" in str(exc.detail):
        code = "csrf_failed"
    if status >= 500:
        log.error("http error %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
    problem = Problem(
        status=status, code=code, message=translate(code, language, field="", detail=exc.detail)
    )
    return problem_response(problem, headers=dict(exc.headers or {}))


def too_deep_handler(request: Req, exc: RecursionError) -> Response[bytes]:
    """msgspec refuses absurdly nested documents with a RecursionError: the client's fault."""
    language = request_language(request)
    detail = "nesting too deep"
    message = translate("malformed", language, detail=detail)
    return problem_response(Problem(status=400, code="malformed", message=message))


_SYNC_STATUS = {"payload_too_large": 413, "too_many_ops": 413, "unsupported_media_type": 415, "seq_gap": 409}


def sync_error_handler(request: Req, exc: SyncError) -> Response[bytes]:
    """The sync engine's refusals of a whole request (a gap, a body it cannot read, a bad cursor)."""
    language = request_language(request)
    status = _SYNC_STATUS.get(exc.code, 400)
    message = translate(exc.code, language, field=exc.field or "", detail=exc.message)
    problem = Problem(status=status, code=exc.code, message=message, field=exc.field)
    if isinstance(exc, SeqGap):
        # The one extra member of a problem: where the client must resend from.
        body = {**msgspec.structs.asdict(problem), "expected_seq": exc.expected_seq}
        return Response(
            content=_problem_encoder.encode(body), status_code=status, media_type="application/problem+json"
        )
    return problem_response(problem)


def internal_error_handler(request: Req, exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = Problem(status=500, code="internal", message=translate("internal", request_language(request)))
    return problem_response(problem)


def _field_from(message: str) -> str | None:
    match = _MSGSPEC_PATH.search(message)
    if match and match.group(1):
        return match.group(1)
    named = re.search(r"(?:required|unknown) field `([^`]+)`", message)
    return named.group(1) if named else None


# The server-rendered pages answer errors as pages: signing in when needed, else an error page that
# carries the same stable code (``data-problem-code``) and message as the JSON problem.
PAGE_PREFIXES = ("/manage", "/dashboard", "/signin", "/signout", "/account")


def is_page(request: Req) -> bool:
    return request.url.path.startswith(PAGE_PREFIXES)


def _for_pages(handler: Callable[[Req, Any], Response[bytes]]) -> Callable[[Req, Any], Response[Any]]:
    def handle(request: Req, exc: Any) -> Response[Any]:
        response = handler(request, exc)
        if not is_page(request):
            return response
        from backend.web.page import render, see_other  # the pages import this module

        problem = msgspec.json.decode(response.content)
        if problem["status"] == 401:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return see_other(f"/signin?{urlencode({'next': target})}")
        context = {"status": problem["status"], "code": problem["code"], "message": problem["message"]}
        return render(request, "error.html", context, status=problem["status"], title="page.error")

    return handle


EXCEPTION_HANDLERS = {
    DomainError: _for_pages(domain_error_handler),
    ValidationException: _for_pages(validation_handler),
    HTTPException: _for_pages(http_error_handler),
    RecursionError: _for_pages(too_deep_handler),
    SyncError: sync_error_handler,
    Exception: _for_pages(internal_error_handler),
}
