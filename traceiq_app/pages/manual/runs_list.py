"""/projects/<id>/manual-runs: the project's manual runs, and "Start manual run"."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import error_callout, project_nav, section
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.manual.runs_list import CandidateItem, ManualRunsState, RunItem

SELECT = {"padding": "0.3em", "borderRadius": "var(--radius-2)", "background": "var(--gray-2)",
          "color": "var(--gray-12)", "border": "1px solid var(--gray-6)", "maxWidth": "100%"}


def _run(r: RunItem) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(rx.text(r.name, weight="bold", size="2", style={"overflowWrap": "anywhere"}),
                          rx.badge(r.status, color_scheme=rx.cond(r.status == "closed", "gray", "green"),
                                   variant="soft", class_name="tiq-manual-run-status", data_status=r.status),
                          rx.spacer(), rx.text(r.complete, " / ", r.total, " complete (", r.percent, "%)", size="1"),
                          width="100%", wrap="wrap", align="center"),
                rx.progress(value=r.percent, width="100%"),
                rx.text(rx.cond(r.environment != "", "env " + r.environment, "no env"), " · build ", r.build_label,
                        rx.cond(r.milestone != "", " · milestone " + r.milestone, ""), " · ", r.created_by, " · ",
                        r.created_at, rx.cond(r.status == "closed", " · closed by " + r.closed_by + " · " + r.closed_at, ""),
                        size="1", color_scheme="gray"),
                spacing="2", width="100%",
            ),
            width="100%",
        ),
        href="/manual-runs/" + r.id, underline="none", width="100%", class_name="tiq-manual-run-link",
    )


def _candidate(c: CandidateItem) -> rx.Component:
    return rx.hstack(
        rx.text(c.name, size="2", style={"flex": "1", "minWidth": "8em", "overflowWrap": "anywhere"}),
        rx.cond(c.tags != "", rx.text(c.tags, size="1", color_scheme="gray")),
        rx.el.select(
            rx.el.option("Unassigned", value=""),
            rx.foreach(ManualRunsState.members, lambda m: rx.el.option(m[1], value=m[0])),
            value=c.assignee, aria_label="Assignee of " + c.name, style=SELECT,
            on_change=lambda v: ManualRunsState.assign(c.id, v),  # type: ignore[operator]
        ),
        width="100%", wrap="wrap", align="center", spacing="2",
    )


def _start_form() -> rx.Component:
    return section(
        "Start manual run",
        rx.form(
            rx.hstack(
                rx.el.select(
                    rx.el.option("Any suite", value=""),
                    rx.foreach(ManualRunsState.suites, lambda s: rx.el.option(s[1], value=s[0])),
                    name="suite_id", aria_label="Suite", style=SELECT,
                ),
                rx.input(name="tags", placeholder="Tags (comma-separated)", aria_label="Tags"),
                rx.button("Show tests", type="submit", variant="soft"),
                wrap="wrap", spacing="2", width="100%",
            ),
            on_submit=ManualRunsState.preview, width="100%",
        ),
        rx.text(ManualRunsState.candidates.length(), " manual tests selected", size="2"),
        rx.vstack(rx.foreach(ManualRunsState.candidates, _candidate), width="100%", spacing="2"),
        rx.form(
            rx.flex(
                rx.input(name="name", placeholder="Run name (e.g. Release 2.4 regression)", aria_label="Run name",
                         required=True, style={"flex": "2 1 14em"}),
                rx.input(name="environment", placeholder="Environment", aria_label="Environment",
                         style={"flex": "1 1 8em"}),
                rx.input(name="build_label", placeholder="Build / version", aria_label="Build",
                         style={"flex": "1 1 8em"}),
                rx.input(name="milestone", placeholder="Milestone (optional)", aria_label="Milestone",
                         style={"flex": "1 1 8em"}),
                rx.button(rx.icon("play", size=16), "Start manual run", type="submit"),
                wrap="wrap", gap="0.5em", width="100%",
            ),
            on_submit=ManualRunsState.start, width="100%",
        ),
        rx.cond(ManualRunsState.form_error != "", error_callout(ManualRunsState.form_error)),
    )


@rx.page(route="/projects/[project_id]/manual-runs", title="Manual runs · TraceIQ",
         on_load=[AuthState.require_login, ManualRunsState.load])
def manual_runs_page() -> rx.Component:
    return app_shell(
        project_nav(ManualRunsState.pid, ManualRunsState.project_name, "manual"),
        rx.cond(ManualRunsState.error != "", error_callout(ManualRunsState.error)),
        rx.cond(ManualRunsState.can_write, _start_form()),
        rx.heading("Manual runs", size="5"),
        rx.cond(ManualRunsState.runs.length() == 0,
                rx.text("No manual runs yet.", size="2", color_scheme="gray")),
        rx.vstack(rx.foreach(ManualRunsState.runs, _run), width="100%", spacing="2"),
    )
