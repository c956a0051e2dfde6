"""Fill a database with a realistic run history for the analytics benchmark.

    .venv/bin/python bench/seed_history.py --db sqlite:////tmp/hist.db [--runs 20000] [--tests 300]
        [--tests-per-run 10] [--steps 10] [--days 180]

Issue scale: 20,000 runs, 300 tests, >= 2,000,000 step results over 180 days
(`--runs 20000 --tests-per-run 10 --steps 10`). A realistic mix: most tests pass; a few are
flaky (fail then pass on retry, or flip between runs); a few slow down over the last weeks; a
few failures recur with the same signature (messages that differ only in ids and numbers).
Rows go in with bulk INSERTs (Core executemany; COPY on Postgres); the analytics facts are derived with the same
code the app uses (`signatures.signature_of`), one per final result, as `facts.record_run` writes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BRANCHES = ["main"] * 6 + ["release", "feature-checkout", "feature-search"]
BROWSERS = ["chromium"] * 3 + ["firefox"]
MESSAGES = [
    ("click", "#login", "Timeout {n}ms exceeded waiting for locator('#login') on https://shop.test/login?next=/c/{n}"),
    ("assert_text", "h1", "expected 'Order {n} placed' got 'Error {n}' at {ts}"),
    ("goto", None, "page.goto: net::ERR_CONNECTION_REFUSED at https://api.shop.test/v1/cart?id={id}"),
]


def _copy(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Postgres: rows through COPY (an order of magnitude faster than multi-row INSERTs)."""
    import sqlalchemy as sa
    from psycopg.types.json import Json

    columns = list(rows[0])
    json_cols = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    wrap = [name in json_cols for name in columns]
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Json(row[c]) if w and row[c] is not None else row[c]
                            for c, w in zip(columns, wrap, strict=True)])


