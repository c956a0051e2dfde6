"""The whole "generate a test" flow that the RQ job runs (jobs/ai_generate.py): open the start
page in this worker's browser for its snapshot, generate (model when the project may use one,
else offline), dry-run in the same browser, and save a valid result as a draft test."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions
from traceiq_app.services.ai import access, draft_screens
from traceiq_app.services.ai.client import LLMClient, LLMError
from traceiq_app.services.ai.generate import (
    SNAPSHOT_JS,
    DryRun,
    Generation,
    generate_with_model,
    offline_steps,
    save_draft,
)

_engine: Any = None


def _get_engine() -> Any:
    global _engine
    if _engine is None:
        from traceiq_app.engine.browser import BrowserPool
        from traceiq_app.engine.runner import Engine
        from traceiq_app.settings import get_settings

        _engine = Engine(pool=BrowserPool(executable_path=get_settings().chromium_path))
    return _engine


def page_snapshot(start_url: str, engine: Any = None) -> str:
    engine = engine or _get_engine()
    test = TestDefinition.model_validate({"version": 1, "name": "snapshot", "steps": [
        {"action": "goto", "url": start_url},
        {"action": "evaluate", "script": f"({SNAPSHOT_JS})()", "variable": "snapshot"}]})
    result = engine.run(test, RunOptions(trace="off"))
    return result.variables.get("snapshot", "") if result.status == "passed" else ""


def dry_run(definition: dict[str, Any], engine: Any = None, folder: Path | None = None) -> DryRun:
    """Run the steps once; with `folder`, a screenshot after every step is kept there."""
    engine = engine or _get_engine()
    options = RunOptions(trace="off", default_timeout_ms=5_000, artifacts_dir=folder,
                         screenshot_every_step=folder is not None)
    result = engine.run(TestDefinition.model_validate(definition), options)
    steps = [{"step": s.index, "action": s.type, "status": str(s.status), "error": s.error, "screenshot": s.screenshot}
             for s in result.steps]
    return DryRun(result.status, result.failed_step, result.error, steps)


def generate_draft(project_id: uuid.UUID, description: str, start_url: str, author_id: uuid.UUID | None = None,
                   *, engine: Any = None, secrets: list[str] | None = None) -> Generation:
    """Returns the generation; `test_id` is set when a draft was saved. Model problems (timeout,
    429, bad output) come back in `problems`, nothing saved."""
    description = (description or "").strip()
    if not description:
        return Generation(problems=["description: say what the test should do"])
    if not start_url.startswith(("http://", "https://")):
        return Generation(problems=[f"start URL: {start_url!r} is not an http(s) URL"])
    work = Path(tempfile.mkdtemp(prefix="tiq-dry-run-"))
    counter = iter(range(1_000))

    def run_dry(definition: dict[str, Any]) -> DryRun:
        return dry_run(definition, engine, work / f"try-{next(counter)}")

    try:
        if access.status(project_id):
            result = offline_steps(description, start_url)
        else:
            try:
                access.take_request(project_id)
                client = LLMClient.from_settings(secrets)
                result = generate_with_model(client, description, start_url, page_snapshot(start_url, engine),
                                             run_dry)
            except LLMError as exc:
                return Generation(source="llm", problems=[exc.message])
        if result.valid and result.dry_run is None:
            result.dry_run = run_dry({"version": 1, "name": result.name, "steps": result.steps})
        if result.valid:
            result.test_id = save_draft(project_id, result, description, author_id)
            if result.dry_run is not None:
                draft_screens.keep(result.test_id, result.dry_run.status, result.dry_run.steps)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)

GENERATE_JOB = "jobs.ai_generate.generate_test"


def enqueue_generation(project_id: uuid.UUID, user_id: uuid.UUID | None, description: str, start_url: str) -> str:
    """Check the request and queue the job (a worker's browser does the work); returns the job id.
    Raises ValueError with a readable message for bad input."""
    from rq import Queue

    from traceiq_app.redis_conn import QUEUE_NAMES, get_redis

    description, start_url = (description or "").strip(), (start_url or "").strip()
    problems = []
    if not description:
        problems.append("description: say what the test should do")
    elif len(description) > 4000:
        problems.append("description: at most 4000 characters")
    if not start_url.startswith(("http://", "https://")):
        problems.append(f"start URL: {start_url or '(empty)'!r} is not an http(s) URL")
    if problems:
        raise ValueError("; ".join(problems))
    job = Queue(QUEUE_NAMES[0], connection=get_redis()).enqueue(
        GENERATE_JOB, str(project_id), str(user_id) if user_id else None, description, start_url,
        job_timeout=600, result_ttl=3600, failure_ttl=24 * 3600, description=f"generate a test for {project_id}")
    return str(job.id)
