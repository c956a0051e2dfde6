"""`traceiq run --wait` shows a redrawn progress bar on a terminal and one plain line per
finished test otherwise (CI logs)."""

from __future__ import annotations

from traceiq_app.cli.remote_run import Progress

EVENTS = [
    ("run.queued", {"total": 2}),
    ("test.started", {"name": "home", "browser": "chromium"}),
    ("test.finished", {"name": "home", "browser": "chromium", "status": "passed", "attempt": 1, "duration_ms": 1500}),
    ("run.progress", {"total": 2, "passed": 1, "failed": 0, "flaky": 0, "errors": 0, "skipped": 0}),
    ("test.finished", {"name": "cart", "browser": "chromium", "status": "failed", "attempt": 1,
                       "error": "expected title 'Cart'\nmore", "duration_ms": 800}),
    ("run.progress", {"total": 2, "passed": 1, "failed": 1, "flaky": 0, "errors": 0, "skipped": 0}),
]


def test_a_bar_on_a_terminal(capsys) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(fancy=True)
    for kind, data in EVENTS:
        progress.event(kind, data)
    progress.close()
    err = capsys.readouterr().err
    frames = [f.rstrip() for f in err.split("\r") if f]
    assert frames[0].startswith("[..............................] 0/2")
    assert frames[-1].startswith("[##############################] 2/2  passed 1  failed 1")
    assert "expected title" not in err  # no log lines between frames


def test_plain_lines_otherwise(capsys) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(fancy=False)
    for kind, data in EVENTS:
        progress.event(kind, data)
    progress.close()
    assert capsys.readouterr().err.splitlines() == [
        "  passed    home [chromium] (1.5 s)",
        "  failed    cart [chromium] (0.8 s): expected title 'Cart'",
    ]
