"""A settings read under way in another thread when the environment changes and the cache is
reset is not kept: the next read sees the new environment. (A long-lived thread, such as the
live-events flusher, once stored a previous test's settings after a reset, and a permission
matrix case then opened that test's database.)"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from traceiq_app import settings as settings_module
from traceiq_app.settings import get_settings, reset_settings_cache


def test_it_drops_a_read_that_straddles_a_reset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(old))
    reset_settings_cache()
    real = settings_module.Settings
    read_started, go_on = threading.Event(), threading.Event()

    def slow_settings() -> settings_module.Settings:
        built = real()
        if threading.current_thread().name == "stale-reader":
            read_started.set()
            go_on.wait(10)
        return built

    monkeypatch.setattr(settings_module, "Settings", slow_settings)
    seen: list[Path] = []
    reader = threading.Thread(target=lambda: seen.append(get_settings().data_dir), name="stale-reader")
    reader.start()
    try:
        assert read_started.wait(10)
        monkeypatch.setenv("TRACEIQ_DATA_DIR", str(new))
        reset_settings_cache()
    finally:
        go_on.set()
        reader.join(10)
    assert seen == [old]  # the thread itself got what it read
    assert get_settings().data_dir == new
    assert get_settings() is get_settings()  # and the new read is cached
    reset_settings_cache()


def test_it_reads_once_until_reset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(tmp_path))
    reset_settings_cache()
    first = get_settings()
    assert get_settings() is first
    reset_settings_cache()
    assert get_settings() is not first
    reset_settings_cache()
