"""Environment secrets: encrypted at rest with a key derived from TRACEIQ_SECRET_KEY, never
readable through the public model, masked in text."""

from __future__ import annotations

import pytest

from traceiq_app.models import Environment, EnvironmentPublic
from traceiq_app.services.platform.secrets_crypto import (
    MASK,
    SecretsDecryptError,
    decrypt_secrets,
    encrypt_secrets,
    mask_secrets,
    mask_text,
)


def test_it_round_trips_and_hides_values(acct_db: str) -> None:
    values = {"PASSWORD": "hunter2-very-secret", "API_KEY": "sk_live_123456"}
    ciphertext = encrypt_secrets(values)
    assert ciphertext and "hunter2" not in ciphertext and "sk_live" not in ciphertext
    assert decrypt_secrets(ciphertext) == values
    assert encrypt_secrets(values) != ciphertext  # random IV: equal inputs look different
    assert encrypt_secrets({}) is None and decrypt_secrets(None) == {}


def test_it_refuses_another_key(acct_db: str) -> None:
    ciphertext = encrypt_secrets({"A": "b"}, secret_key="key-one-" + "x" * 30)
    with pytest.raises(SecretsDecryptError, match="TRACEIQ_SECRET_KEY"):
        decrypt_secrets(ciphertext, secret_key="key-two-" + "x" * 30)
    tampered = ciphertext[:-4] + ("AAAA" if not ciphertext.endswith("AAAA") else "BBBB")  # type: ignore[index]
    with pytest.raises(SecretsDecryptError):
        decrypt_secrets(tampered, secret_key="key-one-" + "x" * 30)


def test_it_masks_for_display(acct_db: str) -> None:
    assert mask_secrets(["PASSWORD"]) == {"PASSWORD": MASK}
    text = "login failed for admin with hunter2-very-secret (hunter2)"
    assert mask_text(text, ["hunter2-very-secret", "hunter2"]) == f"login failed for admin with {MASK} ({MASK})"
    env = Environment(project_id=__import__("uuid").uuid4(), name="staging",
                      secrets_encrypted=encrypt_secrets({"PASSWORD": "hunter2-very-secret"}), secret_names=["PASSWORD"])
    public = EnvironmentPublic.from_row(env).model_dump()
    assert "secrets_encrypted" not in public and "hunter2" not in str(public)
