"""Point this test process at a fresh, migrated database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from traceiq_app.services.platform.migrations import upgrade_to_head
from traceiq_app.settings import reset_settings_cache


def use_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> None:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(data))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACEIQ_SECRET_KEY", "test-secret-key-" + "x" * 32)
    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_settings_cache()
    upgrade_to_head(url)
