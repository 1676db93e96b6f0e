"""A push service on 127.0.0.1 for tests, and a browser's side of Web Push.

:class:`FakePushService` plays FCM or Mozilla's autopush: it takes the POSTs of the server, keeps
them, answers the statuses a test scripted (201 by default), and checks nothing itself. The test then
checks what a real service and a real browser would: the VAPID JWT (RFC 8292) against the server's
public key, and the aes128gcm payload (RFC 8291), decrypted with :class:`Browser`'s own keys.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() on arrival


@dataclass
class FakePushService:
    """``start()`` it, give subscriptions ``endpoint(name)``, script answers with ``answer(name, ...)``."""

    received: list[Received] = field(default_factory=list)
    scripted: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _server: ThreadingHTTPServer | None = None

    def start(self) -> FakePushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                service.received.append(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                        at=time.monotonic(),
                    )
                )
                script = service.scripted.get(self.path.rsplit("/", 1)[-1])
                status = script.pop(0) if script else 201
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def origin(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/wpush/v2/{name}"

    def answer(self, name: str, *statuses: int) -> None:
        """The next answers to POSTs for ``name``, in order; 201 once they are used up."""
        self.scripted[name].extend(statuses)

    def to(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path.endswith(f"/{name}")]

    async def wait_for(self, name: str, count: int = 1, within: float = 10) -> list[Received]:
        """The pushes to ``name`` once there are ``count`` of them (the server sends from this loop)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if len(self.to(name)) >= count:
                return self.to(name)
            await asyncio.sleep(0.01)
        raise AssertionError(f"{len(self.to(name))} pushes to {name} within {within} s, expected {count}")


class Browser:
    """A browser's push subscription: its P-256 key pair and auth secret (what Chrome keeps)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)},
        }

    def decrypt(self, push: Received) -> dict[str, Any]:
        assert push.headers["content-encoding"] == "aes128gcm"
        clear = http_ece.decrypt(
            push.body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(clear)  # type: ignore[no-any-return]


def verify_vapid(push: Received, public_key: str, *, audience: str) -> dict[str, Any]:
    """Check ``Authorization: vapid t=<JWT>, k=<key>`` as a push service does; return the claims."""
    scheme, _, params = push.headers["authorization"].partition(" ")
    assert scheme.lower() == "vapid", push.headers["authorization"]
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    assert parts["k"] == public_key
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    header = json.loads(unb64url(header_b64))
    assert header == {"typ": "JWT", "alg": "ES256"}
    signature = unb64url(signature_b64)
    assert len(signature) == 64  # JOSE: r ‖ s, not DER
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    claims: dict[str, Any] = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600  # RFC 8292: at most 24 hours
    return claims
