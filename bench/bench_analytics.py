"""Analytics query times on a seeded history, SQLite and Postgres side by side.

    .venv/bin/python bench/bench_analytics.py [--runs 10000] [--tests-per-run 10] [--steps 5]
        [--repeat 5] [--no-postgres]

Seeds a fresh database per backend with bench/seed_history.py (Postgres: a throwaway database on
TRACEIQ_TEST_PG_ADMIN_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres, dropped
afterwards), then times what the dashboard and the API ask for: every chart's series (per day and
per run, with and without a filter), the health table, the cluster list, one cluster and a run
comparison. Median of `--repeat` calls, in ms; target under 500 ms each. The issue's full size
is `--runs 20000 --tests-per-run 10 --steps 10` (2,000,000 step results; the queries never read
the step table, so its size changes seeding time only).
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
    seeded = seed(url, runs=args.runs, tests=args.tests, tests_per_run=args.tests_per_run, steps=args.steps,
                  days=args.days)
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
    return out, seeded


def _postgres_url() -> tuple[str, Callable[[], None]] | None:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"tiq_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as c:
            c.execute(sa.text(f"CREATE DATABASE {name}"))
    except Exception as exc:  # noqa: BLE001 - no server: SQLite only
        print(f"(Postgres unavailable at {PG_ADMIN}: {exc.__class__.__name__}; SQLite only)")
        return None

    def drop() -> None:
        from traceiq_app.db import get_engine

        get_engine().dispose()
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
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tiq-bench-analytics-"))
    os.environ.setdefault("TRACEIQ_SECRET_KEY", "bench-" + "x" * 40)
    os.environ["TRACEIQ_DATA_DIR"] = str(tmp)
    os.environ.pop("REDIS_URL", None)
    results: dict[str, dict[str, float]] = {}
    sizes: dict[str, dict[str, Any]] = {}
    results["sqlite"], sizes["sqlite"] = _measure(f"sqlite:///{tmp / 'history.db'}", args)
    if not args.no_postgres:
        pg = _postgres_url()
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
    for name in results["sqlite"]:
        cells = "".join(f"{results[b][name]:>11.1f}{'!' if results[b][name] > TARGET_MS else ' '}" for b in backends)
        print(f"{name:42}{cells}")
    worst = max(v for r in results.values() for v in r.values())
    print(f"\nslowest: {worst:.1f} ms ({'within' if worst <= TARGET_MS else 'OVER'} the {TARGET_MS} ms target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
