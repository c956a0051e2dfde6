"""Failure clusters: failed results grouped by their signature (see `signatures`), across tests
and runs: count, first/last seen, affected tests, branches and environments; and one cluster's
occurrences with links to their screenshots and traces."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from traceiq_app.db import session_scope
from traceiq_app.models import Artifact, ArtifactKind, Environment, ResultFact
from traceiq_app.services.analytics.filters import Filters, base

FAILED = ("failed", "error")
MAX_OCCURRENCES = 200


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def clusters(project_id: uuid.UUID, filters: Filters | None = None, *, test_key: str | None = None,
             signature: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    filters = filters or Filters()
    sig = col(ResultFact.signature)
    stmt = base(project_id, filters, sig, sa.func.count(), sa.func.count(sa.distinct(col(ResultFact.test_key))),
                sa.func.min(col(ResultFact.finished_at)), sa.func.max(col(ResultFact.finished_at)),
                sa.func.max(col(ResultFact.error_category)), sa.func.max(col(ResultFact.error_pattern)),
                sa.func.max(col(ResultFact.error)), sa.func.max(col(ResultFact.error_step)),
                sa.func.max(col(ResultFact.error_locator)))\
        .where(col(ResultFact.status).in_(FAILED), sig.is_not(None)).group_by(sig)
    if test_key is not None:
        stmt = stmt.where(col(ResultFact.test_key) == test_key)
    if signature is not None:
        stmt = stmt.where(sig == signature)
    stmt = stmt.order_by(sa.func.count().desc()).limit(limit)
    with session_scope() as session:
        rows = session.execute(stmt).all()
        sigs = [r[0] for r in rows]
        spread: dict[str, dict[str, set[str]]] = {s: {"branches": set(), "environments": set()} for s in sigs}
        if sigs:
            envs = {e.id: e.name for e in session.execute(sa.select(col(Environment.id), col(Environment.name)).where(
                col(Environment.project_id) == project_id)).all()}
            for s, branch, env in session.execute(
                    base(project_id, filters, sig, col(ResultFact.branch), col(ResultFact.environment_id))
                    .where(sig.in_(sigs), col(ResultFact.status).in_(FAILED)).distinct()).all():
                if branch:
                    spread[s]["branches"].add(branch)
                if env:
                    spread[s]["environments"].add(envs.get(env, str(env)))
    return [{"id": s, "signature": pattern or "", "category": category or "other", "count": int(n), "tests": int(t),
             "first_seen": _iso(first), "last_seen": _iso(last), "example_error": (error or "")[:1000],
             "step": step, "locator": locator, "branches": sorted(spread[s]["branches"]),
             "environments": sorted(spread[s]["environments"])}
            for s, n, t, first, last, category, pattern, error, step, locator in rows]


def occurrences(project_id: uuid.UUID, signature: str, limit: int = MAX_OCCURRENCES) -> list[dict[str, Any]]:
    """The cluster's failed results, newest first, with their screenshot and trace links."""
    from traceiq_app.services.runs.reports import artifact_path

    with session_scope() as session:
        facts = session.execute(sa.select(ResultFact).where(
            col(ResultFact.project_id) == project_id, col(ResultFact.signature) == signature)
            .order_by(col(ResultFact.finished_at).desc()).limit(limit)).scalars().all()
        ids = [f.test_result_id for f in facts if f.test_result_id]
        links: dict[uuid.UUID, dict[str, str]] = {}
        if ids:
            for art in session.execute(sa.select(Artifact).where(col(Artifact.test_result_id).in_(ids), col(
                    Artifact.kind).in_([ArtifactKind.failure_screenshot.value, ArtifactKind.screenshot.value,
                                        ArtifactKind.trace.value]))).scalars().all():
                kind = "trace" if art.kind == ArtifactKind.trace else "screenshot"
                if art.test_result_id is not None:
                    links.setdefault(art.test_result_id, {}).setdefault(kind, artifact_path(art.id))
    return [{"run_id": str(f.run_id), "test_id": f.test_key, "name": f.test_name, "browser": f.browser,
             "branch": f.branch, "at": _iso(f.finished_at), "error": f.error, "status": f.status,
             "screenshot_url": links.get(f.test_result_id, {}).get("screenshot") if f.test_result_id else None,
             "trace_url": links.get(f.test_result_id, {}).get("trace") if f.test_result_id else None}
            for f in facts]


def cluster(project_id: uuid.UUID, signature: str) -> dict[str, Any] | None:
    with session_scope() as session:
        found = session.execute(sa.select(col(ResultFact.id)).where(
            col(ResultFact.project_id) == project_id, col(ResultFact.signature) == signature).limit(1)).first()
    if found is None:
        return None
    summary = clusters(project_id, signature=signature, limit=1)
    return {**(summary[0] if summary else {}), "occurrences": occurrences(project_id, signature)}
