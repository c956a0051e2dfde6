"""Plotly figures of the dashboard, built from the trends series (services/analytics/trends).

No template in the figures themselves: `rx.plotly` applies the light or dark Plotly template
following the color mode. Every chart keeps its x values in the same order as the series, so a
click's `pointNumber` indexes the series (the state turns it into a link)."""

from __future__ import annotations

from typing import Any

# A figure is Plotly's JSON ({"data": [traces], "layout": {...}}) built as plain dicts: building
# plotly.graph_objects figures validates every property (30-80 ms per chart, seven charts per
# dashboard load) for data we construct ourselves. `rx.plotly` takes the JSON as it is.
Figure = dict[str, Any]

OUTCOME_COLORS = {"passed": "#30a46c", "flaky": "#ffb224", "failed": "#e5484d", "error": "#cd2b31",
                  "cancelled": "#f76b15", "timed_out": "#ad5700", "queued": "#8b8d98", "running": "#0090ff"}
CHARTS = ("pass_rate", "outcomes", "duration", "flaky", "environment", "browser", "branch")


DAY_MS = 86_400_000


def _figure(traces: list[dict[str, Any]], title: str, y_title: str = "", *, percent: bool = False,
            stacked: bool = False, x_kind: str = "category") -> Figure:
    """`x_kind`: "day" (a date axis: a few horizontal labels, bars a day wide), "category" (labels
    as they are, horizontal, at most 5 shown) or "names" (horizontal bars, the names on the y axis)."""
    # No template: rx.plotly applies the light/dark template of the color mode.
    # Margins as wide as the labels and the one-row legend below need: Plotly's automargin then
    # finds nothing to grow and draws each chart once instead of twice (it still grows them for
    # longer labels or a legend that wraps on a phone).
    grid = {"gridcolor": "rgba(128,128,128,0.2)", "zerolinecolor": "rgba(128,128,128,0.35)"}  # light and dark
    value_axis: dict[str, Any] = {"title": {"text": y_title}, **grid,
                                  **({"tickformat": ".0%", "range": [0, 1.05]} if percent else {})}
    layout: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 14}, "x": 0.02, "xanchor": "left"},
        "margin": {"l": 60, "r": 16, "t": 40, "b": 64}, "height": 280,
        "legend": {"orientation": "h", "x": 0, "y": -0.16, "yanchor": "top"},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "clickmode": "event",
        "yaxis": value_axis,
        "xaxis": {"type": "date", "tickangle": 0, **grid} if x_kind == "day" else {
            "type": "category", "tickangle": 0, "nticks": 5, **grid},
    }
    if x_kind == "names":  # names read across on the left; the first one at the top
        layout["margin"]["l"] = 124
        layout["xaxis"], layout["yaxis"] = value_axis, {"type": "category", "autorange": "reversed", **grid}
    if x_kind == "day":
        for trace in traces:
            if trace.get("type") == "bar":
                trace["width"] = DAY_MS * 0.8  # a date axis would draw a lone day's bar 1 ms wide
    if stacked:
        layout["barmode"] = "stack"
    return {"data": traces, "layout": layout}


def _scatter(x: list[Any], y: list[Any], name: str, mode: str = "lines+markers", **extra: Any) -> dict[str, Any]:
    return {"type": "scatter", "x": x, "y": y, "mode": mode, "name": name, **extra}


def _bar(x: list[Any], y: list[Any], name: str, color: Any = None, **extra: Any) -> dict[str, Any]:
    trace: dict[str, Any] = {"type": "bar", "x": x, "y": y, "name": name, **extra}
    if color is not None:
        trace["marker"] = {"color": color}
    return trace


def _kind(series: dict[str, Any]) -> str:
    return "category" if series.get("bucket") == "run" else "day"


def _x(series: dict[str, Any]) -> list[str]:
    if series.get("bucket") == "run":
        return [f"#{i + 1} {s[:10]}" for i, s in enumerate(series.get("started", []))]
    return list(series.get("x", []))


