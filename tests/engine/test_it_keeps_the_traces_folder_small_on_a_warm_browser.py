"""A warm browser (a worker's, kept across tests) does not pile up trace chunks and screencast
frames: Playwright keeps every traced test's raw files until the browser closes, passed tests
included; the engine deletes them as each trace ends. 50 tests, the folder stays flat."""

from __future__ import annotations

from pathlib import Path

from traceiq_app.engine.browser import traces_dir_of
from traceiq_app.engine.results import RunOptions


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_it_keeps_the_traces_folder_flat_over_50_tests(run, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    steps = [{"action": "click", "target": {"css": "#user"}}, {"action": "fill", "target": {"css": "#user"}, "value": "x"}]
    sizes = []
    for i in range(50):
        kept = "on" if i % 2 else "failures"  # kept traces and discarded ones
        result = run(steps, options=RunOptions(artifacts_dir=tmp_path / f"a{i}", trace=kept))
        assert result.status == "passed", result
        folder = traces_dir_of(engine._pool.get("chromium"))
        assert folder is not None and folder.is_dir()
        sizes.append(_size(folder))
    assert max(sizes) < 64 * 1024, sizes  # nothing of finished tests is left behind
    assert any((tmp_path / "a1").rglob("trace.zip")), "kept traces are still saved"
