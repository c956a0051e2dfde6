"""Retention per artifact kind and test outcome: expiry dates are stamped when a test ends,
and the periodic cleanup deletes expired artifacts from storage, then their rows."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.runs.conftest import goto, title_is
from traceiq_app.models import Artifact, ArtifactKind, ArtifactOutcome, StepResult
from traceiq_app.services.runs import reaper, retention
from traceiq_app.services.runs.control import start_run
from traceiq_app.settings import Settings


def _artifacts(stack, run_id):
    with stack.session() as s:
        return {(a.kind, a.outcome): a for a in s.exec(select(Artifact).where(Artifact.run_id == run_id)).all()}


def test_it_parses_rules_and_rejects_bad_ones():
    settings = Settings(TRACEIQ_RETENTION_RULES="video.passed=2, trace.failed=90,screenshot.passed=0")
    assert retention.retention_days("video", "passed", settings) == 2
    assert retention.retention_days("trace", "failed", settings) == 90
    assert retention.retention_days("screenshot", "passed", settings) == 0
    assert retention.retention_days("video", "failed", settings) == 30
    assert retention.retention_days("trace", "passed", settings) == 7
    for bad in ("movie.passed=1", "trace.green=1", "trace.passed", "trace.passed=-1"):
        with pytest.raises(retention.RetentionRuleError):
            retention.parse_rules(bad)


def test_it_deletes_expired_artifacts_by_kind_and_outcome(stack, site_url):
    stack.configure(TRACEIQ_RUN_TRACE="on", TRACEIQ_RETENTION_RULES="trace.passed=1,screenshot.failed=0")
    project = stack.project(site_url)
    stack.test_case(project, "passes", [goto("/index.html"), title_is("Runs home")])
    stack.test_case(project, "fails", [goto("/index.html"), {"action": "screenshot", "label": "before"},
                                       title_is("Nope")])
    stack.start_worker()
    done = stack.wait_run(start_run(project.id).id)
    end = done.finished_at

    found = _artifacts(stack, done.id)
    passed_trace = found[(ArtifactKind.trace, ArtifactOutcome.passed)]
    failed_trace = found[(ArtifactKind.trace, ArtifactOutcome.failed)]
    failure_shot = found[(ArtifactKind.failure_screenshot, ArtifactOutcome.failed)]
    kept_shot = found[(ArtifactKind.screenshot, ArtifactOutcome.failed)]
    assert kept_shot.expires_at is None  # screenshot.failed=0: keep forever
    root = stack.data_dir / "artifacts"
    files = {a.id: root / a.storage_key for a in found.values()}
    assert all(path.is_file() for path in files.values())

    report = retention.purge_expired(now=end + timedelta(days=2))
    assert report.deleted == 1 and report.bytes == passed_trace.size_bytes
    assert not files[passed_trace.id].exists() and files[failed_trace.id].exists()
    assert set(_artifacts(stack, done.id)) == {(ArtifactKind.trace, ArtifactOutcome.failed),
                                              (ArtifactKind.failure_screenshot, ArtifactOutcome.failed),
                                              (ArtifactKind.screenshot, ArtifactOutcome.failed)}

    # The periodic pass (what workers run every TRACEIQ_RETENTION_INTERVAL_MINUTES) does the rest.
    # The worker runs its own passes under the same Redis lock: a pass of ours that finds the
    # lock taken does nothing, so try again until ours has run (the worker's real clock purges
    # nothing here: these artifacts expire in days).
    purged = 0
    for _ in range(50):
        stack.redis.client().delete(reaper.RETENTION_KEY)
        purged += reaper.maintenance_pass(now=end + timedelta(days=31)).purged
        if purged:
            break
        time.sleep(0.2)
    assert purged == 2
    assert set(_artifacts(stack, done.id)) == {(ArtifactKind.screenshot, ArtifactOutcome.failed)}
    assert not files[failed_trace.id].exists() and not files[failure_shot.id].exists()
    assert files[kept_shot.id].exists()
    with stack.session() as s:  # the step keeps its row; its screenshot link is cleared
        failed_step = s.exec(select(StepResult).where(StepResult.status == "failed")).one()
        assert failed_step.screenshot_artifact_id is None
