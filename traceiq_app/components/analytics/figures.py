"""Plotly figures of the dashboard, built from the trends series (services/analytics/trends).

No template in the figures themselves: `rx.plotly` applies the light or dark Plotly template
following the color mode. Every chart keeps its x values in the same order as the series, so a
click's `pointNumber` indexes the series (the state turns it into a link)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

OUTCOME_COLORS = {"passed": "#30a46c", "flaky": "#ffb224", "failed": "#e5484d", "error": "#cd2b31",
                  "cancelled": "#f76b15", "timed_out": "#ad5700", "queued": "#8b8d98", "running": "#0090ff"}
CHARTS = ("pass_rate", "outcomes", "duration", "flaky", "environment", "browser", "branch")


def _layout(fig: go.Figure, title: str, y_title: str = "", *, percent: bool = False, stacked: bool = False) -> go.Figure:
    fig.layout.template = None  # rx.plotly applies the light/dark template of the color mode
    fig.update_layout(
        title={"text": title, "font": {"size": 14}}, margin={"l": 48, "r": 12, "t": 40, "b": 40}, height=280,
        legend={"orientation": "h", "y": -0.25}, barmode="stack" if stacked else None,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", clickmode="event",
        yaxis={"title": y_title, **({"tickformat": ".0%", "range": [0, 1.05]} if percent else {})},
        xaxis={"type": "category"},
    )
    return fig


def _x(series: dict[str, Any]) -> list[str]:
    if series.get("bucket") == "run":
        return [f"#{i + 1} {s[:10]}" for i, s in enumerate(series.get("started", []))]
    return list(series.get("x", []))


def pass_rate(series: dict[str, Any]) -> go.Figure:
    x = _x(series)
    fig = go.Figure([
        go.Scatter(x=x, y=series.get("pass_rate", []), mode="lines+markers", name="pass rate"),
        go.Scatter(x=x, y=series.get("pass_rate_avg", []), mode="lines", name="moving average",
                   line={"dash": "dot"}),
    ])
    return _layout(fig, "Pass rate", percent=True)


def outcomes(series: dict[str, Any]) -> go.Figure:
    x = _x(series)
    if series.get("bucket") == "run":
        traces = [go.Bar(x=x, y=series["results"].get(s, []), name=s, marker_color=OUTCOME_COLORS[s])
                  for s in ("passed", "flaky", "failed", "error")]
        return _layout(go.Figure(traces), "Results per run", "tests", stacked=True)
    traces = [go.Bar(x=x, y=values, name=o, marker_color=OUTCOME_COLORS.get(o, "#8b8d98"))
              for o, values in series.get("runs", {}).items()]
    return _layout(go.Figure(traces), "Runs per day by outcome", "runs", stacked=True)


def duration(series: dict[str, Any]) -> go.Figure:
    x = _x(series)
    if series.get("bucket") == "run":
        secs = [(d or 0) / 1000 for d in series.get("duration_ms", [])]
        return _layout(go.Figure([go.Scatter(x=x, y=secs, mode="lines+markers", name="duration")]),
                       "Run duration", "seconds")
    p50 = [(v or 0) / 1000 if v is not None else None for v in series.get("duration_p50", [])]
    p95 = [(v or 0) / 1000 if v is not None else None for v in series.get("duration_p95", [])]
    fig = go.Figure([go.Scatter(x=x, y=p50, mode="lines+markers", name="p50"),
                     go.Scatter(x=x, y=p95, mode="lines+markers", name="p95")])
    return _layout(fig, "Run duration (p50 / p95)", "seconds")


def flaky(series: dict[str, Any]) -> go.Figure:
    fig = go.Figure([go.Bar(x=_x(series), y=series.get("flaky_tests", []), name="flaky tests",
                            marker_color=OUTCOME_COLORS["flaky"])])
    return _layout(fig, "Flaky tests", "tests")


def breakdown(series: dict[str, Any], name: str) -> go.Figure:
    data = series.get("breakdowns", {}).get(name, {"labels": [], "passed": [], "failed": []})
    fig = go.Figure([
        go.Bar(x=data["labels"], y=data["passed"], name="passed", marker_color=OUTCOME_COLORS["passed"]),
        go.Bar(x=data["labels"], y=data["failed"], name="failed", marker_color=OUTCOME_COLORS["failed"]),
    ])
    return _layout(fig, f"By {name}", "results", stacked=True)


def build(series: dict[str, Any], chart: str) -> go.Figure:
    if chart in ("environment", "browser", "branch"):
        return breakdown(series, chart)
    return {"pass_rate": pass_rate, "outcomes": outcomes, "duration": duration, "flaky": flaky}[chart](series)


def test_timeline(rows: list[dict[str, Any]]) -> go.Figure:
    """One bar per result, oldest first: height = duration, colour = outcome."""
    x = [f"#{i + 1}" for i in range(len(rows))]
    fig = go.Figure([go.Bar(
        x=x, y=[(r.get("duration_ms") or 0) / 1000 for r in rows],
        marker_color=[OUTCOME_COLORS.get(str(r.get("status")), "#8b8d98") for r in rows],
        text=[str(r.get("status")) for r in rows], hovertext=[f"{r.get('status')} · {r.get('at', '')[:16]}"
                                                              for r in rows], name="results")])
    return _layout(fig, "Outcome timeline (height = duration)", "seconds")


def step_trend(trend: dict[str, Any]) -> go.Figure:
    x = [f"#{i}" for i in trend.get("x", [])]
    fig = go.Figure([go.Scatter(x=x, y=[(d or 0) / 1000 if d is not None else None for d in s["durations"]],
                                mode="lines+markers", name=s["label"]) for s in trend.get("steps", [])])
    return _layout(fig, "Step durations", "seconds")
