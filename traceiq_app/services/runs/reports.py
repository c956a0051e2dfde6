"""Runs as the public API shows them: the paged runs list (filters status, branch, trigger,
since), one run's full report (per test: final status, every attempt with its steps, error and
artifact URLs) and its JUnit XML (xunit2 flavour, valid against Jenkins' junit-10.xsd).

Callers authorize first; everything here is scoped by the project or run id it is given.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Artifact, Environment, Run, RunStatus, RunTrigger, StepResult, TestResult
from traceiq_app.services.platform.pagination import Page, clamp, encode_cursor, newest_first

API_ARTIFACTS = "/api/v1/artifacts"


def artifact_path(artifact_id: uuid.UUID | str) -> str:
    return f"{API_ARTIFACTS}/{artifact_id}"


def metadata_of(run: Run) -> dict[str, str | None]:
    return {"branch": run.branch, "commit": run.commit_sha, "ci_url": run.ci_url, "pr": run.pr}


def page_runs(project_id: uuid.UUID, limit: int | None, cursor: str | None, *, status: RunStatus | None = None,
              branch: str | None = None, trigger: RunTrigger | None = None,
              since: datetime | None = None) -> Page[Run]:
    """The project's runs, newest first (keyset on (created_at, id))."""
    n = clamp(limit)
    stmt = select(Run).where(Run.project_id == project_id)
    if status is not None:
        stmt = stmt.where(Run.status == status)
    if branch:
        stmt = stmt.where(Run.branch == branch)
    if trigger is not None:
        stmt = stmt.where(Run.trigger == trigger)
    if since is not None:
        stmt = stmt.where(col(Run.created_at) >= since)
    stmt = newest_first(stmt, col(Run.created_at), col(Run.id), f"runs:{project_id}", cursor)
    with session_scope() as session:
        rows = list(session.exec(stmt.limit(n + 1)).all())
    page: Page[Run] = Page(items=rows[:n])
    if len(rows) > n:
        last = rows[n - 1]
        page.next_cursor = encode_cursor(f"runs:{project_id}", last.created_at.isoformat(), last.id)
    return page


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _step(step: StepResult) -> dict[str, Any]:
    return {
        "index": step.step_index, "action": step.action, "name": step.name, "status": str(step.status.value),
        "duration_ms": step.duration_ms, "error": step.error, "locator_used": step.locator_used,
        "console_errors": list(step.console_errors or []), "network_errors": list(step.network_errors or []),
        "screenshot_url": artifact_path(step.screenshot_artifact_id) if step.screenshot_artifact_id else None,
    }


def run_report(run_id: uuid.UUID) -> dict[str, Any] | None:
    """The run with totals, timings, metadata and per test (test case x browser) its attempts."""
    with session_scope() as s:
        run = s.get(Run, run_id)
        if run is None:
            return None
        env = s.get(Environment, run.environment_id) if run.environment_id else None
        results = list(s.exec(select(TestResult).where(TestResult.run_id == run_id).order_by(col(TestResult.id))).all())
        ids = [r.id for r in results]
        steps: dict[uuid.UUID, list[dict[str, Any]]] = {}
        artifacts: dict[uuid.UUID, list[dict[str, Any]]] = {}
        if ids:
            for step in s.exec(select(StepResult).where(col(StepResult.test_result_id).in_(ids))
                               .order_by(col(StepResult.test_result_id), col(StepResult.step_index))).all():
                steps.setdefault(step.test_result_id, []).append(_step(step))
            for art in s.exec(select(Artifact).where(Artifact.run_id == run_id).order_by(col(Artifact.id))).all():
                if art.test_result_id is not None:
                    artifacts.setdefault(art.test_result_id, []).append({
                        "id": str(art.id), "kind": art.kind.value, "step_index": art.step_index,
                        "content_type": art.content_type, "size_bytes": art.size_bytes,
                        "url": artifact_path(art.id)})
    from traceiq_app.services.healing.store import healed_by_result

    healed = healed_by_result(run_id)
    tests: dict[tuple[str, str], dict[str, Any]] = {}
    for r in sorted(results, key=lambda x: (x.attempt, x.id)):
        key = (str(r.test_case_id or r.test_name), r.browser.value)
        entry = tests.setdefault(key, {
            "test_case_id": str(r.test_case_id) if r.test_case_id else None, "name": r.test_name,
            "browser": r.browser.value, "status": r.status.value, "error": None, "duration_ms": None,
            "attempts": []})
        entry["attempts"].append({
            "id": str(r.id), "attempt": r.attempt, "status": r.status.value, "error": r.error,
            "failed_step": r.failed_step, "duration_ms": r.duration_ms, "worker": r.worker_id,
            "started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
            "steps": steps.get(r.id, []), "artifacts": artifacts.get(r.id, []),
            "healed_steps": healed.get(str(r.id), []),
        })
        entry["status"], entry["error"], entry["duration_ms"] = r.status.value, r.error, r.duration_ms
        entry["healed"] = r.status.value == "passed" and any(h["applied"] for h in healed.get(str(r.id), []))
    order = {k: i for i, k in enumerate(dict.fromkeys((str(r.test_case_id or r.test_name), r.browser.value)
                                                        for r in results))}
    return {
        "id": str(run.id), "project_id": str(run.project_id), "status": run.status.value,
        "trigger": run.trigger.value, "environment": env.name if env else None,
        "browsers": list(run.browsers or []), "retries": run.retries, "parallelism": run.parallelism,
        "metadata": metadata_of(run),
        "totals": {"total": run.total, "passed": run.passed, "failed": run.failed, "flaky": run.flaky,
                   "errors": run.errors, "skipped": run.skipped},
        "created_at": _iso(run.created_at), "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at), "duration_ms": run.duration_ms,
        "rerun_of": str(run.rerun_of_id) if run.rerun_of_id else None,
        "tests": sorted(tests.values(), key=lambda t: order[(str(t["test_case_id"] or t["name"]), t["browser"])]),
    }


