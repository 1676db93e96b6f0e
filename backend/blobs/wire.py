"""The upload protocol's headers: names, parsing into problems that name them, conditional reads.

Litestar's own header validation would name the handler's argument (``upload_offset``) or nothing;
a client of the public protocol should read the header it sent (``Upload-Offset``).
"""

from __future__ import annotations

from typing import Final

from backend.errors import DomainError

UPLOAD_OFFSET: Final = "Upload-Offset"
UPLOAD_LENGTH: Final = "Upload-Length"
# Blob.length and Blob.received are 32-bit integers in the database.
LENGTH_LIMIT: Final = 2**31 - 1
# A blob never changes under its name: the browser and the service worker may keep it for a year.
IMMUTABLE: Final = "private, max-age=31536000, immutable"


class MissingHeader(DomainError):
    status_code = 400
    code = "required"


class BadHeader(DomainError):
    status_code = 400
    code = "invalid"


def byte_count(name: str, raw: str | None, *, minimum: int) -> int:
    """The value of an ``Upload-Offset`` or ``Upload-Length`` header: a plain decimal byte count."""
    if raw is None:
        raise MissingHeader(name)
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(LENGTH_LIMIT)):
        raise BadHeader(name, detail="a whole number of bytes is expected")
    value = int(text)
    if not minimum <= value <= LENGTH_LIMIT:
        raise BadHeader(name, detail=f"expected between {minimum} and {LENGTH_LIMIT}")
    return value


def etag_matches(if_none_match: str | None, sha256: str) -> bool:
    """RFC 9110 weak comparison of an ``If-None-Match`` list against the blob's ETag."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/").strip('"') == sha256:
            return True
    return False
