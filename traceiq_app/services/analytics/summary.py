"""The project summary report for a date range: the dashboard's charts as static SVG images
(drawn by `svg`, embedded as data: URIs), the test health table and the open failure clusters,
as ONE self-contained HTML file (no external URL: opens offline from file://), and the same
printed to PDF by Chromium (`reports.html_to_pdf`).

A cluster is "open" when it still occurs: its last failure is within `OPEN_DAYS` of the end of
the range (the range's `until`, else now)."""

from __future__ import annotations

import html
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from traceiq_app.services.analytics import clusters as clusters_service
from traceiq_app.services.analytics import health as health_service
from traceiq_app.services.analytics import svg, trends
from traceiq_app.services.analytics.filters import Filters
from traceiq_app.services.analytics.reports import CSS, html_to_pdf

OPEN_DAYS = 7
MAX_HEALTH_ROWS = 500
MAX_CLUSTERS = 50
SUMMARY_CSS = """
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(22em,1fr));gap:.75em}
.charts img{width:100%;height:auto;border:1px solid #e0e1e6;border-radius:6px;margin:0;background:#fff}
table.data{width:100%;font-size:.85em;border-collapse:collapse}
table.data th{text-align:left;border-bottom:1px solid #e0e1e6;padding:.25em .5em .25em 0}
table.data td{border-bottom:1px solid #f0f0f3;padding:.2em .5em .2em 0;vertical-align:top}
table.data td.num{text-align:right;font-variant-numeric:tabular-nums}
.name{max-width:22em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.spark{width:96px;height:22px;border:0;margin:0}
@media print{.charts{grid-template-columns:1fr 1fr}section,tr{break-inside:avoid}}
"""


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.0f}%"


def _ms(v: int | None) -> str:
    return "–" if v is None else f"{v / 1000:.1f} s"