def junit_xml(run_id: uuid.UUID) -> str | None:
    """The run as JUnit XML: one <testsuite> per browser, one <testcase> per test (its final
    attempt; earlier failed attempts are named in system-out), failures/errors/skips."""
    from junitparser import Error, Failure, Skipped
    from junitparser.xunit2 import JUnitXml, TestCase, TestSuite

    from traceiq_app.services.analytics.facts import test_key
    from traceiq_app.services.analytics.quarantine import quarantined_in_run

    report = run_report(run_id)
    if report is None:
        return None
    quarantined = quarantined_in_run(run_id)
    xml = JUnitXml(f"traceiq run {report['id']}")
    suites: dict[str, TestSuite] = {}
    for test in report["tests"]:
        suite = suites.get(test["browser"])
        if suite is None:
            suite = suites[test["browser"]] = TestSuite(f"traceiq [{test['browser']}]")
        case = TestCase(test["name"], classname=f"traceiq.{test['browser']}",
                        time=(test["duration_ms"] or 0) / 1000)
        last = test["attempts"][-1]
        status, message = test["status"], (test["error"] or test["status"])[:2000]
        details = [f"attempt {a['attempt']}: {a['status']}" + (f" - {a['error']}" if a["error"] else "")
                   for a in test["attempts"]]
        details += [f"  [{s['index']}] {s['action']}: {s['status']}" + (f" - {s['error']}" if s["error"] else "")
                    for s in last["steps"]]
        reason = quarantined.get((test_key(test["test_case_id"], test["name"]), test["browser"]))
        if reason is not None and status in ("failed", "error"):
            outcome: Any = Skipped(f"quarantined: {reason}"[:2000])
        elif status == "failed":
            outcome = Failure(message, "StepFailed")
        elif status == "error":
            outcome = Error(message, "TestError")
        elif status in ("cancelled", "skipped", "queued", "running"):
            outcome = Skipped(message)
        else:
            outcome = None
        if outcome is not None:
            outcome.text = "\n".join(details)
            case.result = [outcome]
        healed = [f"passed (healed): step {h['step'] + 1}: {h['from']} -> {h['to']} (score {h['score']:.2f}); "
                  "review the proposal on the project's Healing page" for h in last.get("healed_steps", [])
                  if h["applied"]] if test.get("healed") else []
        case.system_out = "\n".join(healed + details + [f"{a['kind']}: {a['url']}" for a in last["artifacts"]])
        suite.add_testcase(case)
    for suite in suites.values():
        suite.update_statistics()
        xml.add_testsuite(suite)
    xml.update_statistics()
    return xml.tostring().decode() if isinstance(xml.tostring(), bytes) else str(xml.tostring())
