"""Bench results from other runners and tests as code, against baselines in the same script.

    .venv/bin/python bench/bench_results_ingest.py [--tests 2000]

On a temp SQLite database (migrated), with --tests tests:

1. Parsing a JUnit XML report (every 10th test failed, every 20th with a Surefire rerun):
   our parser (`imported_results.junit.parse_junit`, which tracks line numbers) vs junitparser
   walking the same cases (the baseline; it does not build our attempts).
2. Storing: `ingest` of that report (creating the tests' folders and cases the first time, then
   matching them) vs `runs.control.start_run` of the same number of tests without dispatch (the
   baseline: a native run writing one queued row per test).
3. Tests as code on a project with --tests native tests in 20 folders: `export_tree` and a
   no-change `push_tree` (plan of the pulled files) vs reading the same test rows (baseline).

Median of 5 (after one warm-up) except the first ingest. Targets: parse <= 3x junitparser;
ingest <= 3x start_run; a no-change push of 2,000 tests < 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _median_ms(fn: Callable[[], Any], repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _once_ms(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def junit_report(n: int) -> bytes:
    cases = []
    for i in range(n):
        body = ""
        if i % 10 == 0:
            body = f'<failure message="expected {i}">stack {i}</failure>'
            if i % 20 == 0:
                body += '<rerunFailure message="again"/>'
        cases.append(f'<testcase classname="tests.module_{i % 20}" name="test_{i}" time="0.{i % 9}">{body}</testcase>')
    return (f'<?xml version="1.0"?><testsuites><testsuite name="bench" tests="{n}">'
            + "".join(cases) + "</testsuite></testsuites>").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=2000)
    args = parser.parse_args()
    n = args.tests
    work = Path(tempfile.mkdtemp(prefix="tiq-bench-results-"))
    os.environ.update({"DATABASE_URL": f"sqlite:///{work / 'traceiq.db'}", "TRACEIQ_DATA_DIR": str(work),
                       "TRACEIQ_SECRET_KEY": "bench-secret-" + "k" * 40})
    os.environ.pop("REDIS_URL", None)
    from junitparser import JUnitXml
    from sqlmodel import Session, select

    from tests.factories import make_org, make_project, make_suite, make_test_case
    from traceiq_app.db import get_engine
    from traceiq_app.models import RunSelection, TestCase
    from traceiq_app.services.catalog import tree_sync
    from traceiq_app.services.platform.migrations import upgrade_to_head
    from traceiq_app.services.runs import control, imported_results
    from traceiq_app.services.runs.imported_results.junit import parse_junit
    from traceiq_app.settings import get_settings

    upgrade_to_head(get_settings().database_url_effective)
    data = junit_report(n)

    def baseline_parse() -> int:
        xml = JUnitXml.fromstring(data.decode())
        seen = []
        for suite in xml:
            for case in suite:
                seen.append((case.classname, case.name, case.time, [r.message for r in case.result]))
        return len(seen)

    parse_ours = _median_ms(lambda: parse_junit(data, "bench.xml"))
    parse_base = _median_ms(baseline_parse)

    with Session(get_engine(), expire_on_commit=False) as s:
        org = make_org(s, "Bench")
        imported = make_project(s, org, "Imported", slug="imported")
        native = make_project(s, org, "Native", slug="native", settings={"base_url": "http://127.0.0.1:9"})
        folders = [make_suite(s, native, f"Folder {f}") for f in range(20)]
        for i in range(n):
            make_test_case(s, native, f"Test {i}", suite=folders[i % 20])
        s.commit()
        imported_id, native_id = imported.id, native.id

    first_ingest = _once_ms(lambda: imported_results.ingest(imported_id, "bench.xml", data, {}))
    ingest = _median_ms(lambda: imported_results.ingest(imported_id, "bench.xml", data, {}))
    start = _median_ms(lambda: control.start_run(native_id, selection=RunSelection(), dispatch=False))

    def read_rows() -> int:
        with Session(get_engine()) as s:
            return len([c.definition() for c in s.exec(select(TestCase).where(TestCase.project_id == native_id)).all()])

    files = tree_sync.export_tree(native_id)
    export = _median_ms(lambda: tree_sync.export_tree(native_id))
    push = _median_ms(lambda: tree_sync.push_tree(native_id, files, prune=True, dry_run=False))
    rows = _median_ms(read_rows)
    assert not tree_sync.push_tree(native_id, files, prune=True, dry_run=True).changes

    print(f"results ingest / tests as code, {n} tests (SQLite, median ms)")
    print(f"{'':44}{'ours':>10}{'baseline':>10}{'ratio':>8}")
    print(f"{'parse JUnit XML (vs junitparser)':44}{parse_ours:10.1f}{parse_base:10.1f}{parse_ours / parse_base:8.2f}")
    print(f"{'ingest as a run, tests exist (vs start_run)':44}{ingest:10.1f}{start:10.1f}{ingest / start:8.2f}")
    print(f"{'first ingest, creating tests (vs start_run)':44}{first_ingest:10.1f}{start:10.1f}{first_ingest / start:8.2f}")
    print(f"{'export_tree (vs reading the rows)':44}{export:10.1f}{rows:10.1f}{export / rows:8.2f}")
    print(f"{'no-change push_tree (vs reading the rows)':44}{push:10.1f}{rows:10.1f}{push / rows:8.2f}")
    print(f"files exported: {len(files)}, {sum(len(v) for v in files.values()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
