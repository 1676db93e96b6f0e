"""Domain errors with stable codes. Services raise these; one handler turns them into problems."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An error a user can act on. ``code`` is stable; the message is chosen per language later."""

    status_code = 400
    code = "invalid"

    def __init__(self, field: str | None = None, *, code: str | None = None, **params: Any) -> None:
        super().__init__(code or self.code)
        self.field = field
        if code is not None:
            self.code = code
        self.params = params


class Invalid(DomainError):
    status_code = 422
    code = "invalid"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class BadCredentials(DomainError):
    status_code = 401
    code = "bad_credentials"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class OutOfScope(DomainError):
    status_code = 403
    code = "out_of_scope"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class AlreadyExists(DomainError):
    status_code = 409
    code = "already_exists"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"


class Unavailable(DomainError):
    status_code = 503
    code = "unavailable"


class DeviceRevoked(Forbidden):
    code = "device_revoked"
