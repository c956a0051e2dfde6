"""Standard Webhooks signatures (https://www.standardwebhooks.com/): secrets are `whsec_` +
base64 of at least 24 random bytes; the signature is `v1,` + base64(HMAC-SHA256(secret bytes,
"{webhook-id}.{webhook-timestamp}.{body}")), and `webhook-signature` lists one per active
secret, space-separated, so a receiver keeps working while a secret is rotated."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    raw = secret[len(PREFIX):] if secret.startswith(PREFIX) else secret
    key = base64.b64decode(raw)
    if len(key) < 24:
        raise ValueError("webhook secrets must have at least 24 bytes")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets_: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_),
    }
