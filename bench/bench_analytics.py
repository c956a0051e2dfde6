"""Analytics query times on a seeded history, SQLite and Postgres side by side.

    .venv/bin/python bench/bench_analytics.py [--runs 10000] [--tests-per-run 10] [--steps 5]
        [--repeat 5] [--no-postgres] [--sqlite PATH] [--pg-database NAME] [--browser]

Seeds a fresh database per backend with bench/seed_history.py (Postgres: a throwaway database on
TRACEIQ_TEST_PG_ADMIN_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres, dropped
afterwards), then times what the dashboard and the API ask for: every chart's series (per day and
per run, with and without a filter), the health table, the cluster list, one cluster and a run
comparison. Median of `--repeat` calls, in ms; target under 500 ms each. The issue's full size
is `--runs 20000 --tests-per-run 10 --steps 10` (2,000,000 step results; the queries never read
the step table, so its size changes seeding time only).

`--sqlite PATH` / `--pg-database NAME` keep the seeded databases (seeded only when they hold no
history yet, so the next run of the benchmark skips the minutes of seeding); otherwise they are
throwaway. `--browser` also times the dashboard page load in Chromium (the production app started
on each database, like the browser tests do: a few minutes to build the frontend): from
navigation until all seven charts are drawn, median of `--page-loads`; target under 2 s. Also printed:
when the health table below them is shown (the page asks for it once the charts are drawn).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seed_history import seed  # noqa: E402

PG_ADMIN = os.environ.get("TRACEIQ_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TARGET_MS = 500
PAGE_TARGET_MS = 2000
CHARTS = ("pass_rate", "outcomes", "duration", "flaky", "environment", "browser", "branch")
PAGE_ROW = "dashboard page load, browser (all charts)"
TABLE_ROW = "  then the health table shown (no target)"


def _ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm (connection, caches)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _measure(url: str, args: argparse.Namespace) -> tuple[dict[str, float], dict[str, Any]]:
    from traceiq_app.db import get_engine
    from traceiq_app.services.analytics import clusters, compare, filters, health, trends
    from traceiq_app.settings import reset_settings_cache

    os.environ["DATABASE_URL"] = url
    reset_settings_cache()
    seeded = _existing(url) or seed(url, runs=args.runs, tests=args.tests, tests_per_run=args.tests_per_run,
                                    steps=args.steps, days=args.days)
    pid = seeded["project_id"]
    main = filters.resolve(pid, branch="main")
    smoke = filters.resolve(pid, tag="smoke")
    import sqlalchemy as sa

    with get_engine().connect() as c:
        last_run = c.execute(sa.text("SELECT id FROM runs ORDER BY created_at DESC LIMIT 1")).scalar_one()
    last_run = last_run if isinstance(last_run, uuid.UUID) else uuid.UUID(str(last_run))
    top = clusters.clusters(pid)[0]["id"]
    cases: dict[str, Callable[[], Any]] = {
        "trends per day (all charts)": lambda: trends.trends(pid),
        "trends per day, branch=main": lambda: trends.trends(pid, main),
        "trends per run (last 200)": lambda: trends.trends(pid, bucket="run"),
        "trends per day, tag=smoke": lambda: trends.trends(pid, smoke),
        "health table (window 10)": lambda: health.health_table(pid),
        "health table, branch=main": lambda: health.health_table(pid, main),
        "cluster list": lambda: clusters.clusters(pid),
        "one cluster + occurrences": lambda: clusters.cluster(pid, top),
        "run comparison": lambda: compare.compare(last_run),
    }
    out = {name: _ms(fn, args.repeat) for name, fn in cases.items()}
    get_engine().dispose()
    if args.browser:
        out[PAGE_ROW], out[TABLE_ROW] = _page_load(url, pid, args.page_loads)
    return out, seeded


def _existing(url: str) -> dict[str, Any] | None:
    """A history seeded earlier in this database (kept with --sqlite / --pg-database)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as c:
            pid = c.execute(sa.text("SELECT id FROM projects WHERE slug = 'history'")).scalar()
            if pid is None:
                return None
            counts = {name: c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for name, table in
                      (("runs", "runs"), ("results", "test_results"), ("steps", "step_results"),
                       ("facts", "result_facts"))}
    except sa.exc.DBAPIError:
        return None  # not migrated yet
    finally:
        engine.dispose()
    from traceiq_app.services.platform.migrations import upgrade_to_head

    upgrade_to_head(url)  # a history kept from an older schema: bring it to this code's
    print(f"(reusing the history seeded earlier in {url.split('@')[-1]})")
    return {"project_id": pid if isinstance(pid, uuid.UUID) else uuid.UUID(str(pid)), "seconds": 0.0, **counts}


