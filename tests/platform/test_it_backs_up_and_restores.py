"""`traceiq backup` during a running run, then `traceiq restore` into a fresh data folder (SQLite)
or a fresh Postgres database: the restored installation holds the same runs, tests, artifacts and
secrets; restore refuses a non-empty target, a damaged file and a newer schema."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
import zstandard
from sqlmodel import Session, select

from tests.runs.conftest import PG_ADMIN_URL, _drop_pg_database, goto, quick_steps, wait_ms
from traceiq_app.models import Artifact, Environment, Run, TestCase, TestResult
from traceiq_app.services.platform.secrets_crypto import decrypt_secrets, encrypt_secrets
from traceiq_app.services.platform.storage import LocalStorage
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import start_run

TRACEIQ = str(Path(os.sys.executable).parent / "traceiq")  # type: ignore[attr-defined]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRACEIQ, *args], env=env, capture_output=True, text=True, timeout=180)


def _empty_pg_database() -> tuple[str, str]:
    name = f"traceiq_restore_{os.urandom(6).hex()}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _snapshot(url: str) -> dict[str, object]:
    engine = sa.create_engine(url)
    with Session(engine) as s:
        out = {
            "runs": sorted(str(r.id) for r in s.exec(select(Run))),
            "tests": sorted(t.name for t in s.exec(select(TestCase))),
            "status": {r.test_name: str(r.status) for r in s.exec(select(TestResult))},
            "artifacts": sorted((a.storage_key, a.size_bytes) for a in s.exec(select(Artifact))),
            "secrets": [e.secrets_encrypted for e in s.exec(select(Environment))],
        }
    engine.dispose()
    return out


@pytest.fixture(params=["sqlite", "postgres"])
def db_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "postgres":
        monkeypatch.setenv("TRACEIQ_TEST_RUNS_DB", "postgres")
    else:
        monkeypatch.delenv("TRACEIQ_TEST_RUNS_DB", raising=False)
    return str(request.param)


def test_it_restores_a_backup_taken_during_a_run(db_kind, request, tmp_path):  # type: ignore[no-untyped-def]
    stack = request.getfixturevalue("stack")
    site_url = request.getfixturevalue("site_url")
    project = stack.project(site_url)
    stack.test_case(project, "shot", [goto("/index.html"), {"action": "screenshot", "label": "home"}])
    stack.test_case(project, "slow", [goto("/index.html"), wait_ms(15_000), *quick_steps()], position=1)
    with stack.session() as s:
        env = s.get(Environment, stack.environment(project, base_url=site_url).id)
        env.secrets_encrypted = encrypt_secrets({"API_KEY": "s3cr3t-value"})
        env.secret_names = ["API_KEY"]
        s.add(env)
        s.commit()
    stack.start_worker()
    run = start_run(project.id)

    def slow_in_wait() -> bool:
        events = live_events.read_events(run.id)
        return any(e.type == live_events.STEP_STARTED and e.data.get("index") == 1 for e in events) and any(
            e.type == live_events.TEST_FINISHED for e in events)

    stack.wait_for(slow_in_wait, timeout=60, what="one test finished and the slow one mid-run")
    archive = tmp_path / "backup.tar.zst"
    made = _cli(stack.env, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert "backup written" in made.stdout
    stack.wait_run(run.id, timeout=120)
    with stack.session() as s:
        assert s.get(Run, run.id).status in ("running", "passed", "failed")
    before = _snapshot(stack.db_url)

    # A fresh installation: new data folder, new database (empty), no TRACEIQ_SECRET_KEY.
    fresh_dir = tmp_path / "restored"
    pg_name = None
    if db_kind == "postgres":
        pg_name, fresh_url = _empty_pg_database()
    else:
        fresh_url = f"sqlite:///{fresh_dir / 'traceiq.db'}"
    try:
        env = {k: v for k, v in stack.env.items() if k not in ("TRACEIQ_SECRET_KEY",)}
        env.update(DATABASE_URL=fresh_url, TRACEIQ_DATA_DIR=str(fresh_dir))
        done = _cli(env, "restore", str(archive))
        assert done.returncode == 0, done.stderr
        after = _snapshot(fresh_url)
        # Everything that had finished when the backup was taken is there, byte for byte.
        assert after["runs"] == before["runs"] == [str(run.id)]
        assert after["tests"] == before["tests"] == ["shot", "slow"]
        # The snapshot is of the moment of the backup: "shot" had passed, "slow" was running.
        assert after["status"] == {"shot": "passed", "slow": "running"}, after["status"]
        assert before["status"] == {"shot": "passed", "slow": "passed"}, before["status"]
        assert after["artifacts"], "the screenshot of the finished test is in the backup"
        restored = LocalStorage(fresh_dir / "artifacts")
        original = LocalStorage(stack.data_dir / "artifacts")
        for key, size in after["artifacts"]:  # type: ignore[misc]
            assert restored.get_bytes(key) == original.get_bytes(key)
            assert restored.size(key) == size
        key = (fresh_dir / "secret.key").read_text()
        assert (fresh_dir / "secret.key").stat().st_mode & 0o777 == 0o600
        assert decrypt_secrets(after["secrets"][0], secret_key=key) == {"API_KEY": "s3cr3t-value"}  # type: ignore[index]

        again = _cli(env, "restore", str(archive))
        assert again.returncode == 2 and "not empty" in again.stderr and "Traceback" not in again.stderr
    finally:
        if pg_name:
            _drop_pg_database(pg_name)


def _repack(archive: Path, out: Path, edit) -> None:  # type: ignore[no-untyped-def]
    members: dict[str, bytes] = {}
    with open(archive, "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as zst, \
            tarfile.open(fileobj=zst, mode="r|") as tar:
        for member in tar:
            handle = tar.extractfile(member)
            if handle is not None:
                members[member.name] = handle.read()
    edit(members)
    with open(out, "wb") as raw, zstandard.ZstdCompressor().stream_writer(raw) as zst, \
            tarfile.open(fileobj=zst, mode="w|") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_it_refuses_damaged_newer_and_foreign_backups(tmp_path: Path) -> None:
    from tests.support.processes import base_env

    source = tmp_path / "source"
    env = base_env(TRACEIQ_DATA_DIR=str(source), DATABASE_URL=f"sqlite:///{source / 'traceiq.db'}")
    env.pop("TRACEIQ_SECRET_KEY", None)
    assert _cli(env, "migrate").returncode == 0
    (source / "artifacts" / "p").mkdir(parents=True)
    (source / "artifacts" / "p" / "a.png").write_bytes(b"\x89PNG fake")
    archive = tmp_path / "ok.tar.zst"
    assert _cli(env, "backup", str(archive)).returncode == 0
    exists = _cli(env, "backup", str(archive))
    assert exists.returncode == 2 and "exists already" in exists.stderr

    def target(name: str) -> dict[str, str]:
        folder = tmp_path / name
        return {**env, "TRACEIQ_DATA_DIR": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'traceiq.db'}"}

    damaged = tmp_path / "damaged.tar.zst"
    _repack(archive, damaged, lambda m: m.__setitem__("artifacts/p/a.png", b"tampered"))
    out = _cli(target("t1"), "restore", str(damaged))
    assert out.returncode == 2 and "damaged" in out.stderr

    def newer(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["schema_revision"] = "9999_from_the_future"
        members["manifest.json"] = json.dumps(manifest).encode()

    future = tmp_path / "future.tar.zst"
    _repack(archive, future, newer)
    out = _cli(target("t2"), "restore", str(future))
    assert out.returncode == 2 and "newer than this TraceIQ knows" in out.stderr

    junk = tmp_path / "junk.tar.zst"
    junk.write_bytes(os.urandom(256))
    out = _cli(target("t3"), "restore", str(junk))
    assert out.returncode == 2 and "not a TraceIQ backup" in out.stderr and "Traceback" not in out.stderr

    ok = _cli(target("t4"), "restore", str(archive))
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "t4" / "artifacts" / "p" / "a.png").read_bytes() == b"\x89PNG fake"
