"""Short signed, expiring tokens for links (password reset, invitations, OIDC state): HMAC-SHA256
with a key derived from the app secret and the token's purpose, so a token made for one purpose
never verifies for another.

Format: base64url(JSON payload) "." base64url(signature). Payloads are readable, not secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from traceiq_app.settings import get_settings


class BadSignature(ValueError):
    pass


class Expired(BadSignature):
    pass


def derive_key(purpose: str) -> bytes:
    secret = get_settings().secret_key_effective().encode()
    return hmac.new(secret, f"traceiq:{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(purpose: str, payload: dict[str, Any], ttl_seconds: int) -> str:
    body = dict(payload, exp=int(time.time()) + ttl_seconds)
    encoded = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    sig = hmac.new(derive_key(purpose), encoded.encode(), hashlib.sha256).digest()
    return f"{encoded}.{_b64(sig)}"


def unsign(purpose: str, token: str) -> dict[str, Any]:
    try:
        encoded, sig = token.split(".", 1)
        expected = hmac.new(derive_key(purpose), encoded.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(sig)):
            raise BadSignature("invalid link")
        payload = json.loads(_unb64(encoded))
    except (ValueError, TypeError) as exc:
        if isinstance(exc, BadSignature):
            raise
        raise BadSignature("invalid link") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise BadSignature("invalid link")
    if payload["exp"] < time.time():
        raise Expired("this link has expired")
    return payload
