"""Password hashing (argon2id) and the password policy.

`hash_password` / `verify_password` are the only functions that touch password hashes.
`_dummy_hash()` lets sign-in spend the same time on unknown emails as on known ones.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)

_dummy: list[str] = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(_hasher.hash("traceiq-dummy-password-for-timing"))
    return _dummy[0]


class WeakPasswordError(ValueError):
    pass


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Raise WeakPasswordError with a message a user can act on."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"password must be at most {MAX_PASSWORD_LENGTH} characters long")
    if len(set(password)) < 4:
        raise WeakPasswordError("password is too simple: use at least 4 different characters")
    if email and password.strip().lower() == email.strip().lower():
        raise WeakPasswordError("password must not be your email address")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish time: always runs one argon2 verification, even without a stored hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False
