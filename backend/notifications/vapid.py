"""The server's VAPID key pair (RFC 8292): from the environment, or made once under the data directory.

Every process that sends pushes (the app's workers, ``rasd worker``) must sign with the same key the
browsers subscribed with, so the key is either given to all of them (``RASD_VAPID_PRIVATE_KEY``) or
kept in ``<data_dir>/vapid_private.pem`` (mode 0600), created atomically by whichever starts first.
Changing the key silently orphans every subscription: push services answer 401/403 to the new one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid  # type: ignore[import-untyped]  # no stubs (pywebpush depends on it)

from backend.settings import Settings

KEY_FILE = "vapid_private.pem"


def b64url(data: bytes) -> str:
    """Unpadded URL-safe base64, the encoding of every key in the Push API."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode URL-safe base64 with or without padding. Raises ``ValueError`` on anything else."""
    cleaned = text.strip()
    if not cleaned or any(c not in _B64URL for c in cleaned.rstrip("=")):
        raise ValueError("not URL-safe base64")
    try:
        return base64.urlsafe_b64decode(cleaned.rstrip("=") + "=" * (-len(cleaned.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not URL-safe base64") from exc


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class VapidKeys:
    """The private key (to sign) and its public point (what browsers subscribe with)."""

    private_key: ec.EllipticCurvePrivateKey
    subject: str

    @property
    def public_key(self) -> str:
        """The uncompressed P-256 point (65 bytes, 0x04 ‖ X ‖ Y), URL-safe base64 without padding."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def signer(self) -> Any:
        """A py_vapid signer for pywebpush (``Vapid02``: ``Authorization: vapid t=…, k=…``)."""
        return Vapid(self.private_key)


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM, or from URL-safe base64 of its raw 32 bytes or of its DER."""
    text = text.strip().replace("\\n", "\n")
    if "-----BEGIN" in text:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        raw = b64url_decode(text)
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("a VAPID key must be an EC P-256 private key")
    return key


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _key_from_file(path: Path) -> ec.EllipticCurvePrivateKey:
    """Read the key file, creating it on first run. Two processes starting together agree on one key:
    each writes a temporary file and links it into place; the loser reads the winner's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_pem(ec.generate_private_key(ec.SECP256R1())))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return parse_private_key(path.read_text())


def load_vapid_keys(settings: Settings) -> VapidKeys:
    """The key of ``RASD_VAPID_PRIVATE_KEY`` when set, else the one kept under the data directory."""
    if settings.vapid_private_key:
        key = parse_private_key(settings.vapid_private_key)
    else:
        key = _key_from_file(settings.data_dir / KEY_FILE)
    return VapidKeys(private_key=key, subject=settings.vapid_subject)
