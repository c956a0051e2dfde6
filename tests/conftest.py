"""Shared fixtures. Feature-specific fixtures live next to their tests (tests/<area>/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import RedisServer


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    # Unix sockets have a ~107 byte path limit; pytest's tmp paths can be long.
    directory = Path(os.environ.get("TMPDIR", "/tmp")) / f"tiq-redis-{os.getpid()}-{os.urandom(3).hex()}"
    server = RedisServer(directory).start()
    yield server
    server.stop()
