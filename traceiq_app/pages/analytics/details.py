"""Analytics detail pages: a test's history, a failure cluster, a run comparison."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.analytics.bits import chart, scroll_x, truncated
from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.analytics.details import ClusterState, CompareState, TestHistoryState


def _stat(label: str, value: Any) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="4", weight="bold"),
                             spacing="0"), min_width="7em")


def _cluster_row(pid: Any, c: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(c["category"])),
        rx.table.cell(truncated(c["signature"], "/projects/" + pid + "/analytics/clusters/" + c["id"], "28em")),
        rx.table.cell(c["count"]), rx.table.cell(c["last_seen"].to(str)[:16]),
    )


@rx.page(route="/projects/[project_id]/analytics/test", title="Test history · TraceIQ",
         on_load=[AuthState.require_login, TestHistoryState.load])
def test_history_page() -> rx.Component:
    S = TestHistoryState  # noqa: N806
    return app_shell(
        rx.cond(S.error != "", error_callout(S.error)),
        rx.cond(S.project_name != "", rx.vstack(
            project_nav(S.pid, S.project_name, "analytics"),
            rx.link("← Analytics", href="/projects/" + S.pid + "/analytics", size="2"),
            rx.heading(truncated(S.name, max_width="100%"), size="5"),
            rx.hstack(_stat("Runs", S.summary["runs"]), _stat("Pass rate", S.summary["pass_rate"]),
                      _stat("Flip rate", S.summary["flip_rate"]), _stat("Health", S.summary["health"]),
                      _stat("Median ms", S.summary["median"]), _stat("p95 ms", S.summary["p95"]),
                      rx.cond(S.summary["slowing"] == "yes", rx.badge("slowing down", color_scheme="amber")),
                      rx.cond(S.last_failure != "", rx.link(
                          rx.button(rx.icon("bug", size=16), "Raise defect from the last failure", variant="soft",
                                    color_scheme="red", size="2", tab_index=-1),
                          href="/projects/" + S.pid + "/defects/new?from_result=" + S.last_failure)),
                      wrap="wrap", spacing="2"),
            rx.foreach(S.quarantine, lambda q: rx.callout(
                rx.text("Quarantine (", q["state"], "): ", q["reason"], " — until ", q["expires_at"].to(str)[:10]),
                icon="shield-alert", color_scheme="orange", width="100%")),
            rx.grid(chart(S.fig_timeline, "timeline", on_click=S.open_result), chart(S.fig_steps, "steps"),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
            rx.heading("Failure clusters", size="4"),
            rx.cond(S.clusters.length() > 0,
                    scroll_x(rx.table.root(rx.table.body(rx.foreach(S.clusters, lambda c: _cluster_row(S.pid, c))),
                                           width="100%", variant="surface", size="1")),
                    rx.text("This test has not failed in the results kept.", color_scheme="gray", size="2")),
            spacing="4", width="100%",
        )),
    )


def _occurrence(o: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(truncated(o["name"]), href="/runs/" + o["run_id"])),
        rx.table.cell(o["browser"]), rx.table.cell(o["branch"]), rx.table.cell(o["at"].to(str)[:16]),
        rx.table.cell(truncated(o["error"], max_width="20em")),
        rx.table.cell(rx.hstack(
            rx.cond(o["screenshot_url"] != "", rx.link("screenshot", href=o["screenshot_url"], is_external=True)),
            rx.cond(o["trace_url"] != "", rx.link("trace", href="/trace-viewer/index.html?trace=" + o["trace_url"],
                                                  is_external=True)), spacing="2")),
    )


@rx.page(route="/projects/[project_id]/analytics/clusters/[cluster_id]", title="Failure cluster · TraceIQ",
         on_load=[AuthState.require_login, ClusterState.load])
def cluster_page() -> rx.Component:
    S = ClusterState  # noqa: N806
    return app_shell(
        rx.cond(S.error != "", error_callout(S.error)),
        rx.cond(S.project_name != "", rx.vstack(
            project_nav(S.pid, S.project_name, "analytics"),
            rx.link("← Analytics", href="/projects/" + S.pid + "/analytics", size="2"),
            rx.heading("Failure cluster", size="5"),
            rx.hstack(rx.badge(S.cluster["category"], size="2"), rx.code(truncated(S.cluster["signature"], None,
                                                                                  "60em")), wrap="wrap"),
            rx.hstack(_stat("Failures", S.cluster["count"]), _stat("Tests", S.cluster["tests"]),
                      _stat("First seen", S.cluster["first_seen"]),
                      _stat("Last seen", S.cluster["last_seen"]), wrap="wrap", spacing="2"),
            rx.text("Step ", S.cluster["step"], " · locator ", S.cluster["locator"], " · branches ",
                    S.cluster["branches"], " · environments ", S.cluster["environments"], size="2",
                    color_scheme="gray"),
            scroll_x(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("Test", "Browser", "Branch", "When", "Error", "Evidence")])),
                rx.table.body(rx.foreach(S.occurrences, _occurrence)), width="100%", variant="surface", size="1",
                id="occurrences")),
            spacing="4", width="100%",
        )),
    )


def _compared(t: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(truncated(t["name"])), rx.table.cell(t["browser"]),
        rx.table.cell(t["baseline_status"], " → ", t["status"]),
        rx.table.cell(t["baseline_duration_ms"], " → ", t["duration_ms"], " ms"),
        rx.table.cell(truncated(t["error"], max_width="20em")),
    )


def _section(sec: Any) -> rx.Component:
    return rx.cond(sec["count"].to(int) > 0, rx.vstack(
        rx.heading(sec["label"], " (", sec["count"], ")", size="3"),
        scroll_x(rx.table.root(rx.table.body(rx.foreach(sec["tests"].to(list[dict[str, str]]), _compared)),
                               width="100%", variant="surface", size="1")),
        width="100%", data_section=sec["key"]))


@rx.page(route="/runs/[run_id]/compare", title="Compare runs · TraceIQ",
         on_load=[AuthState.require_login, CompareState.load])
def compare_page() -> rx.Component:
    S = CompareState  # noqa: N806
    return app_shell(
        rx.cond(S.error != "", error_callout(S.error)),
        rx.cond(S.loaded & (S.error == ""), rx.vstack(
            rx.link("← Run", href="/runs/" + S.run_id, size="2"),
            rx.heading("Run comparison", size="5"),
            rx.cond(S.baseline_id != "",
                    rx.text("Against run ", rx.link(S.baseline_id, href="/runs/" + S.baseline_id), size="2"),
                    empty_state("git-compare", "No baseline", "There is no earlier finished run with the same "
                                "tests and branch. Pick one with ?baseline=<run id>.")),
            rx.foreach(S.sections, _section),
            spacing="4", width="100%",
        )),
    )
