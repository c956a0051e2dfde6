"""`traceiq admin create-user` / `create-token` as an operator runs them: a real subprocess,
against a fresh SQLite file and a throwaway Postgres database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.accounts.conftest import cli_env

TRACEIQ = str(Path(sys.executable).parent / "traceiq")


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRACEIQ, *args], env=env, capture_output=True, text=True, timeout=120)


def test_it_creates_owner_member_and_token_via_cli(tmp_path: Path, any_db_url: str) -> None:
    (tmp_path / "data").mkdir(exist_ok=True)
    env = cli_env(tmp_path, any_db_url)
    migrate = _run(env, "migrate")
    assert migrate.returncode == 0, migrate.stderr

    first = _run(env, "admin", "create-user", "--email", "Alice@Acme.test", "--password", "correct horse battery")
    assert first.returncode == 0, first.stderr
    assert "created user alice@acme.test (owner of organization 'Acme')" in first.stdout

    second = _run(env, "admin", "create-user", "--email", "bob@acme.test", "--password", "another long pass")
    assert second.returncode == 0, second.stderr
    assert "(member of organization 'Acme')" in second.stdout

    other = _run(env, "admin", "create-user", "--email", "carol@x.test", "--password", "yet another pass",
                 "--org", "Globex Corp")
    assert "(owner of organization 'Globex Corp')" in other.stdout

    dup = _run(env, "admin", "create-user", "--email", "ALICE@acme.test", "--password", "correct horse battery")
    assert dup.returncode == 2
    assert "already exists" in dup.stderr

    weak = _run(env, "admin", "create-user", "--email", "dave@acme.test", "--password", "short")
    assert weak.returncode == 2 and "at least 10 characters" in weak.stderr

    bad = _run(env, "admin", "create-user", "--email", "not-an-email", "--password", "long enough pass")
    assert bad.returncode == 2 and "not a valid email" in bad.stderr

    tok = _run(env, "admin", "create-token", "--email", "alice@acme.test", "--name", "ci", "--expires-days", "30")
    assert tok.returncode == 0, tok.stderr
    token = tok.stdout.strip()
    assert token.startswith("tiq_") and len(token.split("_")[1]) == 8

    unknown = _run(env, "admin", "create-token", "--email", "nobody@acme.test", "--name", "ci")
    assert unknown.returncode == 2 and "no active user" in unknown.stderr
    no_project = _run(env, "admin", "create-token", "--email", "alice@acme.test", "--name", "ci",
                      "--project", "does-not-exist")
    assert no_project.returncode == 2 and "no project" in no_project.stderr

    engine = sa.create_engine(any_db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            hashes = dict(conn.execute(sa.text("SELECT email, password_hash FROM users")).all())
            tokens = conn.execute(sa.text("SELECT prefix, token_hash, scopes FROM api_tokens")).all()
            actions = [r[0] for r in conn.execute(sa.text("SELECT action FROM audit_log ORDER BY created_at"))]
    finally:
        engine.dispose()
    assert hashes["alice@acme.test"].startswith("$argon2id$")
    assert "correct horse" not in hashes["alice@acme.test"]
    assert len(tokens) == 1
    prefix, token_hash, _scopes = tokens[0]
    assert token.startswith(prefix + "_") and token not in token_hash
    assert actions.count("user.create") == 3 and actions.count("token.create") == 1