def charts(series: dict[str, Any], env_names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(title, SVG) for every dashboard chart, from a per-day `trends` result."""
    x = [d[5:] for d in series["x"]]  # MM-DD
    out = [
        ("Pass rate per day", svg.line_chart("Pass rate per day", x, {
            "pass rate": series["pass_rate"], "7-day average": series["pass_rate_avg"]}, ratio=True)),
        ("Results per day", svg.bar_chart("Results per day", x, {
            k: series["results"][k] for k in ("passed", "flaky", "failed", "error")}, y_label="results")),
        ("Runs per day by outcome", svg.bar_chart("Runs per day by outcome", x, series["runs"], y_label="runs")),
        ("Run duration", svg.line_chart("Run duration (s)", x, {
            "p50": [None if v is None else v / 1000 for v in series["duration_p50"]],
            "p95": [None if v is None else v / 1000 for v in series["duration_p95"]]}, y_label="seconds")),
        ("Flaky tests per day", svg.line_chart("Flaky tests per day", x, {"value": series["flaky_tests"]},
                                               y_label="tests")),
    ]
    for name, title in (("environment", "By environment"), ("browser", "By browser"), ("branch", "By branch")):
        b = series["breakdowns"][name]
        out.append((title, svg.bar_chart(title, [lbl[:14] for lbl in b["labels"]][:30],
                                         {"passed": b["passed"][:30], "failed": b["failed"][:30]})))
    return out


def open_clusters(items: list[dict[str, Any]], until: datetime | None) -> list[dict[str, Any]]:
    end = until or datetime.now(UTC)
    cutoff = (end - timedelta(days=OPEN_DAYS)).isoformat()
    return [c for c in items if (c.get("last_seen") or "") >= cutoff]


def summary_html(project_id: uuid.UUID, project_name: str, filters: Filters | None = None, window: int = 10) -> str:
    filters = filters or Filters()
    series = trends.trends(project_id, filters)
    rows = health_service.health_table(project_id, filters, window)[:MAX_HEALTH_ROWS]
    found = open_clusters(clusters_service.clusters(project_id, filters), filters.until)[:MAX_CLUSTERS]
    e = html.escape
    since = filters.since.date().isoformat() if filters.since else (series["x"][0] if series["x"] else "–")
    until = (filters.until - timedelta(seconds=1)).date().isoformat() if filters.until else \
        (series["x"][-1] if series["x"] else "–")
    totals = {k: sum(v) for k, v in series["results"].items()}
    counted = sum(totals.values())
    runs = sum(sum(v) for v in series["runs"].values())
    applied = ", ".join(f"{k} {v}" for k, v in filters.as_query().items() if k not in ("since", "until")) or "none"
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{e(project_name)}: summary {e(since)} to {e(until)}</title>",
        f"<style>{CSS}{SUMMARY_CSS}</style></head><body>",
        f"<h1>{e(project_name)} — project summary</h1>",
        "<table>" + "".join(f"<tr><td class=muted>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in (
            ("range", f"{since} to {until}"), ("filters", applied), ("runs", str(runs)),
            ("results", ", ".join(f"{v} {k}" for k, v in totals.items())),
            ("pass rate", _pct((totals["passed"] + totals["flaky"]) / counted if counted else None)),
            ("generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")))) + "</table>",
    ]
    if not series["x"]:
        parts.append("<p class=muted>No finished runs in this range.</p>")
    else:
        parts.append("<h2>Charts</h2><div class=charts>" + "".join(
            f"<img alt='{e(title)}' src='{svg.data_uri(image)}'>" for title, image in charts(series)) + "</div>")
    parts.append(f"<h2>Test health <span class=muted>(last {window} results of each test)</span></h2>")
    if rows:
        head = ("test", "runs", "pass rate", "flip rate", "flaky on retry", "health", "median", "p95", "trend",
                "last failure")
        parts.append("<table class=data id=health><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
                     + "</tr></thead><tbody>")
        for r in rows:
            flags = (" <span class='badge flaky'>slowing down</span>" if r["slowing_down"] else "") + \
                (" <span class='badge skipped'>quarantined</span>" if r["quarantined"] else "")
            last = r["last_failure"]
            parts.append(
                f"<tr><td class=name title='{e(r['name'])}'>{e(r['name'])}{flags}</td><td class=num>{r['runs']}</td>"
                f"<td class=num>{_pct(r['pass_rate'])}</td><td class=num>{_pct(r['flip_rate'])}</td>"
                f"<td class=num>{_pct(r['flaky_on_retry_rate'])}</td><td class=num>{_pct(r['health'])}</td>"
                f"<td class=num>{_ms(r['median_ms'])}</td><td class=num>{_ms(r['p95_ms'])}</td>"
                f"<td><img class=spark alt='duration trend' src='{svg.data_uri(svg.sparkline(r['sparkline']))}'></td>"
                f"<td>{e((last or {}).get('error', '')[:160]) if last else '–'}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p class=muted>No test results in this range.</p>")
    parts.append(f"<h2>Open failure clusters <span class=muted>(seen in the last {OPEN_DAYS} days of the range)"
                 "</span></h2>")
    if found:
        parts.append("<table class=data id=clusters><thead><tr><th>category</th><th>signature</th><th>count</th>"
                     "<th>tests</th><th>first seen</th><th>last seen</th><th>example</th></tr></thead><tbody>")
        for c in found:
            parts.append(
                f"<tr><td>{e(c['category'])}</td><td>{e(c['signature'][:200])}</td><td class=num>{c['count']}</td>"
                f"<td class=num>{c['tests']}</td><td>{e((c['first_seen'] or '')[:16])}</td>"
                f"<td>{e((c['last_seen'] or '')[:16])}</td><td>{e(c['example_error'][:200])}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p class=muted>No open failure clusters.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def summary_pdf(project_id: uuid.UUID, project_name: str, filters: Filters | None = None, window: int = 10) -> bytes:
    return html_to_pdf(summary_html(project_id, project_name, filters, window))
