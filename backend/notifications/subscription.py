"""What a push subscription must look like before the server ever sends to it.

The endpoint is a URL the server will POST to, so it is checked like one: https only, no user
info, and no address on our own networks (loopback, private, link-local) written as a literal. Names
are not resolved here; outbound traffic to push services belongs to the deployment's egress policy.
Plain http to the loopback interface is accepted only when ``push_allow_local_http`` is set (tests
and local development, where the push service is a fake on 127.0.0.1).

The keys are those of RFC 8291: ``p256dh`` the browser's P-256 public key as an uncompressed point
(65 bytes), ``auth`` a 16-byte secret, both URL-safe base64 (with or without padding).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from backend.errors import Invalid
from backend.notifications.vapid import b64url, b64url_decode

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True, slots=True)
class CheckedSubscription:
    endpoint: str
    p256dh: str  # normalized: unpadded URL-safe base64
    auth: str


def _endpoint(url: str, *, allow_local_http: bool) -> str:
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises on a bad port
    except ValueError as exc:
        raise Invalid("endpoint", code="invalid_push_endpoint") from exc
    loopback = host in LOOPBACK_NAMES
    if parts.scheme == "http" and not (allow_local_http and loopback):
        raise Invalid("endpoint", code="invalid_push_endpoint")
    if (
        parts.scheme not in ("https", "http")
        or not host
        or parts.username
        or parts.password
        or parts.fragment
    ):
        raise Invalid("endpoint", code="invalid_push_endpoint")
    if loopback and allow_local_http:
        return url.strip()
    if host == "localhost" or host.endswith(".localhost"):
        raise Invalid("endpoint", code="invalid_push_endpoint")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url.strip()  # a name
    if not address.is_global:
        raise Invalid("endpoint", code="invalid_push_endpoint")
    return url.strip()


def _p256dh(text: str) -> str:
    try:
        point = b64url_decode(text)
        if len(point) != 65 or point[0] != 4:
            raise ValueError("not an uncompressed point")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)  # on the curve
    except ValueError as exc:
        raise Invalid("keys.p256dh", code="invalid_push_key") from exc
    return b64url(point)


def _auth(text: str) -> str:
    try:
        secret = b64url_decode(text)
    except ValueError as exc:
        raise Invalid("keys.auth", code="invalid_push_key") from exc
    if len(secret) != 16:
        raise Invalid("keys.auth", code="invalid_push_key")
    return b64url(secret)


def check_subscription(
    endpoint: str, p256dh: str, auth: str, *, allow_local_http: bool = False
) -> CheckedSubscription:
    """The subscription, normalized; raises ``Invalid`` naming the first bad field."""
    return CheckedSubscription(
        endpoint=_endpoint(endpoint, allow_local_http=allow_local_http),
        p256dh=_p256dh(p256dh),
        auth=_auth(auth),
    )
