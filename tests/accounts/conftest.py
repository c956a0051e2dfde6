"""Fixtures for account/auth tests.

`acct_db` points the app's settings at a fresh migrated database (SQLite file, or a throwaway
Postgres database with the `postgres` param) for in-process service tests; `personas` fills it
with tests.factories' cast. `app_server` is ONE real app (prod build) shared by the session.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.db.conftest import _require_postgres, pg_url  # noqa: F401 - re-exported fixture
from tests.factories import Personas, make_personas
from tests.support.database import use_database
from traceiq_app.db import get_engine
from traceiq_app.settings import reset_settings_cache


@pytest.fixture
def sqlite_db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'traceiq.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        (tmp_path / "data").mkdir(exist_ok=True)
        return f"sqlite:///{tmp_path / 'data' / 'traceiq.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def acct_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_db_url: str) -> Iterator[str]:
    """A migrated SQLite database that the services use (through get_settings())."""
    (tmp_path / "data").mkdir(exist_ok=True)
    use_database(monkeypatch, tmp_path, sqlite_db_url)
    yield sqlite_db_url
    get_engine().dispose()
    reset_settings_cache()


@pytest.fixture
def acct_db_any(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, any_db_url: str) -> Iterator[str]:
    """Like acct_db, on SQLite and on Postgres."""
    use_database(monkeypatch, tmp_path, any_db_url)
    yield any_db_url
    get_engine().dispose()
    reset_settings_cache()


@pytest.fixture
def personas(acct_db: str) -> Personas:
    with Session(get_engine(), expire_on_commit=False) as s:
        cast = make_personas(s)
        s.commit()
    return cast


@pytest.fixture
def redis_url(redis_server) -> str:  # type: ignore[no-untyped-def]
    return str(redis_server.url)


def cli_env(tmp_path: Path, db_url: str, **extra: str) -> dict[str, str]:
    from tests.support.processes import base_env

    return base_env(TRACEIQ_DATA_DIR=str(tmp_path / "data"), DATABASE_URL=db_url, **extra)



@pytest.fixture
def with_redis(monkeypatch: pytest.MonkeyPatch, redis_server, acct_db: str) -> str:  # type: ignore[no-untyped-def]
    """acct_db plus a private Redis (rate-limit counters) through REDIS_URL."""
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    reset_settings_cache()
    return str(redis_server.url)


PASSWORD = "correct horse battery"
ORIGIN = "http://testserver"


@pytest.fixture
def api(with_redis: str):  # type: ignore[no-untyped-def]
    """An in-process client of the /api app (same middleware and handlers as the real app)."""
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api

    with TestClient(create_api(), base_url=ORIGIN) as client:
        yield client


def set_password(email: str, password: str = PASSWORD) -> None:
    from sqlmodel import select

    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts.passwords import hash_password

    with session_scope() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        user.password_hash = hash_password(password)


def login(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/login", json={"email": email, "password": password}, headers={"Origin": ORIGIN})


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests hash with tiny argon2 parameters (same algorithm, far less CPU)."""
    from argon2 import PasswordHasher

    from traceiq_app.services.accounts import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(passwords, "_dummy", [])


# --- the real running app (tests/conftest.py's session `app_server`) ---------------------------


class LiveApp:
    """The shared running app plus direct access to its database, for seeding and checking.
    Each test seeds its own uniquely named orgs/users (the app is shared with other tests)."""

    def __init__(self, server) -> None:  # type: ignore[no-untyped-def]
        self.server = server
        self.url = server.url
        self.db_url = f"sqlite:///{(server.data_dir / 'traceiq.db').resolve()}"
        # The app creates data/secret.key on first use; whoever comes first creates it (O_EXCL),
        # the other reads it, so both sides share one key.
        from traceiq_app.settings import Settings

        self.secret_key = Settings(TRACEIQ_DATA_DIR=server.data_dir).secret_key_effective()


@pytest.fixture
def live(app_server, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Point this test process's services at the running app's database, secret key and Redis,
    so sessions/tokens made here are valid there. Prints the app's log when the test fails."""
    app = LiveApp(app_server)
    monkeypatch.setenv("DATABASE_URL", app.db_url)
    monkeypatch.setenv("TRACEIQ_SECRET_KEY", app.secret_key)
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(app_server.data_dir))
    if getattr(app_server, "redis", None) is not None:
        monkeypatch.setenv("REDIS_URL", app_server.redis.url)
    reset_settings_cache()
    yield app
    get_engine().dispose()
    reset_settings_cache()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(app_server.logs()[-8000:])


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@dataclass
class LiveCast:
    suffix: str
    acme_id: uuid.UUID
    globex_id: uuid.UUID
    project_id: uuid.UUID
    alice: str
    bob: str
    charlie: str
    alice_id: uuid.UUID
    bob_id: uuid.UUID
    charlie_id: uuid.UUID


def seed_live_cast(password_hash: str | None = None) -> LiveCast:
    """alice (owner of Acme-x + project), bob (member, editor), charlie (owner of Globex-x)."""
    from tests.factories import add_org_member, add_project_member, make_org, make_project, make_user
    from traceiq_app.db import session_scope
    from traceiq_app.models import OrgRole, ProjectRole

    sfx = uuid.uuid4().hex[:8]
    with session_scope() as s:
        acme = make_org(s, f"Acme {sfx}")
        globex = make_org(s, f"Globex {sfx}")
        kw = {"password_hash": password_hash} if password_hash else {}
        alice = make_user(s, f"alice-{sfx}@acme.test", display_name="Alice", **kw)
        bob = make_user(s, f"bob-{sfx}@acme.test", display_name="Bob", **kw)
        charlie = make_user(s, f"charlie-{sfx}@globex.test", display_name="Charlie", **kw)
        add_org_member(s, acme, alice, OrgRole.owner)
        add_org_member(s, acme, bob, OrgRole.member)
        add_org_member(s, globex, charlie, OrgRole.owner)
        project = make_project(s, acme, f"Web shop {sfx}", owner=alice)
        add_project_member(s, project, bob, ProjectRole.editor)
        make_project(s, globex, f"Portal {sfx}", owner=charlie)
        return LiveCast(sfx, acme.id, globex.id, project.id, alice.email, bob.email, charlie.email,
                        alice.id, bob.id, charlie.id)
