"""Artifacts (trace, screenshots, video), per-step console/network errors, reporter events."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.engine.helpers import Recorder, assert_failed_at, assert_passed
from traceiq_app.engine.browser import ensure_ffmpeg
from traceiq_app.engine.results import RunOptions

FAILING = [{"action": "click", "target": {"css": "#nope"}, "timeout_ms": 500}]
PASSING = [{"action": "assert_title", "expected": "Login form"}]


def _files(directory: Path) -> set[str]:
    return {p.name for p in directory.rglob("*") if p.is_file()}


def test_it_keeps_the_trace_and_a_screenshot_of_a_failed_test(run, tmp_path):
    result = run(FAILING, options=RunOptions(artifacts_dir=tmp_path, trace="failures"), name="Login / fails")
    assert_failed_at(result, 1)
    test_dir = tmp_path / "Login_fails"
    assert _files(test_dir) == {"trace.zip", "failure-step-02.png"}
    assert result.artifacts == {"failure_screenshot": str(test_dir / "failure-step-02.png"),
                                "trace": str(test_dir / "trace.zip")}
    assert result.steps[1].screenshot == str(test_dir / "failure-step-02.png")
    with zipfile.ZipFile(test_dir / "trace.zip") as trace:
        assert any(n.endswith(".trace") for n in trace.namelist())


def test_it_drops_the_trace_of_a_passing_test_unless_asked(run, tmp_path):
    result = run(PASSING, options=RunOptions(artifacts_dir=tmp_path / "a", trace="failures"))
    assert_passed(result)
    assert result.artifacts == {}
    assert list((tmp_path / "a").iterdir()) == []  # no empty per-test folder left behind
    result = run(PASSING, options=RunOptions(artifacts_dir=tmp_path / "b", trace="on"))
    assert set(result.artifacts) == {"trace"}
    result = run(FAILING, options=RunOptions(artifacts_dir=tmp_path / "c", trace="off"))
    assert set(result.artifacts) == {"failure_screenshot"}


def test_it_keeps_no_files_without_an_artifacts_dir(run):
    result = run(FAILING + [{"action": "screenshot"}], options=RunOptions(trace="on", screenshot_every_step=True))
    assert result.artifacts == {}


def test_it_takes_screenshots_after_every_step_and_for_screenshot_steps(run, tmp_path):
    options = RunOptions(artifacts_dir=tmp_path, trace="off", screenshot_every_step=True)
    result = run([
        {"action": "screenshot", "label": "whole page", "full_page": True},
        {"action": "screenshot", "target": {"css": "#login"}},
    ], options=options, name="shots")
    assert_passed(result)
    shots = result.artifacts["screenshots"]
    assert [Path(p).name for p in shots] == ["step-01.png", "screenshot-whole_page.png", "screenshot-step-03.png"]
    assert result.steps[2].screenshot == shots[2]
    assert all(Path(p).read_bytes().startswith(b"\x89PNG") for p in shots)


def test_it_gives_two_tests_with_the_same_name_separate_folders(run, tmp_path):
    first = run(FAILING, options=RunOptions(artifacts_dir=tmp_path, trace="off"), name="same")
    second = run(FAILING, options=RunOptions(artifacts_dir=tmp_path, trace="off"), name="same")
    assert Path(first.artifacts["failure_screenshot"]).parent.name == "same"
    assert Path(second.artifacts["failure_screenshot"]).parent.name == "same-2"


@pytest.mark.skipif(ensure_ffmpeg() is None, reason="no ffmpeg for Playwright's video recorder")
def test_it_records_a_video(run, tmp_path):
    result = run(PASSING, options=RunOptions(artifacts_dir=tmp_path, trace="off", video=True), name="video")
    assert_passed(result)
    video = Path(result.artifacts["video"])
    assert video.name == "video.webm"
    assert video.read_bytes()[:4] == b"\x1a\x45\xdf\xa3"  # EBML (WebM) header
    assert not (tmp_path / "video" / ".video").exists()


def test_it_attaches_console_and_network_errors_to_the_step_that_caused_them(run):
    result = run([
        {"action": "click", "target": {"css": "#log-error"}},
        {"action": "click", "target": {"css": "#throw"}},
        {"action": "wait_for", "expression": "true"},
        {"action": "click", "target": {"css": "#fetch404"}},
        {"action": "assert_text", "target": {"css": "#status"}, "expected": "status 404"},
    ], page="console.html")
    assert_passed(result)
    console = [e for s in result.steps for e in s.console_errors]
    network = [e for s in result.steps for e in s.network_errors]
    assert result.steps[1].console_errors == ["boom from console"]
    assert any("uncaught" in e and "uncaught kaboom" in e for e in console)
    assert len(network) == 1 and network[0].startswith("404 GET http://127.0.0.1:")
    assert network[0].endswith("/missing.json")
    assert all(not e.startswith("Failed to load resource") for e in console)


def test_it_reports_a_missing_script_once(run):
    # Chromium answers 404 and then aborts the script's body: one failure, one entry.
    result = run([
        {"action": "click", "target": {"css": "#script404"}},
        {"action": "assert_text", "target": {"css": "#status"}, "expected": "script failed"},
    ], page="console.html")
    assert_passed(result)
    network = [e for s in result.steps for e in s.network_errors]
    assert len(network) == 1, network
    assert network[0].startswith("404 GET ") and network[0].endswith("/missing-widget.js")


def test_it_reports_every_event_in_order_with_durations(run, tmp_path):
    recorder = Recorder([])
    result = run(FAILING + PASSING, options=RunOptions(artifacts_dir=tmp_path, trace="on"), reporter=recorder,
                 name="events")
    kinds = [kind for kind, _ in recorder.events]
    # A step's screenshot is reported before its step_finished; skipped steps get no step_started.
    assert kinds == ["test_started", "step_started", "step_finished", "step_started", "artifact",
                     "step_finished", "step_finished", "artifact", "test_finished"]
    assert recorder.events[0][1] == ("events", 3)
    assert [a[1][0] for a in recorder.events if a[0] == "artifact"] == ["failure_screenshot", "trace"]
    assert recorder.events[-1][1] is result
    assert all(s.duration_ms >= 0 for s in result.steps) and result.steps[1].duration_ms >= 400
    assert result.duration_ms >= sum(s.duration_ms for s in result.steps)
    assert result.to_dict()["steps"][1]["status"] == "failed"


def test_it_masks_secrets_inside_the_kept_trace(run, tmp_path):
    secret = 'typed-"s3cret"-value'
    result = run([{"action": "fill", "target": {"css": "#user"}, "value": "${TOKEN}"},
                  {"action": "click", "target": {"css": "#submit"}},
                  {"action": "assert_text", "target": {"css": "#greeting"}, "expected": "Welcome, ${TOKEN}"}],
                 options=RunOptions(artifacts_dir=tmp_path, trace="on", secrets={"TOKEN": secret}))
    assert_passed(result)
    with zipfile.ZipFile(result.artifacts["trace"]) as trace:
        names = trace.namelist()
        assert any(n.endswith(".trace") for n in names)
        contents = b"".join(trace.read(n) for n in names)
    assert secret.encode() not in contents
    assert b's3cret' not in contents
    assert "•••".encode() in contents


@pytest.mark.skipif(ensure_ffmpeg() is None, reason="no ffmpeg for Playwright's video recorder")
def test_it_keeps_a_video_only_of_a_failed_test_in_failures_mode(run, tmp_path):
    passed = run(PASSING, options=RunOptions(artifacts_dir=tmp_path, trace="off", video="failures"), name="ok")
    assert_passed(passed)
    assert "video" not in passed.artifacts
    assert not (tmp_path / "ok").exists()  # nothing kept: the folder is gone too
    failed = run(FAILING, options=RunOptions(artifacts_dir=tmp_path, trace="off", video="failures"), name="bad")
    assert_failed_at(failed, 1)
    assert Path(failed.artifacts["video"]).read_bytes()[:4] == b"\x1a\x45\xdf\xa3"
    off = run(FAILING, options=RunOptions(artifacts_dir=tmp_path, trace="off", video="off"), name="off")
    assert "video" not in off.artifacts
