"""Environment secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256, authenticated) with a key
derived (HKDF-SHA256) from `get_settings().secret_key_effective()`.

Rules: encrypt on save (`encrypt_secrets`), decrypt only where a run needs the values
(`decrypt_secrets`, worker side), never send a value back to the browser or API after saving
(`mask_secrets` for display), and mask values out of any text shown to users (`mask_text`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from traceiq_app.settings import get_settings

MASK = "••••••••"


class SecretsDecryptError(RuntimeError):
    """Ciphertext does not open with the current key (TRACEIQ_SECRET_KEY changed?)."""


def _fernet(secret_key: str | None = None) -> Fernet:
    key_material = (secret_key or get_settings().secret_key_effective()).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"traceiq-secrets-v1",
               info=b"environment secrets").derive(key_material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secrets(values: Mapping[str, str], *, secret_key: str | None = None) -> str | None:
    """The ciphertext of {name: value} (None for no secrets)."""
    if not values:
        return None
    clean = {str(k): str(v) for k, v in values.items()}
    return _fernet(secret_key).encrypt(json.dumps(clean, sort_keys=True).encode()).decode()


def decrypt_secrets(ciphertext: str | None, *, secret_key: str | None = None) -> dict[str, str]:
    if not ciphertext:
        return {}
    try:
        data = json.loads(_fernet(secret_key).decrypt(ciphertext.encode()))
    except InvalidToken:
        raise SecretsDecryptError(
            "stored secrets cannot be decrypted with the current TRACEIQ_SECRET_KEY; re-enter them"
        ) from None
    return {str(k): str(v) for k, v in data.items()}


def mask_secrets(names: Iterable[str]) -> dict[str, str]:
    """What a page/API shows for saved secrets: every name, no value."""
    return {name: MASK for name in names}


def mask_value(value: str) -> str:
    return MASK if value else ""


def mask_text(text: str, secret_values: Iterable[str]) -> str:
    """Replace every occurrence of a secret value (longest first) with the mask."""
    for value in sorted({v for v in secret_values if v and len(v) >= 3}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
