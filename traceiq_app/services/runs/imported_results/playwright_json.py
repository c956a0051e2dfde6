"""The Playwright Test JSON reporter's format (`--reporter=json`):

    {"config": {...}, "stats": {"startTime", "duration", ...},
     "suites": [{"title", "file", "specs": [...], "suites": [...nested describe blocks]}]}
    spec:   {"title", "file", "tests": [{"projectName", "status", "results": [...]}]}
    result: {"status": passed|failed|timedOut|skipped|interrupted, "duration", "retry",
             "startTime", "errors": [{"message", "stack"}], "steps": [{"title", "duration",
             "error", "steps"}], "attachments": [{"name", "contentType", "path" | "body"}],
             "stdout": [{"text"} | {"buffer"}]}

One spec × project is one test (folder: file, then describe blocks); each result is an attempt
(`retry` 0, 1, ...). Attachment paths are the CI machine's; `store` matches them with the
uploaded files. Problems name the JSON path of what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

from traceiq_app.services.runs.imported_results.report import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    Attachment,
    Attempt,
    ParsedReport,
    ParsedTest,
    ReportInvalid,
    Step,
)

MAX_TEXT = 20_000
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STATUSES = {"passed": PASSED, "failed": FAILED, "timedOut": FAILED, "skipped": SKIPPED, "interrupted": ERROR}


def looks_like_playwright_json(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"suites"' in data


def _clean(text: Any) -> str:
    return ANSI_RE.sub("", str(text or "")).strip()[:MAX_TEXT]


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ms(value: Any) -> int | None:
    return max(0, round(value)) if isinstance(value, int | float) and not isinstance(value, bool) else None


def browser_of(project_name: str) -> str:
    name = project_name.lower()
    if "firefox" in name:
        return "firefox"
    if "webkit" in name or "safari" in name:
        return "webkit"
    return "chromium"


def _error_text(error: Any) -> str | None:
    if not isinstance(error, dict):
        return None
    text = _clean(error.get("message") or error.get("value") or "")
    stack = _clean(error.get("stack") or "")
    if stack and stack != text and not stack.startswith(text or "\x00"):
        text = f"{text}\n{stack}" if text else stack
    return text or None


def _steps(raw: Any, prefix: str = "") -> list[Step]:
    out: list[Step] = []
    for step in raw if isinstance(raw, list) else []:
        if not isinstance(step, dict):
            continue
        title = (prefix + " › " if prefix else "") + _clean(step.get("title") or "step")[:400]
        error = _error_text(step.get("error"))
        out.append(Step(title=title, status=FAILED if error else PASSED, duration_ms=_ms(step.get("duration")),
                        error=error))
        out.extend(_steps(step.get("steps"), title))
    return out


def _attachments(raw: Any, where: str, problems: list[str]) -> list[Attachment]:
    out: list[Attachment] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, dict):
            problems.append(f"{where}.attachments[{i}]: must be an object")
            continue
        name = str(item.get("name") or "attachment")
        content_type = str(item.get("contentType") or "")
        if isinstance(item.get("path"), str) and item["path"]:
            out.append(Attachment(name=name, content_type=content_type, path=item["path"]))
        elif isinstance(item.get("body"), str):
            try:
                body = base64.b64decode(item["body"], validate=True)
            except (binascii.Error, ValueError):
                body = item["body"].encode()
            out.append(Attachment(name=name, content_type=content_type, body=body))
    return out


def _output(raw: Any) -> str:
    parts: list[str] = []
    for chunk in raw if isinstance(raw, list) else []:
        if isinstance(chunk, dict) and isinstance(chunk.get("text"), str):
            parts.append(chunk["text"])
        elif isinstance(chunk, dict) and isinstance(chunk.get("buffer"), str):
            try:
                parts.append(base64.b64decode(chunk["buffer"]).decode("utf-8", "replace"))
            except (binascii.Error, ValueError):
                continue
    return ANSI_RE.sub("", "".join(parts))[:MAX_TEXT * 10]


def _attempt(result: Any, where: str, problems: list[str]) -> Attempt | None:
    if not isinstance(result, dict):
        problems.append(f"{where}: must be an object")
        return None
    raw_status = result.get("status")
    if raw_status not in STATUSES:
        problems.append(f"{where}.status: {raw_status!r} is not one of {', '.join(STATUSES)}")
        return None
    errors = [e for e in (_error_text(x) for x in result.get("errors") or []) if e]
    if not errors and _error_text(result.get("error")):
        errors = [_error_text(result.get("error")) or ""]
    status = STATUSES[raw_status]
    error = "\n\n".join(errors)[:MAX_TEXT] or None
    if raw_status == "timedOut" and not error:
        error = "Test timeout exceeded."
    return Attempt(status=status, duration_ms=_ms(result.get("duration")), error=error,
                   started_at=_time(result.get("startTime")), steps=_steps(result.get("steps")),
                   attachments=_attachments(result.get("attachments"), where, problems),
                   output=_output(result.get("stdout")) + _output(result.get("stderr")) or None)


def _suite(suite: Any, where: str, path: list[str], report: ParsedReport, problems: list[str]) -> None:
    if not isinstance(suite, dict):
        problems.append(f"{where}: must be an object")
        return
    title = _clean(suite.get("title") or suite.get("file") or "")
    here = [*path, title] if title else path
    for s, spec in enumerate(suite.get("specs") or []):
        spec_where = f"{where}.specs[{s}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("tests"), list):
            problems.append(f"{spec_where}: must be an object with a 'tests' list")
            continue
        name = _clean(spec.get("title"))
        if not name:
            problems.append(f"{spec_where}.title: missing")
            continue
        for t, test in enumerate(spec["tests"]):
            test_where = f"{spec_where}.tests[{t}]"
            if not isinstance(test, dict) or not isinstance(test.get("results"), list):
                problems.append(f"{test_where}: must be an object with a 'results' list")
                continue
            project = str(test.get("projectName") or "")
            attempts = [a for r, raw in enumerate(test["results"])
                        if (a := _attempt(raw, f"{test_where}.results[{r}]", problems)) is not None]
            if not attempts:  # a test that never ran (e.g. a sharded-out or skipped-by-filter test)
                attempts = [Attempt(status=SKIPPED)] if test.get("status") == "skipped" else []
            if attempts:
                parsed = ParsedTest(suite_path=here or ["(no file)"], name=name[:300], browser=browser_of(project),
                                    attempts=attempts)
                if project:
                    parsed.properties["project"] = project
                report.tests.append(parsed)
    for n, child in enumerate(suite.get("suites") or []):
        _suite(child, f"{where}.suites[{n}]", here, report, problems)


def parse_playwright_json(data: bytes, filename: str = "report.json") -> ParsedReport:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ReportInvalid(f"{filename}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ReportInvalid(f"{filename}: line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("suites"), list):
        raise ReportInvalid(f"{filename}: not a Playwright JSON report (expected an object with a 'suites' list)")
    report = ParsedReport(format="playwright-json")
    raw_stats = doc.get("stats")
    stats: dict[str, Any] = raw_stats if isinstance(raw_stats, dict) else {}
    report.started_at = _time(stats.get("startTime"))
    report.duration_ms = _ms(stats.get("duration"))
    problems: list[str] = []
    for i, suite in enumerate(doc["suites"]):
        _suite(suite, f"suites[{i}]", [], report, problems)
    if problems:
        raise ReportInvalid([f"{filename}: {p}" for p in problems[:50]])
    # Two projects on the same browser ("chromium", "Mobile Chrome"): keep them apart by name.
    seen: dict[tuple[tuple[str, ...], str, str], int] = {}
    for test in report.tests:
        key = (tuple(test.suite_path), test.name, test.browser)
        seen[key] = seen.get(key, 0) + 1
    for test in report.tests:
        project = test.properties.get("project", "")
        if seen[(tuple(test.suite_path), test.name, test.browser)] > 1 and project:
            test.name = f"{test.name} [{project}]"[:300]
    if not report.tests:
        raise ReportInvalid(f"{filename}: the report has no test results: nothing to import")
    return report