def _page_load(url: str, project_id: uuid.UUID, loads: int) -> tuple[float, float]:
    """The production app on this database; an owner of the seeded org opens the dashboard:
    ms from navigation start until every chart has its data drawn (Plotly's traces in its .main-svg),
    and until the health table below them is shown (the page asks for it once the charts are drawn)."""
    from tests.accounts.matrix_support import session_cookie
    from tests.factories import add_org_member, make_user
    from tests.support.app_server import AppServer
    from tests.support.processes import RedisServer
    from traceiq_app.db import get_engine, session_scope
    from traceiq_app.engine.browser import BrowserPool
    from traceiq_app.models import Organization, OrgRole, Project

    with session_scope() as s:
        project = s.get(Project, project_id)
        assert project is not None
        org = s.get(Organization, project.org_id)
        user = make_user(s, f"bench-{uuid.uuid4().hex[:8]}@bench.test", display_name="Bench")
        add_org_member(s, org, user, OrgRole.owner)
        user_id = user.id
    cookie = session_cookie(user_id)
    get_engine().dispose()
    redis = RedisServer(Path(tempfile.mkdtemp(prefix="tiq-bench-redis-"))).start()
    server = AppServer(env={"DATABASE_URL": url, "TRACEIQ_SECRET_KEY": os.environ["TRACEIQ_SECRET_KEY"],
                            "REDIS_URL": redis.url, "GRANIAN_WORKERS": "2"})
    drawn = " && ".join(f"(document.getElementById('chart-{c}')?.data?.[0]?.x?.length > 0 && "
                        f"document.querySelector('#chart-{c} .main-svg g.trace'))" for c in CHARTS)
    times, table_times = [], []
    try:
        pool = BrowserPool()  # the engine's Chromium, found as the app finds it
        try:
            context = pool.get("chromium").new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "tiq_session", "value": cookie, "url": server.url}])
            page = context.new_page()
            for i in range(loads + 1):  # the first load warms the app (compiled pages, caches)
                page.goto("about:blank")
                started = time.perf_counter()
                page.goto(f"{server.url}/projects/{project_id}/analytics")
                try:
                    page.wait_for_function(f"() => !!({drawn})", timeout=120_000, polling=50)
                except Exception:
                    state = page.evaluate("() => [...document.querySelectorAll('[id^=chart-]')].map(e => "
                                          "e.id + ':' + ((e.data || [])[0]?.x?.length) + ':' + "
                                          "!!e.querySelector('.main-svg g.trace'))")
                    print(f"page not drawn: {page.url} charts={state} text={page.inner_text('body')[:400]!r}")
                    raise
                charts_ms = (time.perf_counter() - started) * 1000
                page.wait_for_function("() => !!document.getElementById('health-table') && "
                                       "!document.getElementById('health-loading')", timeout=120_000, polling=50)
                if i:
                    times.append(charts_ms)
                    table_times.append((time.perf_counter() - started) * 1000)
            context.close()
        finally:
            pool.close()
    finally:
        server.stop()
        server.cleanup()
        redis.stop()
    return statistics.median(times), statistics.median(table_times)


def _postgres_url(keep: str | None = None) -> tuple[str, Callable[[], None]] | None:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = keep or f"tiq_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as c:
            exists = c.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if not exists:
                c.execute(sa.text(f"CREATE DATABASE {name}"))
    except Exception as exc:  # noqa: BLE001 - no server: SQLite only
        print(f"(Postgres unavailable at {PG_ADMIN}: {exc.__class__.__name__}; SQLite only)")
        return None

    def drop() -> None:
        from traceiq_app.db import get_engine

        get_engine().dispose()
        if keep:
            return
        with admin.connect() as c:
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--tests-per-run", type=int, default=10)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--sqlite", help="keep the SQLite history in this file (reused when seeded)")
    parser.add_argument("--pg-database", help="keep the Postgres history in this database (reused when seeded)")
    parser.add_argument("--browser", action="store_true", help="also time the dashboard page load in Chromium")
    parser.add_argument("--page-loads", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tiq-bench-analytics-"))
    os.environ.setdefault("TRACEIQ_SECRET_KEY", "bench-" + "x" * 40)
    os.environ["TRACEIQ_DATA_DIR"] = str(tmp)
    os.environ.pop("REDIS_URL", None)
    results: dict[str, dict[str, float]] = {}
    sizes: dict[str, dict[str, Any]] = {}
    if not args.no_sqlite:
        path = Path(args.sqlite).resolve() if args.sqlite else tmp / "history.db"
        results["sqlite"], sizes["sqlite"] = _measure(f"sqlite:///{path}", args)
    if not args.no_postgres:
        pg = _postgres_url(args.pg_database)
        if pg is not None:
            url, drop = pg
            try:
                results["postgres"], sizes["postgres"] = _measure(url, args)
            finally:
                drop()
    for backend, size in sizes.items():
        print(f"{backend}: seeded {size['runs']} runs, {size['results']} results, {size['steps']} step results, "
              f"{size['facts']} facts in {size['seconds']:.0f} s")
    backends = list(results)
    print(f"\n{'query (median ms, target < ' + str(TARGET_MS) + ')':42}" + "".join(f"{b:>12}" for b in backends))
    for name in results[backends[0]]:
        target = {PAGE_ROW: PAGE_TARGET_MS, TABLE_ROW: float("inf")}.get(name, TARGET_MS)
        cells = "".join(f"{results[b][name]:>11.1f}{'!' if results[b][name] > target else ' '}" for b in backends)
        print(f"{name:42}{cells}")
    worst = max(v for r in results.values() for k, v in r.items() if k not in (PAGE_ROW, TABLE_ROW))
    print(f"\nslowest query: {worst:.1f} ms ({'within' if worst <= TARGET_MS else 'OVER'} the {TARGET_MS} ms target)")
    pages = [r[PAGE_ROW] for r in results.values() if PAGE_ROW in r]
    if pages:
        print(f"slowest page load: {max(pages):.0f} ms "
              f"({'within' if max(pages) <= PAGE_TARGET_MS else 'OVER'} the {PAGE_TARGET_MS} ms target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