def pass_rate(series: dict[str, Any]) -> Figure:
    x = _x(series)
    return _figure([
        _scatter(x, list(series.get("pass_rate", [])), "pass rate"),
        _scatter(x, list(series.get("pass_rate_avg", [])), "moving average", mode="lines", line={"dash": "dot"}),
    ], "Pass rate", percent=True, x_kind=_kind(series))


def outcomes(series: dict[str, Any]) -> Figure:
    x = _x(series)
    if series.get("bucket") == "run":
        traces = [_bar(x, list(series["results"].get(s, [])), s, OUTCOME_COLORS[s])
                  for s in ("passed", "flaky", "failed", "error")]
        return _figure(traces, "Results per run", "tests", stacked=True)
    traces = [_bar(x, list(values), o, OUTCOME_COLORS.get(o, "#8b8d98"))
              for o, values in series.get("runs", {}).items()]
    return _figure(traces, "Runs per day by outcome", "runs", stacked=True, x_kind="day")


def duration(series: dict[str, Any]) -> Figure:
    x = _x(series)
    if series.get("bucket") == "run":
        secs = [(d or 0) / 1000 for d in series.get("duration_ms", [])]
        return _figure([_scatter(x, secs, "duration")], "Run duration", "seconds")
    p50 = [(v or 0) / 1000 if v is not None else None for v in series.get("duration_p50", [])]
    p95 = [(v or 0) / 1000 if v is not None else None for v in series.get("duration_p95", [])]
    return _figure([_scatter(x, p50, "p50"), _scatter(x, p95, "p95")], "Run duration (p50 / p95)", "seconds",
                   x_kind="day")


def flaky(series: dict[str, Any]) -> Figure:
    return _figure([_bar(_x(series), list(series.get("flaky_tests", [])), "flaky tests", OUTCOME_COLORS["flaky"])],
                   "Flaky tests", "tests", x_kind=_kind(series))


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def breakdown(series: dict[str, Any], name: str) -> Figure:
    """Horizontal bars, one row per environment/browser/branch (names shortened; full in the hover)."""
    data = series.get("breakdowns", {}).get(name, {"labels": [], "passed": [], "failed": []})
    labels = [str(label) for label in data["labels"]]
    names = [_short(label) for label in labels]
    if len(set(names)) < len(names):  # two long names alike once shortened: keep them apart
        names = [f"{n} ({i + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)]

    def bars(values: list[Any], outcome: str) -> dict[str, Any]:
        return _bar(list(values), names, outcome, OUTCOME_COLORS[outcome], orientation="h", hovertext=labels,
                    hovertemplate="%{hovertext}: %{x} " + outcome + "<extra></extra>")

    return _figure([bars(data["passed"], "passed"), bars(data["failed"], "failed")], f"By {name}", "results",
                   stacked=True, x_kind="names")


def build(series: dict[str, Any], chart: str) -> Figure:
    if chart in ("environment", "browser", "branch"):
        return breakdown(series, chart)
    return {"pass_rate": pass_rate, "outcomes": outcomes, "duration": duration, "flaky": flaky}[chart](series)


def test_timeline(rows: list[dict[str, Any]]) -> Figure:
    """One bar per result, oldest first: height = duration, colour = outcome."""
    x = [f"#{i + 1}" for i in range(len(rows))]
    return _figure([_bar(
        x, [(r.get("duration_ms") or 0) / 1000 for r in rows], "results",
        [OUTCOME_COLORS.get(str(r.get("status")), "#8b8d98") for r in rows],
        text=[str(r.get("status")) for r in rows],
        hovertext=[f"{r.get('status')} · {str(r.get('at', ''))[:16]}" for r in rows])],
        "Outcome timeline (height = duration)", "seconds")


def step_trend(trend: dict[str, Any]) -> Figure:
    x = [f"#{i}" for i in trend.get("x", [])]
    return _figure([_scatter(x, [(d or 0) / 1000 if d is not None else None for d in s["durations"]], s["label"])
                    for s in trend.get("steps", [])], "Step durations", "seconds")
