"""Which kind of file a blob is, from its first bytes. Pure: no I/O, no framework.

The type a client claims is never trusted: the server decides from magic bytes, and accepts only the
kinds of evidence an inspector attaches (photos and scanned documents). Anything a browser could run
or render as a page (HTML, SVG, scripts, executables) is refused.
"""

from __future__ import annotations

from typing import Final

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
WEBP: Final = "image/webp"
PDF: Final = "application/pdf"

ALLOWED_TYPES: Final[frozenset[str]] = frozenset({JPEG, PNG, WEBP, PDF})
# The longest signature below (WebP: "RIFF", a 4-byte size, "WEBP").
SNIFF_BYTES: Final = 12

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


def sniff(prefix: bytes) -> str | None:
    """The media type of a file that starts with ``prefix``, or None when it is not an allowed kind.

    Args:
        prefix: The first bytes of the file; ``SNIFF_BYTES`` are enough for every allowed kind.

    Returns:
        One of ``ALLOWED_TYPES``, or None.
    """
    if prefix.startswith(b"\xff\xd8\xff"):
        return JPEG
    if prefix.startswith(_PNG_SIGNATURE):
        return PNG
    if len(prefix) >= SNIFF_BYTES and prefix[:4] == b"RIFF" and prefix[8:12] == b"WEBP":
        return WEBP
    if prefix.startswith(b"%PDF-"):
        return PDF
    return None
