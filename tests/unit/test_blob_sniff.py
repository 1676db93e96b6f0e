"""The type of a blob comes from its magic bytes, never from what the client says."""

from __future__ import annotations

import pytest

from backend.blobs.sniff import ALLOWED_TYPES, SNIFF_BYTES, sniff


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"),
        (b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00", "image/jpeg"),  # a phone camera's EXIF JPEG
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3", "application/pdf"),
    ],
)
def test_allowed_kinds_are_recognised(prefix: bytes, expected: str) -> None:
    assert sniff(prefix[:SNIFF_BYTES]) == expected
    assert expected in ALLOWED_TYPES


@pytest.mark.parametrize(
    "prefix",
    [
        b"",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00",  # Windows executable
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00",  # Linux executable
        b"<!DOCTYPE html>",
        b"<html><body>",
        b"<?xml version='1.0'?><svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'>",
        b"GIF89a\x01\x00\x01\x00\x00\x00",  # an image, but not one we accept
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF that is not WebP
        b"RIFF\x24\x00\x00",  # too short to tell
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00",  # zip (docx, apk, …)
        b" %PDF-1.4",  # the signature must be at the very start
        b"\xff\xd8",  # a truncated JPEG marker
        b"\x89PNG\r\n\x1a",  # a truncated PNG signature
    ],
)
def test_anything_else_is_refused(prefix: bytes) -> None:
    assert sniff(prefix) is None


def test_the_sniffed_prefix_is_enough_for_every_kind() -> None:
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 "
    assert len(webp[:SNIFF_BYTES]) == SNIFF_BYTES
    assert sniff(webp[: SNIFF_BYTES - 1]) is None
