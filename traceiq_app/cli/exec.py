"""`traceiq exec`: run test files locally (CI), no server, database or Redis needed.

    traceiq exec PATH... [--base-url URL] [--env-file F] [--browser NAME] [--headed]
                 [--workers N] [--report-json F] [--junit F] [--artifacts DIR] [--video]
                 [--trace on|off|failures] [--deny-private] [--allow-link-local] [--strict]
                 [--heal-store FILE [--heal]]

PATH: files or folders of native tests (.json/.yaml/.yml), Chrome Recorder flows (.json,
recognised by shape) and Playwright codegen scripts (.py). Every input is validated before
anything runs. An invalid file is listed (file and step, one line per problem), skipped, and
reported as an error in every report; the valid files run. --strict: any invalid file stops
the run before it starts (exit 2, nothing run). Problems with the command itself (options,
missing paths, the env file) always exit 2.
Exit 0 when all tests passed, 1 when any failed, errored or was invalid, 2 for bad input
(see above) or no browser.

--env-file: dotenv `KEY=VALUE` lines give `${KEY}` variables. A variable is SECRET (its value
is masked as ••• in output, reports and JUnit) when its name starts with `SECRET_` or is
listed in a `TRACEIQ_SECRETS=A,B` line of the file (the TRACEIQ_SECRETS line itself is not a
variable).

Network: tests may load only http(s) URLs (file:, chrome:, view-source: ... fail the step).
Link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, metadata.google.internal...)
are refused unless --allow-link-local; --deny-private also refuses private and loopback ranges
(10/8, 172.16/12, 192.168/16, 127/8, ::1, fc00::/7, 100.64/10). Host names are resolved and
every address checked. See docs/security.md.

--workers N: N processes, each with one warm browser; tests are handed out one at a time to
whichever worker is free.

--heal-store FILE records the fingerprint of each located element (tag, id, classes, text, role
and name, key attributes, path) on passing steps; --heal then heals a step whose element is
gone by finding the same element on the changed page. A healed test stays "passed" and lists
"healed_steps" [{"index", "from", "to", "score"}] in --report-json (a note in JUnit).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from traceiq_app.cli import exec_healing

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SECRET_PREFIX = "SECRET_"
SECRETS_KEY = "TRACEIQ_SECRETS"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REF = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")


# ---- argument parsing ------------------------------------------------------------------
def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "exec",
        help="run test files locally (native, Chrome Recorder, Playwright codegen)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="test files or folders")
    parser.add_argument("--base-url", default=None, help="rebase absolute URLs onto this origin; base for relative ones")
    parser.add_argument("--env-file", default=None, help="dotenv KEY=VALUE file with variables (SECRET_* are masked)")
    parser.add_argument("--browser", default="chromium", help="chromium (default), firefox or webkit")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--workers", type=int, default=1, help="parallel browser processes (default 1)")
    parser.add_argument("--report-json", default=None, metavar="F", help="write a JSON report")
    parser.add_argument("--junit", default=None, metavar="F", help="write a JUnit XML report")
    parser.add_argument("--artifacts", default=None, metavar="DIR", help="keep traces, videos and screenshots here")
    parser.add_argument("--video", action="store_true", help="record a video of every test (needs --artifacts)")
    parser.add_argument("--trace", choices=["on", "off", "failures"], default=None,
                        help="Playwright traces: on, off, failures (default: failures with --artifacts)")
    parser.add_argument("--deny-private", action="store_true",
                        help="refuse private and loopback addresses (10/8, 172.16/12, 192.168/16, 127/8, ::1...)")
    parser.add_argument("--allow-link-local", action="store_true",
                        help="allow link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10...)")
    parser.add_argument("--strict", action="store_true",
                        help="any invalid test file stops the run before it starts (exit 2)")
    exec_healing.add_arguments(parser)


# ---- inputs ----------------------------------------------------------------------------
@dataclass
class EnvFile:
    variables: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


def read_env_file(path: Path) -> tuple[EnvFile, list[str]]:
    """Parse a dotenv file; returns the variables and a list of located problems."""
    from dotenv import dotenv_values

    problems: list[str] = []
    if not path.is_file():
        return EnvFile(), [f"{path}: env file not found"]
    try:
        raw = dotenv_values(path, interpolate=False)
    except (OSError, UnicodeDecodeError) as exc:
        return EnvFile(), [f"{path}: cannot read: {exc}"]
    secret_names = {n.strip() for n in (raw.pop(SECRETS_KEY, None) or "").split(",") if n.strip()}
    env = EnvFile()
    for key, value in raw.items():
        if not _NAME.match(key):
            problems.append(f"{path}: {key!r} is not a valid variable name (letters, digits, _)")
            continue
        if value is None:
            problems.append(f"{path}: {key} has no value (expected {key}=VALUE)")
            continue
        if key.startswith(SECRET_PREFIX) or key in secret_names:
            env.secrets[key] = value
        else:
            env.variables[key] = value
    for name in sorted(secret_names - set(raw)):
        problems.append(f"{path}: {SECRETS_KEY} lists {name}, which the file does not define")
    return env, problems


@dataclass
class Job:
    index: int
    path: Path
    name: str
    test_json: str  # TestDefinition as JSON: cheap and safe to send to a worker process
    fingerprints: dict[str, Any] | None = None  # --heal-store: this test's stored fingerprints


def _unknown_variables(test: Any, known: set[str]) -> list[str]:
    """`${NAME}` references that nothing defines, as located problems (step numbers 1-based)."""
    defined = set(known) | set(test.variables)
    problems: list[str] = []
    for index, step in enumerate(test.steps):
        dumped = json.dumps(step.model_dump(mode="json", exclude={"variable"}))
        for escaped, name in _REF.findall(dumped):
            if not escaped and name not in defined:
                problems.append(f"step {index + 1} ({step.action}): unknown variable ${{{name}}}")
        variable = getattr(step, "variable", None)
        if variable:
            defined.add(variable)  # extract / evaluate define it for the following steps
    return sorted(set(problems), key=problems.index)


def prepare(paths: list[str], env: EnvFile, browser: str,
            invalid: dict[Path, list[str]] | None = None) -> tuple[list[Job], list[str]]:
    """Collect and validate every input. Returns (jobs, problems). With `invalid`, the problems
    of files that exist but cannot run go there (per file) instead of into `problems`."""
    from traceiq_app.engine.browser import BROWSERS
    from traceiq_app.engine.errors import DefinitionError
    from traceiq_app.engine.importers import collect, load_any

    problems: list[str] = []
    if browser not in BROWSERS:
        problems.append(f"--browser: unknown browser {browser!r} (use one of {', '.join(BROWSERS)})")
    files: list[Path] = []
    for raw in paths:
        try:
            found = collect([raw])
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if not found:
            problems.append(f"{raw}: no test files (.json, .yaml, .yml, .py) in this folder")
        files.extend(f for f in found if f not in files)
    known = set(env.variables) | set(env.secrets)
    jobs: list[Job] = []
    for path in files:
        file_problems: list[str] = []
        try:
            test = load_any(path)
        except DefinitionError as exc:
            file_problems.extend(exc.problems)
        except Exception as exc:  # noqa: BLE001 - a loader bug must not hide the other files
            file_problems.append(f"{path.name}: cannot load: {type(exc).__name__}: {exc}")
        else:
            file_problems.extend(f"{path.name}: {p}" for p in _unknown_variables(test, known))
        if not file_problems:
            jobs.append(Job(len(jobs), path, path.stem, test.model_dump_json()))
        elif invalid is not None:
            invalid[path] = file_problems
        else:
            problems.extend(file_problems)
    return jobs, problems


# ---- running ---------------------------------------------------------------------------
@dataclass
class RunConfig:
    browser: str
    headed: bool
    base_url: str | None
    variables: dict[str, str]
    secrets: dict[str, str]
    artifacts: str | None
    video: bool
    trace: str
    deny_private: bool = False
    allow_link_local: bool = False
    heal_store: bool = False  # record fingerprints (Job.fingerprints holds the stored ones)
    heal: bool = False


class BrowserMissing(Exception):
    """Raised in a worker when the browser cannot start; aborts the whole run with exit 2."""


_ENGINE: Any = None
_CONFIG: RunConfig | None = None


def _worker_init(config: RunConfig, pool: Any = None) -> None:
    global _ENGINE, _CONFIG
    from traceiq_app.engine.runner import Engine

    _CONFIG = config
    _ENGINE = Engine(config.browser, headless=not config.headed, pool=pool)
    import atexit

    atexit.register(_ENGINE.close)


def _artifact_dir(config: RunConfig, job: Job) -> Path | None:
    # The engine keeps each test's files in <DIR>/<test name>[-N]/, unique even across workers.
    return Path(config.artifacts) if config.artifacts else None


_PARSED: dict[int, tuple[Any, Any]] = {}  # job index -> (test, options) parsed ahead (the next job)


def _test_and_options(job: Job, config: RunConfig) -> tuple[Any, Any]:
    from traceiq_app.engine.model import TestDefinition
    from traceiq_app.engine.results import RunOptions

    if job.index in _PARSED:
        return _PARSED.pop(job.index)
    test = TestDefinition.model_validate_json(job.test_json)
    options = RunOptions(
        artifacts_dir=_artifact_dir(config, job),
        trace=config.trace,  # type: ignore[arg-type]
        video=config.video,
        base_url=config.base_url,
        variables=dict(config.variables),
        secrets=dict(config.secrets),
        deny_private=config.deny_private,
        allow_link_local=config.allow_link_local,
    )
    if config.heal_store:
        from traceiq_app.engine.healing import HealingOptions

        options.healing = HealingOptions(fingerprints=dict(job.fingerprints or {}), heal=config.heal)
    return test, options


def _run_job(job: Job, next_job: Job | None = None) -> dict[str, Any]:
    """Run one test in this process's warm engine; returns the report entry. next_job: the test
    this process runs next, whose browser context is made while this one runs."""
    from traceiq_app.engine.errors import BrowserNotAvailable

    assert _ENGINE is not None and _CONFIG is not None
    config = _CONFIG
    try:
        _ENGINE.check_browser()
    except BrowserNotAvailable as exc:
        raise BrowserMissing(str(exc)) from None
    test, options = _test_and_options(job, config)
    then = None
    if next_job is not None:
        try:
            then = _PARSED[next_job.index] = _test_and_options(next_job, config)
        except Exception:  # noqa: BLE001 - its own run reports it
            then = None
    started = time.monotonic()
    try:
        result = _ENGINE.run(test, options, source_dir=job.path.parent, then=then)
    except Exception as exc:  # noqa: BLE001 - an engine bug errors one test, not the whole run
        return _error_entry(job, f"internal error: {type(exc).__name__}: {exc}",
                            int((time.monotonic() - started) * 1000))
    entry = _entry(job, test, result)
    if config.heal_store:
        entry["fingerprints"], entry["heal_key"] = result.fingerprints, exec_healing.test_key(job.path)
    if entry["error"] and entry["failed_step"] is not None:
        line = test.steps[entry["failed_step"]].source_line
        if line and f"line {line}" not in entry["error"]:
            entry["error"] = f"line {line}: {entry['error']}"
    return entry


def _error_entry(job: Job, error: str, duration_ms: int) -> dict[str, Any]:
    return {"name": job.name, "source": str(job.path), "status": "error", "duration_ms": duration_ms,
            "failed_step": None, "error": error, "steps": [], "artifacts": {}, "healed_steps": []}


def _invalid_entry(path: Path, problems: list[str]) -> dict[str, Any]:
    """A file that could not be loaded: an error in every report, with every problem."""
    return {"name": path.stem, "source": str(path), "status": "error", "duration_ms": 0, "failed_step": None,
            "error": "invalid test file: " + "; ".join(problems), "steps": [], "artifacts": {},
            "healed_steps": []}


def _entry(job: Job, test: Any, result: Any) -> dict[str, Any]:
    steps = [
        {"index": s.index, "type": s.type, "status": s.status, "duration_ms": s.duration_ms, "error": s.error}
        for s in result.steps
    ]
    return {
        "name": job.name,
        "source": str(job.path),
        "status": result.status,
        "duration_ms": result.duration_ms,
        "failed_step": result.failed_step,
        "error": result.error,
        "steps": steps,
        "artifacts": _jsonable(result.artifacts),
        "healed_steps": result.healed_steps,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _run_serial(jobs: list[Job], config: RunConfig, on_done: Callable[[dict[str, Any]], None],
                pool: Any = None) -> None:
    _worker_init(config, pool)
    try:
        for i, job in enumerate(jobs):
            on_done(_run_job(job, jobs[i + 1] if i + 1 < len(jobs) else None))
    finally:
        global _ENGINE
        _PARSED.clear()
        if _ENGINE is not None:
            _ENGINE.close()
            _ENGINE = None


def _run_parallel(jobs: list[Job], config: RunConfig, workers: int,
                  on_done: Callable[[dict[str, Any]], None]) -> None:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    # spawn: a clean interpreter per worker (no inherited Playwright pipes or threads).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                             initargs=(config,)) as pool:
        job_of: dict[Future[dict[str, Any]], Job] = {pool.submit(_run_job, job): job for job in jobs}
        pending = set(job_of)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        entry = future.result()
                    except BrowserMissing:
                        raise
                    except Exception as exc:  # noqa: BLE001 - e.g. a worker process died
                        entry = _error_entry(job_of[future], f"worker failed: {type(exc).__name__}: {exc}", 0)
                    on_done(entry)
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


# ---- output ----------------------------------------------------------------------------
class Progress:
    """Rich progress bar on a TTY, else one plain line per finished test."""

    def __init__(self, total: int, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        self.total = total
        self.done = 0
        self._bar: Any = None
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self.console = Console(file=self.stream)
            self._bar = RichProgress(TextColumn("[bold]traceiq exec"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.console, transient=False)
            self._task = self._bar.add_task("tests", total=total)
            self._bar.start()

    def finished(self, entry: dict[str, Any]) -> None:
        self.done += 1
        line = _result_line(entry)
        if self._bar is not None:
            style = {"passed": "green", "failed": "red", "error": "yellow"}[entry["status"]]
            self._bar.console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
            self._bar.advance(self._task)
            if self.done == self.total:
                self.close()  # stop the live display now, not after the browser shut down
        else:
            print(f"[{self.done}/{self.total}] {line}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _result_line(entry: dict[str, Any]) -> str:
    label = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}[entry["status"]]
    if entry.get("healed_steps") and entry["status"] == "passed":
        label += f" (healed {len(entry['healed_steps'])})"
    line = f"{label} {entry['name']} ({entry['duration_ms'] / 1000:.2f} s)"
    if entry["status"] != "passed" and entry.get("error"):
        line += f" - {entry['error']}"
    return line


def build_report(entries: list[dict[str, Any]], duration_ms: int) -> dict[str, Any]:
    return {
        "summary": {
            "total": len(entries),
            "passed": sum(e["status"] == "passed" for e in entries),
            "failed": sum(e["status"] == "failed" for e in entries),
            "errors": sum(e["status"] == "error" for e in entries),
            "duration_ms": duration_ms,
        },
        "tests": entries,
    }


def write_junit(report: dict[str, Any], path: Path) -> None:
    """JUnit XML in the xunit2 flavour (valid against Jenkins junit-10.xsd)."""
    from junitparser import Error, Failure
    from junitparser.xunit2 import JUnitXml, TestCase, TestSuite

    suite = TestSuite("traceiq exec")
    for entry in report["tests"]:
        case = TestCase(entry["name"], classname=_classname(entry["source"]), time=entry["duration_ms"] / 1000)
        if entry["status"] in ("failed", "error"):
            message = entry["error"] or entry["status"]
            outcome = Failure(message, "StepFailed") if entry["status"] == "failed" else Error(message, "TestError")
            outcome.text = _junit_details(entry)
            case.result = [outcome]
        note = exec_healing.junit_note(entry)
        if note:
            case.system_out = note
        suite.add_testcase(case)
    suite.update_statistics()
    xml = JUnitXml("traceiq")
    xml.add_testsuite(suite)
    xml.update_statistics()
    path.parent.mkdir(parents=True, exist_ok=True)
    xml.write(str(path), pretty=True)


def _classname(source: str) -> str:
    parent = Path(source).parent.as_posix()
    return "traceiq." + (parent.replace("/", ".").strip(".") or "tests")


def _junit_details(entry: dict[str, Any]) -> str:
    lines = [f"source: {entry['source']}"]
    if entry["failed_step"] is not None:
        lines.append(f"failed step index: {entry['failed_step']}")
    for step in entry["steps"]:
        lines.append(f"  [{step['index']}] {step['type']}: {step['status']}"
                     + (f" - {step['error']}" if step["error"] else ""))
    for kind, value in entry.get("artifacts", {}).items():
        lines.append(f"{kind}: {value}")
    return "\n".join(lines)


def _mask_all(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask_all(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_all(v, mask) for v in value]
    return value


# ---- entry point -----------------------------------------------------------------------
class _Prelaunch:
    """One worker: launch the browser while the inputs are imported and validated in a thread
    (the launch mostly waits on the driver and browser processes, validation is Python work),
    so startup costs max(launch, validation) rather than their sum. A launch failure is left
    for the run to report (exit 2); input problems close the browser unused."""

    def __init__(self, browser: str, headless: bool) -> None:
        # Imported here, before the thread starts, so both threads never import Playwright at once.
        from traceiq_app.engine.browser import BROWSERS, BrowserPool

        self.browser = browser
        self.pool = BrowserPool(headless=headless) if browser in BROWSERS else None

    def prepare(self, paths: list[str], env: EnvFile,
                invalid: dict[Path, list[str]] | None = None) -> tuple[list[Job], list[str]]:
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["result"] = prepare(paths, env, self.browser, invalid)
                # The runner too (~0.1 s of imports), while the main thread waits on the driver.
                import traceiq_app.engine.runner  # noqa: F401
            except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                outcome["error"] = exc

        thread = threading.Thread(target=work, name="traceiq-prepare", daemon=True)
        thread.start()
        if self.pool is not None:
            # A failure (no browser...) is reported by the run, with its usual message, if the
            # inputs are fine: the run's first check_browser tries again.
            with contextlib.suppress(Exception):
                self.pool.get(self.browser)
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        result: tuple[list[Job], list[str]] = outcome["result"]
        return result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def run(args: argparse.Namespace) -> int:
    from traceiq_app.engine.variables import Masker

    err = sys.stderr
    env = EnvFile()
    problems: list[str] = []
    if args.workers < 1:
        problems.append("--workers must be at least 1")
    if args.env_file:
        env, env_problems = read_env_file(Path(args.env_file))
        problems.extend(env_problems)
    if args.base_url and not re.match(r"^https?://[^/\s]+", args.base_url):
        problems.append(f"--base-url: {args.base_url!r} is not an http(s) URL")
    if args.video and not args.artifacts:
        problems.append("--video needs --artifacts DIR (where to keep the videos)")
    if args.trace == "on" and not args.artifacts:
        problems.append("--trace on needs --artifacts DIR (where to keep the traces)")
    heal_tests, heal_problems = exec_healing.check(args)
    problems.extend(heal_problems)
    warm = _Prelaunch(args.browser, not args.headed) if args.workers == 1 and not problems else None
    invalid: dict[Path, list[str]] | None = None if getattr(args, "strict", False) else {}
    try:
        jobs, load_problems = (warm.prepare(args.paths, env, invalid) if warm
                               else prepare(args.paths, env, args.browser, invalid))
    except BaseException:
        if warm:
            warm.close()
        raise
    problems.extend(load_problems)
    if problems:
        problems.extend(p for file_problems in (invalid or {}).values() for p in file_problems)
        if warm:
            warm.close()
        print(f"traceiq exec: {len(problems)} problem(s) found; nothing was run:", file=err)
        for problem in problems:
            print(f"  {problem}", file=err)
        return EXIT_USAGE

    if invalid:
        count = sum(len(v) for v in invalid.values())
        print(f"traceiq exec: {len(invalid)} invalid file(s) skipped ({count} problem(s); "
              "--strict stops the run instead):", file=err)
        for file_problems in invalid.values():
            for problem in file_problems:
                print(f"  {problem}", file=err)
    if not jobs and warm:
        warm.close()
    mask = Masker(env.secrets.values())
    config = RunConfig(
        browser=args.browser, headed=args.headed, base_url=args.base_url, variables=env.variables,
        secrets=env.secrets, artifacts=args.artifacts, video=args.video,
        trace=args.trace or ("failures" if args.artifacts else "off"),
        deny_private=args.deny_private, allow_link_local=args.allow_link_local,
        heal_store=bool(args.heal_store), heal=args.heal,
    )
    if args.heal_store:
        for job in jobs:
            job.fingerprints = heal_tests.get(exec_healing.test_key(job.path), {})
    workers = min(args.workers, len(jobs))
    entries: dict[int, dict[str, Any]] = {}
    progress = Progress(len(jobs) + len(invalid or {}))
    started = time.monotonic()
    index_of = {str(job.path): job.index for job in jobs}
    for path, file_problems in (invalid or {}).items():
        entry = _mask_all(_invalid_entry(path, file_problems), mask)
        entries[len(jobs) + len(entries)] = entry  # after the tests that run, in file order
        progress.finished(entry)

    def on_done(entry: dict[str, Any]) -> None:
        entry = _mask_all(entry, mask)
        entries[index_of[entry["source"]]] = entry
        progress.finished(entry)

    try:
        if not jobs:
            pass
        elif workers <= 1:
            _run_serial(jobs, config, on_done, warm.pool if warm else None)
        else:
            _run_parallel(jobs, config, workers, on_done)
    except BrowserMissing as exc:
        progress.close()
        print(f"traceiq exec: {exc}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        progress.close()
        print("traceiq exec: interrupted", file=err)
        return 130
    finally:
        progress.close()
    duration_ms = int((time.monotonic() - started) * 1000)
    if args.heal_store and exec_healing.merge(heal_tests, list(entries.values())):
        exec_healing.save(args.heal_store, heal_tests)
    report = build_report([entries[i] for i in sorted(entries)], duration_ms)
    summary = report["summary"]
    if args.report_json:
        out = Path(args.report_json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.junit:
        write_junit(report, Path(args.junit))
    print(f"{summary['total']} tests: {summary['passed']} passed, {summary['failed']} failed, "
          f"{summary['errors']} errors in {duration_ms / 1000:.2f} s")
    return EXIT_OK if summary["passed"] == summary["total"] else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="traceiq exec", description="run test files locally")
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
