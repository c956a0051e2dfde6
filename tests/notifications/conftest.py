"""Fixtures of the notification tests: a migrated SQLite database and a real redis-server per
test, an HTTP receiver on loopback that checks Standard Webhooks signatures with the independent
`standardwebhooks` library (and can fail the first attempts), a real SMTP server (aiosmtpd), and
`drain()`: a real RQ worker in burst mode on the `traceiq-notify` queue."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from tests.factories import make_org, make_project
from tests.support.processes import RedisServer
from tests.support.smtp import Inbox, smtp_inbox
from tests.support.webapp import *  # noqa: F401,F403 - the web app tests' fixtures (browser tests)
from tests.support.webapp import pytest_runtest_makereport  # noqa: F401
from traceiq_app.models import Project
from traceiq_app.settings import reset_settings_cache


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next planned (status, headers, delay) — 204 when the plan is
    empty — and records it; `secret` set: verifies the signature with `standardwebhooks`."""

    url: str = ""
    secret: str | None = None
    plan: list[tuple[int, dict[str, str], float]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_first(self, count: int, status: int = 500, headers: dict[str, str] | None = None) -> None:
        self.plan.extend([(status, headers or {}, 0.0)] * count)

    def verify(self, body: bytes, headers: dict[str, str]) -> bool | None:
        if self.secret is None:
            return None
        from standardwebhooks.webhooks import Webhook

        try:
            Webhook(self.secret).verify(body, headers)
        except Exception:  # noqa: BLE001 - any verification error means "not ok"
            return False
        return True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with rec.lock:
                status, extra, delay = rec.plan.pop(0) if rec.plan else (204, {}, 0.0)
                rec.received.append(Received(self.path, headers, body, rec.verify(body, headers), time.time()))
            if delay:
                time.sleep(delay)
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            reply = b'{"ok": true}' if status < 300 else b"receiver says no"
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch, notify_db: Project) -> Iterator[Inbox]:
    with smtp_inbox(monkeypatch, TRACEIQ_SMTP_FROM="TraceIQ <noreply@traceiq.test>") as box:
        yield box


@pytest.fixture(scope="session")
def migrated_notify_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from traceiq_app.services.platform.migrations import upgrade_to_head

    path = tmp_path_factory.mktemp("template") / "traceiq.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture
def notify_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_notify_template: Path,
              redis_server: RedisServer, request: pytest.FixtureRequest) -> Iterator[Project]:
    """This process on its own database and Redis; private addresses allowed for the loopback
    receiver (the SSRF tests turn it off); returns Acme's project "Web shop".
    TRACEIQ_TEST_NOTIFY_DB=postgres: the same on a throwaway Postgres database."""
    from traceiq_app.db import get_engine

    data = tmp_path / "data"
    data.mkdir()
    if os.environ.get("TRACEIQ_TEST_NOTIFY_DB") == "postgres":
        from traceiq_app.services.platform.migrations import upgrade_to_head

        url = str(request.getfixturevalue("pg_url"))
        upgrade_to_head(url)
    else:
        db = tmp_path / "traceiq.db"
        shutil.copy(migrated_notify_template, db)
        url = f"sqlite:///{db}"
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(data))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACEIQ_SECRET_KEY", "test-secret-key-" + "x" * 32)
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("TRACEIQ_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("TRACEIQ_WEBHOOK_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("TRACEIQ_PUBLIC_URL", "http://traceiq.test")
    reset_settings_cache()
    with Session(get_engine(), expire_on_commit=False) as session:
        org = make_org(session, "Acme")
        project = make_project(session, org, "Web shop")
        session.commit()
    yield project
    get_engine().dispose()
    reset_settings_cache()


def drain(max_rounds: int = 5) -> int:
    """Run the jobs on the notify queue with a real RQ worker (burst mode, in this process)."""
    from rq import Queue, SimpleWorker

    from traceiq_app.redis_conn import NOTIFY_QUEUE, get_redis

    done = 0
    for _ in range(max_rounds):
        queue = Queue(NOTIFY_QUEUE, connection=get_redis())
        if queue.count == 0:
            break
        done += queue.count
        SimpleWorker([queue], connection=get_redis()).work(burst=True, with_scheduler=False, logging_level="WARNING")
    return done
