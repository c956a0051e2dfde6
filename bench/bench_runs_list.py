"""Bench the runs list: keyset pagination vs a naive OFFSET query at 20,000 runs.

    .venv/bin/python bench/bench_runs_list.py [--runs 20000] [--backends sqlite,postgres]

For each backend (a temp SQLite file; a throwaway Postgres database on 127.0.0.1:5432, user
postgres, dropped afterwards) it migrates, inserts --runs runs of one project (plus 2,000 of
another project), and times, as the median of 7 calls (after one warm-up):

- the first page and a deep page (the last one) through `services.runs.views.list_runs`
  (keyset on created_at, id) and through the `RunsListState` handlers the page calls
  (`load` for page 1, `next_page` for the deep page, with a signed-in owner's session);
- the same pages with the naive OFFSET query (`run_views.list_runs_offset`): the baseline;
- a filtered deep page (status=failed).

Target: every keyset number < 1 s. Prints a table and writes bench/out/bench_runs_list.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PG_ADMIN_URL = os.environ.get("TRACEIQ_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PAGE = 25


def _median_ms(fn: Callable[[], Any], repeat: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _use(url: str, data_dir: Path) -> None:
    from traceiq_app.db import get_engine
    from traceiq_app.settings import reset_settings_cache

    with contextlib.suppress(Exception):  # first use: no engine yet
        get_engine().dispose()
    os.environ["DATABASE_URL"] = url
    os.environ["TRACEIQ_DATA_DIR"] = str(data_dir)
    os.environ["TRACEIQ_SECRET_KEY"] = "bench-secret-" + "k" * 40
    os.environ.pop("REDIS_URL", None)
    reset_settings_cache()


def _seed(n: int) -> dict[str, Any]:
    import sqlalchemy as sa
    from sqlmodel import Session

    from tests.factories import make_personas
    from traceiq_app.db import get_engine
    from traceiq_app.models import Run, RunStatus, RunTrigger
    from traceiq_app.services.platform.ids import uuid7

    with Session(get_engine(), expire_on_commit=False) as s:
        cast = make_personas(s)
        s.commit()
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    statuses = [RunStatus.passed, RunStatus.passed, RunStatus.failed, RunStatus.passed, RunStatus.cancelled]
    table: Any = Run.__table__  # type: ignore[attr-defined]

    def rows(project_id: uuid.UUID, count: int, user_id: uuid.UUID | None) -> list[dict[str, Any]]:
        out = []
        for i in range(count):
            out.append({
                "id": uuid7(), "project_id": project_id, "selection": {"suite_ids": [], "test_ids": [], "tags": []},
                "browsers": ["chromium"], "trigger": RunTrigger.ui if i % 3 else RunTrigger.api,
                "triggered_by_user_id": user_id if i % 3 else None, "status": statuses[i % len(statuses)],
                "total": 20, "passed": 18, "failed": 2, "flaky": 1, "errors": 0, "skipped": 0,
                "retries": 0, "parallelism": 4, "timeout_s": 3600, "branch": "main" if i % 2 else f"feat-{i % 50}",
                # Minutes apart, with some identical timestamps (the id breaks ties).
                "created_at": t0 + timedelta(minutes=i - (i % 7 == 0)), "duration_ms": 60_000 + i,
            })
        return out

    t = time.perf_counter()
    with get_engine().begin() as conn:
        all_rows = rows(cast.project.id, n, cast.alice.id)
        for start in range(0, len(all_rows), 2000):
            conn.execute(sa.insert(table), all_rows[start:start + 2000])
        conn.execute(sa.insert(table), rows(cast.globex_project.id, 2000, cast.charlie.id))
    seed_s = time.perf_counter() - t
    if get_engine().dialect.name == "postgresql":
        with get_engine().begin() as conn:
            conn.execute(sa.text("ANALYZE runs"))
    return {"project_id": cast.project.id, "alice_id": cast.alice.id, "seed_s": seed_s}


def _bench_backend(name: str, url: str, data_dir: Path, n: int) -> dict[str, Any]:
    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts import web_sessions
    from traceiq_app.services.platform.migrations import upgrade_to_head
    from traceiq_app.services.runs import views as run_views
    from traceiq_app.services.runs.views import RunFilters

    _use(url, data_dir)
    upgrade_to_head(url)
    seeded = _seed(n)
    pid = seeded["project_id"]
    last_page = (n - 1) // PAGE
    # The cursor of the deep (last) page = the last row of the page before it.
    before = run_views.list_runs_offset(pid, None, last_page - 1)
    from traceiq_app.models import Run

    with session_scope() as s:
        row = s.get(Run, uuid.UUID(before[-1].id))
        assert row is not None
        deep_cursor = run_views.encode_cursor(row.created_at, row.id)
    deep = run_views.list_runs(pid, RunFilters(), deep_cursor)
    # The public API's page of the same rows (GET /api/v1/projects/{p}/runs?cursor=).
    from traceiq_app.services.platform.pagination import encode_cursor as api_cursor
    from traceiq_app.services.runs import reports

    api_deep_cursor = api_cursor(f"runs:{pid}", row.created_at.isoformat(), row.id)
    api_deep = reports.page_runs(pid, PAGE, api_deep_cursor)
    assert [str(r.id) for r in api_deep.items] == [r.id for r in deep.rows], "API keyset page disagrees"
    offset_deep = run_views.list_runs_offset(pid, None, last_page)
    assert [r.id for r in deep.rows] == [r.id for r in offset_deep], "keyset and offset disagree"
    failed = RunFilters(status="failed")
    failed_total = n // 5
    failed_last = (failed_total - 1) // PAGE
    fbefore = run_views.list_runs_offset(pid, failed, failed_last - 1)
    with session_scope() as s:
        frow = s.get(Run, uuid.UUID(fbefore[-1].id))
        assert frow is not None
        fcursor = run_views.encode_cursor(frow.created_at, frow.id)

    # The state handlers, as a signed-in owner's tab calls them.
    from tests.accounts import matrix_support as ms
    from traceiq_app.state.runs.runs_list import RunsListState

    with session_scope() as s:
        alice = s.get(User, seeded["alice_id"])
        assert alice is not None
        cookie = web_sessions.create_session(s, alice, ip="127.0.0.1")
    state = ms.state_for(RunsListState, cookie, path=f"/projects/{pid}/runs")

    def state_first() -> None:
        state.load()
        assert len(state.rows) == PAGE and not state.error, state.error

    def state_deep() -> None:
        state.cursor, state.next_cursor, state.prev_cursors = "", deep_cursor, []
        state.next_page()
        assert state.rows and state.rows[0]["id"] == deep.rows[0].id, state.error

    results = {
        "backend": name, "runs": n, "seed_s": round(seeded["seed_s"], 2), "deep_page": last_page + 1,
        "first_page_keyset_ms": _median_ms(lambda: run_views.list_runs(pid, RunFilters(), "")),
        "first_page_offset_ms": _median_ms(lambda: run_views.list_runs_offset(pid, None, 0)),
        "deep_page_keyset_ms": _median_ms(lambda: run_views.list_runs(pid, RunFilters(), deep_cursor)),
        "deep_page_offset_ms": _median_ms(lambda: run_views.list_runs_offset(pid, None, last_page)),
        "failed_deep_keyset_ms": _median_ms(lambda: run_views.list_runs(pid, failed, fcursor)),
        "failed_deep_offset_ms": _median_ms(lambda: run_views.list_runs_offset(pid, failed, failed_last)),
        "api_deep_page_ms": _median_ms(lambda: reports.page_runs(pid, PAGE, api_deep_cursor)),
        "state_first_page_ms": _median_ms(state_first),
        "state_deep_page_ms": _median_ms(state_deep),
    }
    from traceiq_app.db import get_engine

    get_engine().dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tiq-bench-list-") as tmp:
        for backend in args.backends.split(","):
            data_dir = Path(tmp) / backend
            data_dir.mkdir()
            if backend == "sqlite":
                out.append(_bench_backend("sqlite", f"sqlite:///{data_dir / 'traceiq.db'}", data_dir, args.runs))
                continue
            import sqlalchemy as sa
            from sqlalchemy.engine import make_url

            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool,
                                     connect_args={"connect_timeout": 5})
            db = f"traceiq_bench_{uuid.uuid4().hex[:12]}"
            try:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
            except Exception as exc:  # noqa: BLE001
                print(f"postgres unavailable ({exc.__class__.__name__}): skipped")
                continue
            try:
                url = make_url(PG_ADMIN_URL).set(database=db).render_as_string(hide_password=False)
                out.append(_bench_backend("postgres", url, data_dir, args.runs))
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
                admin.dispose()
    print(f"\nRuns list, {args.runs} runs, page size {PAGE} (median of 7, ms)")
    print(f"{'backend':9} {'what':22} {'keyset':>9} {'OFFSET':>9} {'ratio':>7}")
    for r in out:
        for label, k, o in (("first page", r["first_page_keyset_ms"], r["first_page_offset_ms"]),
                            (f"deep page {r['deep_page']}", r["deep_page_keyset_ms"], r["deep_page_offset_ms"]),
                            ("deep page, failed only", r["failed_deep_keyset_ms"], r["failed_deep_offset_ms"]),
                            ("API v1 deep page", r["api_deep_page_ms"], r["deep_page_offset_ms"])):
            print(f"{r['backend']:9} {label:22} {k:9.2f} {o:9.2f} {o / k:6.1f}x")
        print(f"{r['backend']:9} {'state load (page 1)':22} {r['state_first_page_ms']:9.2f}")
        print(f"{r['backend']:9} {'state next_page (deep)':22} {r['state_deep_page_ms']:9.2f}")
    target_ok = all(max(r["first_page_keyset_ms"], r["deep_page_keyset_ms"], r["state_first_page_ms"],
                        r["state_deep_page_ms"]) < 1000 for r in out)
    print("target (< 1 s):", "met" if target_ok else "MISSED")
    (REPO / "bench" / "out").mkdir(parents=True, exist_ok=True)
    (REPO / "bench" / "out" / "bench_runs_list.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
