"""Fixtures of the /api/v1 tests: a migrated SQLite database per test (copied from one template),
the session's real redis-server (emptied per test), Acme/Globex personas (tests/factories.py)
and API tokens for them; requests go through `create_api()` with FastAPI's TestClient.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from tests.factories import Personas, make_personas
from tests.support.processes import RedisServer
from tests.support.webapp import app_db, pytest_runtest_makereport, worker  # noqa: F401 - the end-to-end test's fixtures

SECRET = "api-tests-secret-key-0123456789abcdef"


@pytest.fixture(scope="session")
def api_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from traceiq_app.services.platform.migrations import upgrade_to_head

    path = tmp_path_factory.mktemp("api-template") / "traceiq.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@dataclass
class Api:
    client: Any  # fastapi.testclient.TestClient
    p: Personas
    redis: RedisServer

    def session(self) -> Session:
        from traceiq_app.db import get_engine

        return Session(get_engine(), expire_on_commit=False)

    def token(self, who: str = "alice", scopes: tuple[str, ...] = ("read", "run", "write"),
              project_id: uuid.UUID | None = None) -> dict[str, str]:
        """`Authorization` header of a new token of alice/bob (Acme) or charlie (Globex)."""
        from traceiq_app.services.accounts.tokens import create_token

        user = getattr(self.p, who)
        org = self.p.globex if who == "charlie" else self.p.acme
        with self.session() as s:
            raw, _row = create_token(s, user=user, org_id=org.id, name=f"{who}-ci", scopes=list(scopes),
                                     project_id=project_id)
            s.commit()
        return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api(redis_server: RedisServer, api_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api
    from traceiq_app.db import get_engine
    from traceiq_app.services.platform.storage import get_storage
    from traceiq_app.settings import reset_settings_cache

    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(api_template, data / "traceiq.db")
    for name in ("REDIS_URL", "DATABASE_URL", "TRACEIQ_DATA_DIR", "TRACEIQ_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{data / 'traceiq.db'}")
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(data))
    monkeypatch.setenv("TRACEIQ_SECRET_KEY", SECRET)
    reset_settings_cache()
    get_storage.cache_clear()
    redis_server.client().flushall()
    with Session(get_engine(), expire_on_commit=False) as s:
        personas = make_personas(s)
        s.commit()
    with TestClient(create_api(), base_url="http://testserver") as client:
        yield Api(client, personas, redis_server)
    get_engine().dispose()
    reset_settings_cache()
    get_storage.cache_clear()


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the API's error envelope with this status (and code)."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    if code is not None:
        assert body["error"]["code"] == code, body
    assert "Traceback" not in response.text
    return dict(body["error"])


NAV = {"action": "goto", "url": "https://shop.test/"}


def native(name: str = "Checkout", *, steps: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"version": 1, "name": name, "steps": steps or [NAV], **extra}
