"""Scale-out, tried as an operator would, on one machine: a fresh Postgres database (created on
127.0.0.1:5432, dropped after), a redis-server of the test's own on a free TCP port (not the
shared 6379), an S3-compatible server (moto_server), a web node started with TRACEIQ_WORKERS=0
(it migrates the empty database; the real app, `reflex run --env prod`) and two `traceiq worker`
processes, each with its own data folder and working directory (no shared disk).

A run of several tests is started through the web node's API with a token; one worker is
SIGKILLed (with its browser) while it runs a test; the other worker's reaper marks that attempt
lost and the retry runs on the survivor, so the run completes. Every artifact row points at an
object in the bucket, and no node's local artifact folder holds a file."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
import sqlalchemy as sa
from minio import Minio

from tests.runs.conftest import FAST_SETTINGS, PG_ADMIN_URL, goto, quick_steps, wait_ms
from tests.support.processes import base_env, free_port, moto_server, wait_until
from traceiq_app.processes.supervisor import die_with_parent

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scaleout")]

BIN = Path(sys.executable).parent
SECRET = "scaleout-secret-key-0123456789abcdef0123456789"


def _postgres_answers() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 2})
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An EMPTY database: the web node migrates it (only the web node migrates)."""
    if not _postgres_answers():
        pytest.skip(f"no Postgres at {PG_ADMIN_URL}")
    from sqlalchemy.engine import make_url

    name = f"traceiq_so_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    from traceiq_app.db import _engine_for

    _engine_for.cache_clear()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    process = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--dir", str(folder), "--save", "", "--appendonly", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
    url = f"redis://127.0.0.1:{port}/0"

    def pings() -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_connect_timeout=0.2).ping())
        except (redis.RedisError, OSError):
            return False

    wait_until(pings, 10, what="redis-server")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def s3_endpoint(tmp_path: Path) -> Iterator[str]:
    with moto_server(tmp_path) as endpoint:
        yield endpoint


@dataclass
class WorkerNode:
    name: str
    folder: Path
    process: subprocess.Popen[bytes]

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def log(self) -> str:
        path = self.folder / "worker.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill_tree(self) -> None:
        import psutil

        children = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGKILL)
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_tree()


