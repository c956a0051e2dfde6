"""Fixtures for the web app (catalog) tests.

`web_db` points the app's settings at a fresh migrated SQLite database; `web_db_any` does the
same on SQLite AND a throwaway Postgres database (dropped after the test). `personas` fills
it with tests.factories' cast (alice owner, bob editor, charlie outsider).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.db.conftest import pg_url  # noqa: F401 - re-exported fixture
from tests.factories import Personas, make_personas
from tests.support.database import use_database
from traceiq_app.db import get_engine
from traceiq_app.services.permissions import Principal
from traceiq_app.settings import reset_settings_cache


@pytest.fixture
def web_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'data' / 'traceiq.db'}"
    use_database(monkeypatch, tmp_path, url)
    yield url
    get_engine().dispose()
    reset_settings_cache()


@pytest.fixture(params=["sqlite", "postgres"])
def web_db_any(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'traceiq.db'}"
    else:
        url = str(request.getfixturevalue("pg_url"))
    use_database(monkeypatch, tmp_path, url)
    yield url
    get_engine().dispose()
    reset_settings_cache()


def _cast() -> Personas:
    with Session(get_engine(), expire_on_commit=False) as s:
        cast = make_personas(s)
        s.commit()
    return cast


@pytest.fixture
def personas(web_db: str) -> Personas:
    return _cast()


@pytest.fixture
def personas_any(web_db_any: str) -> Personas:
    return _cast()


def principal_of(user) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(user_id=user.id, email=user.email)
