"""The analytics dashboard's defects section: open defects by severity and the weekly trend
(opened vs closed). Needs `defect.read`; shows nothing otherwise."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.defects import stats
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class DefectDashState(ProtectedState):
    pid: str = ""
    by_severity: rx.Field[list[dict[str, Any]]] = rx.field([])
    trend: rx.Field[list[dict[str, Any]]] = rx.field([])
    shown: bool = False

    @rx.var
    def fig_trend(self) -> dict[str, Any]:
        """Plotly JSON built as plain dicts (see components/analytics/figures.py: no validation cost)."""
        weeks = [t["week"] for t in self.trend]
        return {
            "data": [{"type": "bar", "name": "opened", "x": weeks, "y": [t["opened"] for t in self.trend],
                      "marker": {"color": "#e5484d"}},
                     {"type": "bar", "name": "closed", "x": weeks, "y": [t["closed"] for t in self.trend],
                      "marker": {"color": "#30a46c"}}],
            "layout": {"barmode": "group", "margin": {"l": 30, "r": 10, "t": 30, "b": 30}, "height": 260,
                       "title": {"text": "Defects opened vs closed per week", "font": {"size": 13}},
                       "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                       "legend": {"orientation": "h"}},
        }

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        try:
            _principal, pid = guard.require(self, "defect.read", self.pid)
            self.by_severity = stats.open_by_severity(pid)
            self.trend = stats.weekly_trend(pid)
            self.shown = True
        except guard.DENIED:
            self.by_severity, self.trend, self.shown = [], [], False