def _start_worker(root: Path, label: str, env: dict[str, str]) -> WorkerNode:
    folder = root / label
    (folder / "data").mkdir(parents=True)
    with open(folder / "worker.log", "wb") as out:
        process = subprocess.Popen([str(BIN / "traceiq"), "worker", "--name-suffix", label], cwd=folder,
                                   env=base_env(**env, TRACEIQ_DATA_DIR=str(folder / "data"), PYTHONUNBUFFERED="1"),
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   preexec_fn=die_with_parent)
    import socket

    return WorkerNode(f"{socket.gethostname()}.{process.pid}.{label}", folder, process)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_run_survives_a_killed_worker_with_artifacts_only_in_s3(  # type: ignore[no-untyped-def]
        pg_url, redis_url, s3_endpoint, site_url, tmp_path, monkeypatch) -> None:
    from tests.support.app_server import AppServer

    bucket = f"tiq-so-{uuid.uuid4().hex[:8]}"
    shared = {"DATABASE_URL": pg_url, "REDIS_URL": redis_url, "S3_ENDPOINT": s3_endpoint,
              "S3_ACCESS_KEY": "testing", "S3_SECRET_KEY": "testing", "S3_BUCKET": bucket,
              "S3_REGION": "us-east-1", "TRACEIQ_SECRET_KEY": SECRET, "TRACEIQ_RUN_TRACE": "on", **FAST_SETTINGS}
    web = AppServer(env={**shared, "TRACEIQ_WEB_PROCESSES": "1"}, workers=0)
    workers: list[WorkerNode] = []
    try:
        assert httpx.get(web.url + "/api/health/live", timeout=10).status_code == 200
        workers = [_start_worker(tmp_path, label, shared) for label in ("node-a", "node-b")]

        # This process talks to the same database (the web node has migrated it) to seed data.
        for key, value in shared.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("TRACEIQ_DATA_DIR", str(tmp_path / "seeder"))
        from tests.runs.conftest import _reset_caches
        from traceiq_app.db import _engine_for

        _engine_for.cache_clear()
        _reset_caches()
        project_id, token = _seed(site_url)

        from rq import Worker

        connection = redis.Redis.from_url(redis_url)

        def both_ready() -> bool:
            for node in workers:
                if node.process.poll() is not None:
                    raise AssertionError(f"{node.name} exited:\n{node.log()[-3000:]}")
            names = {w.name for w in Worker.all(connection=connection)}
            return all(node.name in names for node in workers)

        wait_until(both_ready, 90, interval=0.2, what="both workers to register")

        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=web.url, headers=auth, timeout=30) as client:
            started = client.post(f"/api/v1/projects/{project_id}/runs",
                                  json={"browsers": ["chromium"], "retries": 1, "parallelism": 2})
            assert started.status_code == 202, started.text
            run_id = started.json()["id"]

            def victim_running() -> str | None:
                first = _attempts(run_id).get(("victim", 1))
                return first["worker_id"] if first and first["status"] == "running" and first["worker_id"] else None

            worker_id = wait_until(victim_running, 90, interval=0.2, what="the victim test to start")
            time.sleep(1.0)  # inside its long step
            doomed = next(n for n in workers if n.name == worker_id)
            survivor = next(n for n in workers if n is not doomed)
            doomed.kill_tree()

            def finished() -> dict | None:  # type: ignore[type-arg]
                body = client.get(f"/api/v1/runs/{run_id}").json()
                return body if body["status"] not in ("queued", "running") else None

            done = wait_until(finished, 120, interval=0.5, what="the run to finish after the kill")
            assert isinstance(done, dict)
            assert done["status"] == "passed", done
            attempts = _attempts(run_id)
            lost = attempts[("victim", 1)]
            assert lost["status"] == "error" and "worker lost" in (lost["error"] or ""), lost
            assert attempts[("victim", 2)]["worker_id"] == survivor.name
            assert attempts[("victim", 2)]["status"] == "flaky"
            assert {name for name, _attempt in attempts} == {"victim", "home", "next", "third"}

        keys = _artifact_keys(run_id)
        assert keys, "traces and screenshots should have been stored"
        minio = Minio(s3_endpoint.removeprefix("http://"), access_key="testing", secret_key="testing",
                      secure=False, region="us-east-1")
        in_bucket = {o.object_name for o in minio.list_objects(bucket, recursive=True)}
        assert set(keys) <= in_bucket, f"missing from S3: {set(keys) - in_bucket}"
        for folder in (web.data_dir, *(n.data_dir for n in workers)):
            assert not _files(folder / "artifacts"), f"local artifacts under {folder}: {_files(folder / 'artifacts')}"
    finally:
        for node in workers:
            node.stop()
        web.stop()
        web.cleanup()
        from traceiq_app.db import get_engine

        get_engine().dispose()


def _seed(site_url: str) -> tuple[uuid.UUID, str]:
    from tests.factories import add_org_member, make_org, make_project, make_test_case, make_user
    from traceiq_app.db import session_scope
    from traceiq_app.models import OrgRole
    from traceiq_app.services.accounts.tokens import create_token

    with session_scope() as s:
        org = make_org(s, "Acme")
        alice = make_user(s, "alice@acme.test")
        add_org_member(s, org, alice, OrgRole.owner)
        project = make_project(s, org, "Shop", owner=alice,
                               settings={"base_url": site_url, "step_timeout_ms": 4000})
        victim = make_test_case(s, project, "victim", steps=[goto("/index.html"), wait_ms(8_000),
                                                              goto("/next.html")])
        victim.position = 0
        for position, name in enumerate(("home", "next", "third"), start=1):
            case = make_test_case(s, project, name, steps=[*quick_steps(),
                                                           {"action": "screenshot", "label": name}])
            case.position = position
        token, _row = create_token(s, user=alice, org_id=org.id, name="ci", scopes=["read", "run"])
        return project.id, token


def _attempts(run_id: str) -> dict[tuple[str, int], dict]:  # type: ignore[type-arg]
    from sqlmodel import select

    from traceiq_app.db import session_scope
    from traceiq_app.models import TestResult

    with session_scope() as s:
        rows = s.exec(select(TestResult).where(TestResult.run_id == uuid.UUID(run_id))).all()
        return {(r.test_name, r.attempt): {"status": str(r.status), "error": r.error, "worker_id": r.worker_id}
                for r in rows}


def _artifact_keys(run_id: str) -> list[str]:
    from sqlmodel import select

    from traceiq_app.db import session_scope
    from traceiq_app.models import Artifact

    with session_scope() as s:
        return list(s.exec(select(Artifact.storage_key).where(Artifact.run_id == uuid.UUID(run_id))).all())

