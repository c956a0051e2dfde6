"""Results from other runners: a JUnit XML or Playwright JSON report (with its attachments)
becomes a finished run with trigger `import`, shown like a native run (runs list, run page,
trace viewer).

    outcome = ingest(project_id, "results.json", data, {"a/trace.zip": Path(...)}, principal=p)

Modules: `report` (the parsed shape), `junit` and `playwright_json` (the parsers), `store`
(catalog matching, artifacts, the run; one transaction). `ReportInvalid` carries per-file
problems with line numbers / JSON paths; nothing is stored when any file is invalid.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs.imported_results.junit import looks_like_junit, parse_junit
from traceiq_app.services.runs.imported_results.playwright_json import (
    looks_like_playwright_json,
    parse_playwright_json,
)
from traceiq_app.services.runs.imported_results.report import ParsedReport, ReportInvalid
from traceiq_app.services.runs.imported_results.store import StoreOutcome, store_report

__all__ = ["FORMATS", "ReportInvalid", "StoreOutcome", "detect_format", "ingest", "parse_report"]

FORMATS = ("junit", "playwright-json")


def detect_format(filename: str, data: bytes) -> str:
    lower = filename.lower()
    if looks_like_junit(data) or (lower.endswith(".xml") and data.lstrip().startswith(b"<")):
        return "junit"
    if looks_like_playwright_json(data) or lower.endswith(".json"):
        return "playwright-json"
    raise ReportInvalid(f"{filename}: neither JUnit XML nor a Playwright JSON report; "
                        "pass the format explicitly (junit or playwright-json)")


def parse_report(filename: str, data: bytes, fmt: str | None = None) -> ParsedReport:
    if fmt is not None and fmt not in FORMATS:
        raise ReportInvalid(f"format: '{fmt}' is not one of {', '.join(FORMATS)}")
    if not data.strip():
        raise ReportInvalid(f"{filename}: the file is empty")
    fmt = fmt or detect_format(filename, data)
    if fmt == "junit":
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            raise ReportInvalid(f"{filename}: this looks like JSON, not JUnit XML (use format playwright-json)")
        return parse_junit(data, filename)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise ReportInvalid(f"{filename}: this looks like XML, not a Playwright JSON report (use format junit)")
    return parse_playwright_json(data, filename)


def ingest(project_id: uuid.UUID, filename: str, data: bytes, attachments: dict[str, Path], *,
           fmt: str | None = None, principal: Principal | None = None, branch: str | None = None,
           commit_sha: str | None = None) -> StoreOutcome:
    """Parse and store one report as a run (the caller authorized `run.start` on the project)."""
    report = parse_report(filename, data, fmt)
    return store_report(project_id, report, attachments, principal=principal, branch=branch, commit_sha=commit_sha)
