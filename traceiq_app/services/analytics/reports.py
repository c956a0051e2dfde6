"""Downloads: a run's results as CSV and Excel (.xlsx), the health table as CSV, and a run
report as ONE self-contained HTML file (screenshots embedded as data: URIs, failing tests and
their failing steps first; opens offline from file://), which `pdf` renders with Chromium.

Cells that a spreadsheet would run as a formula (=, +, -, @ first) are prefixed with a quote."""

from __future__ import annotations

import base64
import csv
import html
import io
import uuid
from typing import Any

from sqlmodel import col, select

from traceiq_app.services.analytics.facts import test_key
from traceiq_app.services.analytics.quarantine import quarantined_in_run

RESULT_COLUMNS = ["test", "browser", "status", "quarantined", "attempts", "duration_ms", "started_at", "finished_at",
                  "failed_step", "error"]
HEALTH_COLUMNS = ["test_id", "name", "runs", "pass_rate", "flip_rate", "flaky_on_retry_rate", "health", "median_ms",
                  "p95_ms", "slowing_down", "quarantined", "last_failure"]
MAX_EMBEDDED_BYTES = 5 * 1024 * 1024  # per screenshot
PDF_TIMEOUT_S = 120
STATUS_ORDER = {"failed": 0, "error": 1, "flaky": 2, "cancelled": 3, "skipped": 4, "passed": 5}


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def result_rows(run_id: uuid.UUID) -> list[dict[str, Any]] | None:
    from traceiq_app.services.runs.reports import run_report

    report = run_report(run_id)
    if report is None:
        return None
    quarantined = quarantined_in_run(run_id)
    rows = []
    for t in report["tests"]:
        last = t["attempts"][-1]
        failed_step = next((s for s in last["steps"] if s["status"] == "failed"), None)
        rows.append({
            "test": t["name"], "browser": t["browser"], "status": t["status"],
            "quarantined": (test_key(t["test_case_id"], t["name"]), t["browser"]) in quarantined,
            "attempts": len(t["attempts"]), "duration_ms": t["duration_ms"], "started_at": last["started_at"],
            "finished_at": last["finished_at"],
            "failed_step": f"{failed_step['index'] + 1}. {failed_step['name'] or failed_step['action']}"
            if failed_step else "", "error": (t["error"] or "")[:5000]})
    return rows


def results_csv(run_id: uuid.UUID) -> str | None:
    rows = result_rows(run_id)
    if rows is None:
        return None
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RESULT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe(v) for k, v in row.items()})
    return out.getvalue()


def results_xlsx(run_id: uuid.UUID) -> bytes | None:
    import xlsxwriter

    from traceiq_app.services.runs.reports import run_report

    rows = result_rows(run_id)
    report = run_report(run_id)
    if rows is None or report is None:
        return None
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Results")
    sheet.write_row(0, 0, RESULT_COLUMNS, bold)
    for i, row in enumerate(rows, 1):
        sheet.write_row(i, 0, [row[c] if row[c] is not None else "" for c in RESULT_COLUMNS])
    sheet.autofilter(0, 0, max(len(rows), 1), len(RESULT_COLUMNS) - 1)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 40)
    sheet.set_column(len(RESULT_COLUMNS) - 1, len(RESULT_COLUMNS) - 1, 80)
    summary = book.add_worksheet("Summary")
    items = [("run", report["id"]), ("status", report["status"]), ("trigger", report["trigger"]),
             ("branch", report["metadata"]["branch"] or ""), ("started_at", report["started_at"] or ""),
             ("duration_ms", report["duration_ms"] or 0), *report["totals"].items()]
    for i, (k, v) in enumerate(items):
        summary.write(i, 0, k, bold)
        summary.write(i, 1, v)
    book.close()
    return buffer.getvalue()


def health_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEALTH_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        flat = {**row, "last_failure": (row.get("last_failure") or {}).get("error", "")}
        writer.writerow({k: _safe(v) for k, v in flat.items()})
    return out.getvalue()