def seed(url: str, *, runs: int, tests: int, tests_per_run: int, steps: int, days: int, rnd_seed: int = 7,
         batch: int = 20_000) -> dict[str, Any]:
    import sqlalchemy as sa

    from traceiq_app.db import make_engine
    from traceiq_app.models import (
        Environment,
        Organization,
        Project,
        ResultFact,
        Run,
        StepResult,
        Suite,
        TestCase,
        TestResult,
        uuid7,
    )
    from traceiq_app.services.analytics.signatures import signature_of
    from traceiq_app.services.platform.migrations import upgrade_to_head

    rnd = random.Random(rnd_seed)
    upgrade_to_head(url)
    engine = make_engine(url)
    started = time.perf_counter()
    now = datetime.now(UTC)
    org_id, project_id = uuid7(), uuid7()
    envs = [uuid7(), uuid7()]
    suites = [uuid7() for _ in range(10)]
    case_ids = [uuid7() for _ in range(tests)]
    flaky = set(rnd.sample(range(tests), max(1, tests // 30)))
    slowing = set(rnd.sample(range(tests), max(1, tests // 50)))
    broken = {i: rnd.randrange(len(MESSAGES)) for i in rnd.sample(range(tests), max(1, tests // 40))}
    base_ms = [rnd.randint(800, 12_000) for _ in range(tests)]
    counts = {"runs": 0, "results": 0, "steps": 0, "facts": 0, "daily": 0}
    with engine.begin() as c:
        c.execute(sa.insert(Organization.__table__), [{"id": org_id, "name": "Bench", "slug": f"bench-{org_id.hex[:6]}",
                                                        "settings": {}, "created_at": now}])
        c.execute(sa.insert(Project.__table__), [{"id": project_id, "org_id": org_id, "name": "History",
                                                   "slug": "history", "settings": {}, "allowed_hosts": [],
                                                   "created_at": now, "updated_at": now}])
        c.execute(sa.insert(Environment.__table__), [{"id": e, "project_id": project_id, "name": n, "variables": {},
                                                       "created_at": now, "updated_at": now}
                                                      for e, n in zip(envs, ("staging", "production"), strict=True)])
        c.execute(sa.insert(Suite.__table__), [{"id": s, "project_id": project_id, "name": f"Suite {i}", "position": i,
                                                 "settings": {}, "created_at": now, "updated_at": now}
                                                for i, s in enumerate(suites)])
        c.execute(sa.insert(TestCase.__table__), [{
            "id": cid, "project_id": project_id, "suite_id": suites[i % len(suites)], "name": f"Test {i:03d}",
            "tags": ["smoke"] if i % 5 == 0 else [], "steps": [], "options": {}, "position": i, "version": 1,
            "created_at": now, "updated_at": now} for i, cid in enumerate(case_ids)])
    pending: dict[str, list[dict[str, Any]]] = {"runs": [], "results": [], "steps": [], "facts": []}
    tables = {"runs": Run.__table__, "results": TestResult.__table__, "steps": StepResult.__table__,
              "facts": ResultFact.__table__}

    postgres = engine.dialect.name == "postgresql"

    def flush(force: bool = False) -> None:
        if not force and len(pending["steps"]) < batch:
            return
        with engine.begin() as c:
            for name in ("runs", "results", "steps", "facts"):
                if pending[name]:
                    if postgres:
                        _copy(c, tables[name], pending[name])
                    else:
                        c.execute(sa.insert(tables[name]), pending[name])
                    counts[name] += len(pending[name])
                    pending[name] = []

    span = timedelta(days=days)
    for r in range(runs):
        at = now - span + span * (r / max(runs, 1)) + timedelta(seconds=rnd.randint(0, 60))
        progress = r / max(runs, 1)
        run_id = uuid7()
        branch, env = rnd.choice(BRANCHES), rnd.choice(envs)
        chosen = rnd.sample(range(tests), min(tests_per_run, tests))
        totals = {"passed": 0, "failed": 0, "flaky": 0}
        offset = 0
        for i in chosen:
            browser = rnd.choice(BROWSERS)
            duration = int(base_ms[i] * (1 + (1.0 if i in slowing and progress > 0.85 else 0)) * rnd.uniform(0.85, 1.2))
            status, error, sig = "passed", None, None
            if i in broken and rnd.random() < 0.6:
                step, locator, template = MESSAGES[broken[i]]
                error = template.format(n=rnd.randint(10, 99_999), ts=at.isoformat(), id=uuid.uuid4().hex[:12])
                status, sig = "failed", signature_of(error, step, locator)
            elif i in flaky and rnd.random() < 0.3:
                status = "flaky" if rnd.random() < 0.5 else "failed"
                if status == "failed":
                    error = f"expected 'Saved' got 'Retry {rnd.randint(1, 9)}'"
                    sig = signature_of(error, "assert_text", ".toast")
            elif rnd.random() < 0.005:
                status, error = "failed", "worker lost while running the test"
                sig = signature_of(error)
            totals[status] += 1
            t0 = at + timedelta(milliseconds=offset)
            offset += duration
            attempts = 2 if status == "flaky" else 1
            result_id = None
            for attempt in range(1, attempts + 1):
                result_id = uuid7()
                final = attempt == attempts
                a_status = status if final else "failed"
                pending["results"].append({
                    "id": result_id, "run_id": run_id, "test_case_id": case_ids[i], "test_name": f"Test {i:03d}",
                    "browser": browser, "attempt": attempt, "status": a_status,
                    "failed_step": 0 if a_status == "failed" else None, "error": error if final else "flaky",
                    "queued_at": t0, "started_at": t0, "finished_at": t0 + timedelta(milliseconds=duration),
                    "duration_ms": duration, "definition": {}, "worker_id": "bench", "rq_job_id": None})
                per_step = max(1, duration // max(steps, 1))
                pending["steps"].extend({
                    "id": uuid7(), "test_result_id": result_id, "step_index": s, "action": "click" if s else "goto",
                    "name": f"step {s}", "status": "failed" if a_status == "failed" and s == 0 else "passed",
                    "duration_ms": per_step, "error": None, "locator_used": None, "console_errors": [],
                    "network_errors": [], "screenshot_artifact_id": None, "started_at": t0, "finished_at": t0}
                    for s in range(steps))
            fact: dict[str, Any] = {
                "id": uuid7(), "project_id": project_id, "run_id": run_id, "test_result_id": result_id,
                "test_case_id": case_ids[i], "test_key": str(case_ids[i]), "test_name": f"Test {i:03d}",
                "suite_id": suites[i % len(suites)], "tags": ",smoke," if i % 5 == 0 else "", "browser": browser,
                "status": status, "attempts": attempts, "flaky_on_retry": status == "flaky", "quarantined": False,
                "duration_ms": duration, "branch": branch, "environment_id": env, "trigger": "ci",
                "started_at": t0, "finished_at": t0 + timedelta(milliseconds=duration), "signature": None,
                "error_category": None, "error_step": None, "error_locator": None, "error_pattern": None, "error": None}
            if sig is not None:
                fact.update(signature=sig.key, error_category=sig.category, error_step=sig.step or None,
                            error_locator=sig.locator or None, error_pattern=sig.pattern, error=error)
            pending["facts"].append(fact)
        run_status = "failed" if totals["failed"] else "passed"
        pending["runs"].append({
            "id": run_id, "project_id": project_id, "selection": {}, "browsers": ["chromium"], "trigger": "cli",
            "status": run_status, "total": len(chosen), "passed": totals["passed"], "failed": totals["failed"],
            "flaky": totals["flaky"], "errors": 0, "skipped": 0, "created_at": at, "started_at": at,
            "finished_at": at + timedelta(milliseconds=offset), "duration_ms": offset, "environment_id": env,
            "retries": 1, "parallelism": 1, "timeout_s": 3600, "branch": branch, "commit_sha": None,
            "ci_url": None, "pr": None, "triggered_by_user_id": None, "triggered_by_token_id": None,
            "schedule_id": None, "rerun_of_id": None})
        flush()
    flush(force=True)
    from sqlmodel import Session

    from traceiq_app.services.analytics import daily

    with Session(engine) as session:  # the daily rollup, as record_run keeps it for live runs
        counts["daily"] = daily.rebuild(session, project_id)
        session.commit()
    if postgres:  # VACUUM too: index-only scans need the visibility map (autovacuum does it later)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE"))
    else:
        with engine.begin() as c:
            c.execute(sa.text("ANALYZE"))
    engine.dispose()
    return {"project_id": project_id, "seconds": time.perf_counter() - started, **counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL (migrated first)")
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--tests-per-run", type=int, default=10)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--days", type=int, default=180)
    args = parser.parse_args()
    out = seed(args.db, runs=args.runs, tests=args.tests, tests_per_run=args.tests_per_run, steps=args.steps,
               days=args.days)
    print(f"seeded project {out['project_id']}: {out['runs']} runs, {out['results']} results, {out['steps']} steps, "
          f"{out['facts']} facts in {out['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
