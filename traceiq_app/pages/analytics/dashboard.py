"""/projects/<id>/analytics: the project dashboard (Plotly charts with filters and click-through),
the test health table and the quarantines."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.analytics.bits import chart, scroll_x, truncated
from traceiq_app.components.analytics.figures import CHARTS
from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav
from traceiq_app.components.defects.dashboard import defects_section
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.analytics.dashboard import DashboardState as S

HEALTH_COLUMNS = [("Test", "name"), ("Runs", "runs"), ("Pass rate", "pass_rate"), ("Flip rate", "flip_rate"),
                  ("Flaky on retry", "flaky_on_retry_rate"), ("Health", "health"), ("Median", "median_ms"),
                  ("p95", "p95_ms")]


def _select(name: str, label: str, options: list[Any], value: Any) -> rx.Component:
    return rx.el.select(*options, name=name, aria_label=label, default_value=value, style={"padding": "0.3em"})


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="since", type="date", aria_label="From", default_value=S.f_since),
            rx.input(name="until", type="date", aria_label="To", default_value=S.f_until),
            _select("suite", "Folder", [rx.el.option("all folders", value="all"),
                                        rx.foreach(S.suites, lambda s: rx.el.option(s["name"], value=s["id"]))],
                    S.f_suite),
            rx.input(name="tag", placeholder="tag", aria_label="Tag", default_value=S.f_tag, width="7em"),
            rx.input(name="branch", placeholder="branch", aria_label="Branch", default_value=S.f_branch, width="8em"),
            _select("environment", "Environment",
                    [rx.el.option("all environments", value="all"),
                     rx.foreach(S.environments, lambda e: rx.el.option(e["name"], value=e["id"]))], S.f_env),
            _select("bucket", "Group by", [rx.el.option("per day", value="day"), rx.el.option("per run", value="run")],
                    S.bucket),
            rx.button(rx.icon("filter", size=16), "Apply", type="submit"),
            rx.button("Clear", type="button", variant="soft", color_scheme="gray", on_click=S.clear_filters),
            spacing="2", wrap="wrap", align="center",
        ),
        on_submit=S.apply_filters, id="analytics-filters",
    )


def _charts() -> rx.Component:
    def one(name: str) -> rx.Component:
        return chart(S.figs[name], name, on_click=lambda points: S.chart_click(name, points))  # type: ignore[operator]

    return rx.grid(
        *[one(name) for name in CHARTS],
        columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
    )


def _sort_header(label: str, key: str) -> rx.Component:
    return rx.table.column_header_cell(
        rx.button(label, rx.cond(S.sort_by == key, rx.cond(S.descending, rx.icon("arrow-down", size=12),
                                                                 rx.icon("arrow-up", size=12))),
                  variant="ghost", size="1", on_click=S.sort_health(key), data_sort=key,  # type: ignore[operator]
                  aria_label=f"Sort by {label}"),
    )


def _health_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(truncated(r["name"], r["href"]),
                                rx.cond(r["quarantined"] == "yes", rx.badge("quarantined", color_scheme="orange")),
                                rx.cond(r["slowing"] == "yes", rx.badge("slowing down", color_scheme="amber")),
                                spacing="1", align="center")),
        rx.table.cell(r["runs"]), rx.table.cell(r["pass_rate"]), rx.table.cell(r["flip_rate"]),
        rx.table.cell(r["flaky_on_retry"]), rx.table.cell(rx.text(r["health"], weight="bold", size="2")),
        rx.table.cell(rx.hstack(rx.text(r["median"], size="2", white_space="nowrap"),
                                rx.image(src=r["spark"], alt="duration trend", width="96px", height="22px",
                                         class_name="sparkline", flex_shrink="0"),
                                spacing="2", align="center")),
        rx.table.cell(r["p95"]),
        rx.table.cell(truncated(r["last_failure"], max_width="16em")),
        rx.table.cell(rx.cond(
            S.can_quarantine & (r["quarantined"] != "yes"),
            rx.button("Quarantine", size="1", variant="soft", color_scheme="orange",
                      on_click=S.open_quarantine(r["test_id"], r["name"])))),  # type: ignore[operator]
        data_test=r["name"],
    )


def _health() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Test health", size="4"), rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item("All", value="all"), rx.segmented_control.item("Flaky only", value="flaky"),
                rx.segmented_control.item("Slowing down", value="slowing"),
                value=S.view, on_change=S.set_view, aria_label="Which tests", size="1",
            ),
            rx.link(rx.button(rx.icon("download", size=14), "CSV", variant="soft", size="1", tab_index=-1),
                    href="/api/v1/projects/" + S.pid + "/analytics/health.csv", is_external=True,
                    aria_label="Download the health table as CSV"),
            width="100%", align="center", wrap="wrap",
        ),
        rx.cond(
            ~S.tables_loaded,
            rx.hstack(rx.spinner(size="2"), rx.text("Reading the test health…", color_scheme="gray", size="2"),
                      align="center", id="health-loading"),
        rx.cond(
            S.rows.length() > 0,
            scroll_x(rx.table.root(
                rx.table.header(rx.table.row(*[_sort_header(label, key) for label, key in HEALTH_COLUMNS],
                                             rx.table.column_header_cell("Last failure"),
                                             rx.table.column_header_cell(""))),
                rx.table.body(rx.foreach(S.rows, _health_row)),
                width="100%", variant="surface", size="1", id="health-table",
            )),
            rx.text("No test matches this view.", color_scheme="gray", size="2"),
        )),
        rx.cond(S.more_rows & S.tables_loaded,
                rx.button("Show all tests", on_click=S.show_all_rows, variant="soft", size="1", id="health-show-all")),
        width="100%", spacing="3",
    )


def _quarantines() -> rx.Component:
    def row(q: Any) -> rx.Component:
        return rx.table.row(
            rx.table.cell(truncated(q["name"])), rx.table.cell(rx.badge(q["state"])),
            rx.table.cell(truncated(q["reason"], max_width="18em")), rx.table.cell(truncated(q["owner"], max_width="14em")),
            rx.table.cell(q["expires_at"].to(str)[:10]),
            rx.table.cell(rx.cond(S.can_quarantine, rx.button("Lift", size="1", variant="soft",
                                                              on_click=S.lift(q["test_id"])))),  # type: ignore[operator]
            data_quarantine=q["name"],
        )

    return rx.cond(
        S.quarantines.length() > 0,
        rx.vstack(
            rx.heading("Quarantine", size="4"),
            rx.text("Quarantined tests still run and are shown; their failures do not fail the run.",
                    color_scheme="gray", size="2"),
            scroll_x(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("Test", "State", "Reason", "Owner", "Expires", "")])),
                rx.table.body(rx.foreach(S.quarantines, row)), width="100%", variant="surface", size="1",
                id="quarantine-table")),
            width="100%", spacing="2",
        ),
    )


def _clusters() -> rx.Component:
    def row(c: Any) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.badge(c["category"])), rx.table.cell(truncated(c["signature"], c["href"], "30em")),
            rx.table.cell(c["count"]), rx.table.cell(c["tests"]), rx.table.cell(c["last_seen"]),
            data_cluster=c["id"],
        )

    return rx.cond(
        S.clusters.length() > 0,
        rx.vstack(
            rx.heading("Failure clusters", size="4"),
            scroll_x(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("Category", "Error", "Failures", "Tests", "Last seen")])),
                rx.table.body(rx.foreach(S.clusters, row)), width="100%", variant="surface", size="1",
                id="cluster-table")),
            width="100%", spacing="2",
        ),
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Quarantine ", S.q_name),
            rx.dialog.description("Its failures will not fail runs until the quarantine expires or is lifted.",
                                  size="2"),
            rx.form(
                rx.vstack(
                    rx.el.label("Reason", html_for="q-reason"),
                    rx.input(id="q-reason", name="reason", required=True, max_length=500, width="100%",
                             placeholder="e.g. payment sandbox times out, JIRA-123"),
                    rx.el.label("Days", html_for="q-days"),
                    rx.input(id="q-days", name="days", type="number", min=1, max=365, default_value="14"),
                    rx.el.label("Owner", html_for="q-owner"),
                    rx.select.root(
                        rx.select.trigger(id="q-owner", aria_label="Owner", width="100%"),
                        rx.select.content(rx.foreach(S.q_owners, lambda o: rx.select.item(o["label"], value=o["id"]))),
                        name="owner", default_value=S.q_owner,
                    ),
                    rx.text("Who looks after this test until the quarantine ends (a project member).", size="1",
                            color_scheme="gray"),
                    rx.hstack(rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                        on_click=S.close_quarantine),
                              rx.button("Quarantine", type="submit", color_scheme="orange"), justify="end",
                              width="100%"),
                    spacing="2", width="100%",
                ),
                on_submit=S.quarantine,
            ),
        ),
        open=S.q_open,
        on_open_change=lambda _open: S.close_quarantine(),  # type: ignore[operator]
    )


def _summary_links() -> rx.Component:
    """The project summary for the applied filters (charts, health table, open clusters)."""
    def link(kind: str) -> rx.Component:
        return rx.link(rx.button(rx.icon("file-down", size=14), f"Summary {kind.upper()}", variant="soft", size="1",
                                 tab_index=-1),
                       href="/api/v1/projects/" + S.pid + f"/analytics/summary.{kind}" + S.summary_query,
                       is_external=True, id=f"summary-{kind}",
                       aria_label=f"Download the project summary for these filters as {kind.upper()}")

    return rx.hstack(link("html"), link("pdf"), spacing="2")


@rx.page(route="/projects/[project_id]/analytics", title="Analytics · TraceIQ",
         on_load=[AuthState.require_login, S.load])
def analytics_page() -> rx.Component:
    return app_shell(
        rx.cond(S.error != "", error_callout(S.error)),
        rx.cond(
            S.error == "",
            rx.vstack(
                rx.cond(S.project_name != "", rx.fragment(
                    project_nav(S.pid, S.project_name, "analytics"),
                    rx.hstack(rx.heading("Analytics", size="5"), rx.spacer(), _summary_links(),
                              width="100%", align="center", wrap="wrap"),
                    _filters(),
                )),
                # The charts render (empty) while the page loads, so Plotly's script is fetched
                # and parsed while the server reads the series, not after.
                rx.cond(
                    S.has_data | ~S.loaded,
                    rx.vstack(_charts(), rx.cond(S.loaded, rx.fragment(_quarantines(), _health(), _clusters())),
                              width="100%", spacing="4"),
                    empty_state(
                        "chart-line", "No results yet",
                        "Charts appear once tests have run: start a run from the Runs page, or upload JUnit / "
                        "Playwright results with `traceiq import` or POST /api/v1/projects/{project}/results.",
                        "If you filtered, clear the filters."),
                ),
                defects_section(),
                spacing="4", width="100%", id="analytics-main", min_width="0",
            ),
        ),
        _dialog(),
    )