# ---- the self-contained HTML report ----------------------------------------------------------
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#1c2024;background:#fff}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}.muted{color:#60646c}
.badge{display:inline-block;padding:0 .5em;border-radius:4px;font-size:.85em;font-weight:600}
.passed{background:#d6f1df;color:#18794e}.failed,.error{background:#ffdbdc;color:#ce2c31}
.flaky{background:#ffee9c;color:#9e6c00}.skipped,.cancelled{background:#e8e8ec;color:#60646c}
.test{border:1px solid #e0e1e6;border-radius:8px;padding:.75em 1em;margin:.75em 0;break-inside:avoid}
.steps{margin:.5em 0 0;padding-left:1.5em}.steps li.failed{font-weight:600}
pre{white-space:pre-wrap;background:#f9f9fb;padding:.5em;border-radius:4px;font-size:.85em}
img{max-width:100%;border:1px solid #e0e1e6;margin-top:.5em}
table{border-collapse:collapse}td{padding:.15em .75em .15em 0}
@media (prefers-color-scheme:dark){body{background:#111113;color:#edeef0}.test{border-color:#2e3135}
pre{background:#18191b}}
"""


def _embedded(artifact: dict[str, Any], blobs: dict[str, bytes]) -> str:
    data = blobs.get(artifact["id"])
    if data is None:
        return ""
    mime = html.escape(artifact.get("content_type") or "image/png")
    return f'<img alt="screenshot" src="data:{mime};base64,{base64.b64encode(data).decode()}">'


def run_report_html(run_id: uuid.UUID) -> str | None:
    """The whole report in one file: no external URL (screenshots embedded, CSS inline)."""
    from traceiq_app.db import session_scope
    from traceiq_app.models import Artifact
    from traceiq_app.services.platform.storage import StorageError, get_storage
    from traceiq_app.services.runs.reports import run_report

    report = run_report(run_id)
    if report is None:
        return None
    quarantined = quarantined_in_run(run_id)
    shots = [a for t in report["tests"] for a in t["attempts"][-1]["artifacts"]
             if a["kind"] in ("failure_screenshot", "screenshot") and (a.get("size_bytes") or 0) <= MAX_EMBEDDED_BYTES]
    blobs: dict[str, bytes] = {}
    if shots:
        storage = get_storage()
        with session_scope() as s:
            keys = {str(a.id): a.storage_key for a in s.exec(select(Artifact).where(
                col(Artifact.id).in_([uuid.UUID(x["id"]) for x in shots]))).all()}
        for shot in shots:
            try:
                blobs[shot["id"]] = storage.get_bytes(keys[shot["id"]])
            except (StorageError, KeyError, OSError):
                continue
    e = html.escape
    totals = report["totals"]
    tests = sorted(report["tests"], key=lambda t: (STATUS_ORDER.get(t["status"], 9), t["name"]))
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Run {e(report['id'])}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>Run report <span class='badge {e(report['status'])}'>{e(report['status'])}</span></h1>",
             "<table>" + "".join(f"<tr><td class=muted>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in (
                 ("run", report["id"]), ("trigger", report["trigger"]), ("environment", report["environment"] or "–"),
                 ("branch", report["metadata"]["branch"] or "–"), ("commit", report["metadata"]["commit"] or "–"),
                 ("started", report["started_at"] or "–"), ("duration", f"{(report['duration_ms'] or 0) / 1000:.1f} s"),
                 ("results", ", ".join(f"{v} {k}" for k, v in totals.items())))) + "</table>"]
    for t in tests:
        last = t["attempts"][-1]
        q = quarantined.get((test_key(t["test_case_id"], t["name"]), t["browser"]))
        steps = sorted(last["steps"], key=lambda s: (s["status"] != "failed", s["index"]))
        parts.append(
            f"<section class=test data-status='{e(t['status'])}'><strong>{e(t['name'])}</strong> "
            f"<span class='badge {e(t['status'])}'>{e(t['status'])}</span> "
            f"<span class=muted>{e(t['browser'])} · {len(t['attempts'])} attempt(s) · "
            f"{(t['duration_ms'] or 0) / 1000:.1f} s</span>"
            + (f"<div class=muted>quarantined: {e(q)}</div>" if q else "")
            + (f"<pre>{e(t['error'])}</pre>" if t["error"] else "")
            + ("<ol class=steps>" + "".join(
                f"<li value={s['index'] + 1} class='{e(s['status'])}'>{e(s['name'] or s['action'])} — "
                f"{e(s['status'])}" + (f": {e(s['error'][:500])}" if s["error"] else "") + "</li>" for s in steps)
               + "</ol>" if steps else "")
            + "".join(_embedded(a, blobs) for a in last["artifacts"] if a["id"] in blobs)
            + "</section>")
    parts.append("</body></html>")
    return "".join(parts)


def run_report_pdf(run_id: uuid.UUID) -> bytes | None:
    """The HTML report printed by Chromium (A4, backgrounds on), found as the engine finds it.
    Rendered in a thread of its own: Playwright's sync API refuses a thread that already runs
    an event loop or another Playwright."""
    page_html = run_report_html(run_id)
    if page_html is None:
        return None
    return html_to_pdf(page_html)


def html_to_pdf(page_html: str) -> bytes:
    """A self-contained HTML page printed by Chromium (every request it would make is refused)."""
    import threading

    outcome: dict[str, Any] = {}

    def render() -> None:
        from playwright.sync_api import sync_playwright

        from traceiq_app.engine.browser import WarmBrowser

        try:
            with sync_playwright() as pw:
                warm = WarmBrowser(pw, "chromium")
                try:
                    page = warm.get().new_page()
                    page.route("**/*", lambda route: route.abort())  # nothing leaves the report
                    page.set_content(page_html, wait_until="load")
                    outcome["pdf"] = page.pdf(format="A4", print_background=True, margin={
                        "top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
                finally:
                    warm.close()
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=render, name="report-pdf", daemon=True)
    worker.start()
    worker.join(PDF_TIMEOUT_S)
    if "error" in outcome:
        raise outcome["error"]
    if "pdf" not in outcome:
        raise TimeoutError(f"the PDF was not rendered within {PDF_TIMEOUT_S} s")
    return bytes(outcome["pdf"])
