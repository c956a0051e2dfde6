"""What the two-factor checks add to every authenticated request and protected Reflex event.

    .venv/bin/python bench/bench_auth_checks.py [--n 2000]

On a migrated SQLite database of its own (one org, one user with a session), times side by side:

- baseline: resolving the session cookie (`web_sessions.resolve`, what every request and
  protected event already does);
- + `two_factor.enrolment_required` (what `require_principal` and `AuthGuard` now add), for a
  user in an org that does not require it, one that does and a user who set it up;
- the second sign-in step's code check (`verify_second_factor`, TOTP) and a recovery code check,
  against the password check (argon2, library defaults) the first step already pays.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _time(fn: Callable[[], object], n: int) -> float:
    """Median microseconds per call over 5 rounds of n/5 calls."""
    per_round = max(1, n // 5)
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(per_round):
            fn()
        rounds.append((time.perf_counter() - started) / per_round * 1e6)
    return statistics.median(rounds)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tiq-bench-auth-"))
    (tmp / "data").mkdir()
    url = f"sqlite:///{tmp / 'data' / 'traceiq.db'}"
    os.environ.update(DATABASE_URL=url, TRACEIQ_DATA_DIR=str(tmp / "data"), TRACEIQ_SECRET_KEY="bench-" + "x" * 40)
    os.environ.pop("REDIS_URL", None)

    import pyotp
    from sqlmodel import select

    from traceiq_app.db import session_scope
    from traceiq_app.models import Organization, OrganizationMember, OrgRole, RecoveryCode, User
    from traceiq_app.services.accounts import passwords, two_factor, web_sessions
    from traceiq_app.services.platform.migrations import upgrade_to_head

    upgrade_to_head(url)
    with session_scope() as s:
        org = Organization(name="Acme", slug="acme")
        user = User(email="alice@acme.test", password_hash=passwords.hash_password("correct horse battery"))
        s.add_all([org, user])
        s.flush()
        s.add(OrganizationMember(org_id=org.id, user_id=user.id, role=OrgRole.owner))
        cookie = web_sessions.create_session(s, user)
        uid, oid = user.id, org.id

    def resolve() -> object:
        return web_sessions.resolve(cookie)

    def resolve_and_check() -> object:
        principal = web_sessions.resolve(cookie)
        assert principal is not None
        return two_factor.enrolment_required(principal.user_id)

    n = args.n
    base = _time(resolve, n)
    plain = _time(resolve_and_check, n)
    ttl = two_factor.NOT_REQUIRED_TTL
    two_factor.NOT_REQUIRED_TTL = 0.0  # every call asks the database
    uncached = _time(resolve_and_check, n)
    two_factor.NOT_REQUIRED_TTL = ttl
    with session_scope() as s:
        org_row = s.get(Organization, oid)
        assert org_row is not None
        org_row.require_two_factor = True
    two_factor.forget_cached_answers()
    required = _time(resolve_and_check, n)  # "required" is never remembered
    secret = two_factor.start_enrolment(uid).secret
    codes = two_factor.confirm_enrolment(uid, pyotp.TOTP(secret).at(time.time() - 30))
    enrolled = _time(resolve_and_check, n)

    print(f"per authenticated request / protected event, median of 5 x {n // 5} calls (SQLite):")
    print(f"  {'baseline: resolve the session cookie':58s} {base:8.0f} us   1.00x")
    for label, value in (("+ 2FA check, org does not require it (remembered 5 s)", plain),
                         ("+ 2FA check, org does not require it (no memory)", uncached),
                         ("+ 2FA check, org requires it, user not set up", required),
                         ("+ 2FA check, org requires it, user set up", enrolled)):
        print(f"  {label:58s} {value:8.0f} us   {value / base:.2f}x  (+{value - base:.0f} us)")

    def wrong_totp() -> object:
        with session_scope() as s:
            row = s.get(User, uid)
            assert row is not None
            return two_factor.verify_second_factor(s, row, "000000")

    def recovery_miss() -> object:
        with session_scope() as s:
            row = s.get(User, uid)
            assert row is not None
            return two_factor.verify_second_factor(s, row, "aaaa-bbbb-cccc-dddd")

    stored = passwords.hash_password("correct horse battery")
    argon = _time(lambda: passwords.verify_password(stored, "correct horse battery"), max(20, n // 100))
    totp = _time(wrong_totp, n // 4)
    recovery = _time(recovery_miss, n // 4)
    print("second sign-in step vs the first step's password check:")
    print(f"  {'password check (argon2id, library defaults)':58s} {argon:8.0f} us   1.00x")
    print(f"  {'TOTP code check (3 time steps, DB claim)':58s} {totp:8.0f} us   {totp / argon:.3f}x")
    print(f"  {'recovery code check (TOTP miss + SHA-256 lookup)':58s} {recovery:8.0f} us   {recovery / argon:.3f}x")
    with session_scope() as s:
        left = len(s.exec(select(RecoveryCode.id).where(RecoveryCode.user_id == uid)).all())
    assert left == len(codes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
