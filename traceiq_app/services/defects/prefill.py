"""A defect's form filled from an automated failure (`from_result`): title, steps to
reproduce, expected vs actual, environment, browser, build/commit, links to the screenshot,
video and trace; plus the failure's cluster and, when the cluster already has a defect that is
not done, that defect (the UI offers "Attach to DEF-12")."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Artifact, ArtifactKind, Environment, ResultFact, Run, StepResult, TestResult
from traceiq_app.services.catalog.projects import NotFound
from traceiq_app.services.defects import occurrences


def _step_text(step: dict[str, Any]) -> str:
    action = str(step.get("action") or "step")
    parts = [action]
    for key in ("url", "value", "text", "expected"):
        if step.get(key):
            parts.append(f"{key} `{str(step[key])[:200]}`")
    target = step.get("target")
    if isinstance(target, list) and target and isinstance(target[0], dict):
        kind, value = next(iter(target[0].items()))
        parts.append(f"on {kind}=`{str(value)[:200]}`")
    return " ".join(parts)


def from_result(project_id: uuid.UUID, test_result_id: str) -> dict[str, Any]:
    from traceiq_app.services.runs.reports import artifact_path

    try:
        rid = uuid.UUID(str(test_result_id))
    except ValueError:
        raise NotFound("test result") from None
    with session_scope() as session:
        result = session.get(TestResult, rid)
        run = session.get(Run, result.run_id) if result else None
        if result is None or run is None or run.project_id != project_id:
            raise NotFound("test result")
        env = session.get(Environment, run.environment_id) if run.environment_id else None
        fact = session.exec(select(ResultFact).where(ResultFact.test_result_id == rid)).first()
        arts = list(session.exec(select(Artifact).where(Artifact.test_result_id == rid)).all())
        failed_step = session.exec(select(StepResult).where(StepResult.test_result_id == rid,
                                                            StepResult.step_index == result.failed_step)).first() \
            if result.failed_step is not None else None
    steps = list((result.definition or {}).get("steps") or [])
    upto = result.failed_step + 1 if result.failed_step is not None else len(steps)
    lines = [f"Raised from a failed run of **{result.test_name}** ({result.browser}).", "",
             "## Steps to reproduce"]
    lines += [f"{i + 1}. {_step_text(s)}" for i, s in enumerate(steps[:upto])] or ["1. Run the test."]
    expected = str(steps[result.failed_step].get("expected") or "") if result.failed_step is not None \
        and result.failed_step < len(steps) else ""
    lines += ["", "## Expected", expected or "The step passes.", "", "## Actual",
              f"```\n{(result.error or (failed_step.error if failed_step else '') or 'failed')[:3000]}\n```", "",
              "## Environment",
              f"- Environment: {env.name if env else '—'}",
              f"- Browser: {result.browser}",
              f"- Build / commit: {run.branch or '—'} @ {(run.commit_sha or '—')[:12]}",
              f"- Run: /runs/{run.id}"]
    links = []
    for art in arts:
        if art.kind in (ArtifactKind.failure_screenshot, ArtifactKind.screenshot) and "screenshot" not in links:
            lines.append(f"- Screenshot: {artifact_path(art.id)}")
            links.append("screenshot")
        elif art.kind == ArtifactKind.video and "video" not in links:
            lines.append(f"- Video: {artifact_path(art.id)}")
            links.append("video")
        elif art.kind == ArtifactKind.trace and "trace" not in links:
            lines.append(f"- Trace: /trace-viewer/index.html?trace={artifact_path(art.id)}")
            links.append("trace")
    signature = fact.signature if fact else None
    step_label = f" at step {result.failed_step + 1}" if result.failed_step is not None else ""
    return {
        "title": f"{result.test_name} fails{step_label}"[:300],
        "description": "\n".join(lines),
        "test_case_id": str(result.test_case_id) if result.test_case_id else "",
        "signature": signature or "",
        "source": {"kind": "automated", "test_result_id": str(rid), "run_id": str(run.id),
                   "browser": str(result.browser), "environment": env.name if env else None,
                   "branch": run.branch, "commit": run.commit_sha},
        "occurrence": {"run_id": run.id, "test_result_id": rid, "test_key": fact.test_key if fact else "",
                       "test_name": result.test_name, "browser": str(result.browser),
                       "at": (fact.finished_at if fact else None) or result.finished_at},
        "existing": occurrences.open_for(project_id, signature),
    }


def failed_results(project_id: uuid.UUID, run_id: str) -> dict[str, dict[str, str]]:
    """For a run page: each failed result's "Attach to DEF-n" candidate (by result id)."""
    try:
        rid = uuid.UUID(str(run_id))
    except ValueError:
        return {}
    with session_scope() as session:
        facts = session.exec(select(ResultFact).where(ResultFact.project_id == project_id, ResultFact.run_id == rid,
                                                      col(ResultFact.status).in_(occurrences.FAILED))).all()
    out = {}
    for fact in facts:
        found = occurrences.open_for(project_id, fact.signature)
        if found and fact.test_result_id:
            out[str(fact.test_result_id)] = found
    return out
