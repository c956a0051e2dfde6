"""/runs/<id>: one run, live. Tests and their steps turn green/red as the workers report."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.catalog_bits import error_callout
from traceiq_app.components.layout import app_shell
from traceiq_app.pages.runs import status_badge
from traceiq_app.state.auth import AuthState
from traceiq_app.state.run_live import RunLiveState, StepRow, TestRow


def _step(s: StepRow) -> rx.Component:
    # Plain elements only (no icons/matches per step): a run can have hundreds of steps and
    # the list re-renders on every live batch.
    return rx.el.div(
        rx.el.div(
            rx.el.span(s.glyph, class_name="tiq-step-glyph"),
            rx.el.span(s.index + 1, ". ", s.label, class_name="tiq-step-label"),
            rx.el.span(s.duration, class_name="tiq-step-duration"),
            class_name="tiq-step-line",
        ),
        rx.cond(s.error != "", rx.el.pre(s.error, class_name="tiq-step-error")),
        rx.cond(s.console.length() > 0,  # type: ignore[attr-defined]
                rx.foreach(s.console, lambda m: rx.el.div("console: ", m, class_name="tiq-step-note"))),
        rx.cond(s.network.length() > 0,  # type: ignore[attr-defined]
                rx.foreach(s.network, lambda m: rx.el.div("network: ", m, class_name="tiq-step-note"))),
        rx.cond(s.screenshot != "", rx.el.a("screenshot", href=s.screenshot, target="_blank",
                                             class_name="tiq-step-note")),
        class_name="tiq-step",
        data_step_status=s.status, data_step_index=s.index,
    )


STEP_CSS = {
    ".tiq-step": {"width": "100%", "paddingLeft": "0.5em", "fontSize": "var(--font-size-2)"},
    ".tiq-step-line": {"display": "flex", "gap": "0.5em", "alignItems": "center"},
    ".tiq-step-label": {"flex": "1"},
    ".tiq-step-duration": {"color": "var(--gray-11)", "fontSize": "var(--font-size-1)"},
    ".tiq-step-glyph": {"width": "1.2em", "textAlign": "center", "fontWeight": "bold", "color": "var(--gray-9)"},
    ".tiq-step[data-step-status=passed] .tiq-step-glyph": {"color": "var(--green-9)"},
    ".tiq-step[data-step-status=failed] .tiq-step-glyph": {"color": "var(--red-9)"},
    ".tiq-step[data-step-status=running] .tiq-step-glyph": {"color": "var(--blue-9)"},
    ".tiq-step-error": {"color": "var(--red-11)", "background": "var(--red-a3)", "whiteSpace": "pre-wrap",
                        "fontSize": "var(--font-size-1)", "margin": "0.2em 0", "padding": "0.2em 0.4em"},
    ".tiq-step-note": {"color": "var(--orange-11)", "fontSize": "var(--font-size-1)", "display": "block"},
}


def _test(t: TestRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(t.status),
                rx.heading(t.name, size="3"),
                rx.badge(t.browser, variant="outline"),
                rx.cond(t.attempt > 1, rx.badge("attempt ", t.attempt, variant="outline", color_scheme="amber")),
                rx.spacer(),
                rx.text(t.done_steps, "/", t.total_steps, " steps", size="1", color_scheme="gray"),
                rx.text(t.duration, size="1", color_scheme="gray"),
                width="100%", align="center", wrap="wrap",
            ),
            rx.cond(t.error != "", rx.callout(t.error, icon="triangle-alert", color_scheme="red", size="1",
                                              width="100%")),
            rx.foreach(t.steps, _step),
            rx.cond(t.screenshot != "", rx.image(src=t.screenshot, alt="Failure screenshot of " + t.name,
                                                 max_width="100%", max_height="420px", object_fit="contain",
                                                 border="1px solid var(--gray-a6)")),
            rx.cond(t.video != "", rx.el.video(src=t.video, controls=True, preload="metadata",
                                               aria_label="Video of " + t.name,
                                               style={"maxWidth": "100%", "maxHeight": "360px"})),
            rx.cond(t.trace != "", rx.link(rx.button(rx.icon("scan-search", size=16), "Open trace", variant="soft",
                                                     size="1", tab_index=-1),
                                           href=t.trace, is_external=True, aria_label="Open trace of " + t.name)),
            spacing="2", width="100%",
        ),
        width="100%", data_test_id=t.id, data_test_status=t.status,
    )


@rx.page(route="/runs/[run_id]", title="Run · TraceIQ", on_load=[AuthState.require_login, RunLiveState.load])
def run_live_page() -> rx.Component:
    return app_shell(
        rx.cond(RunLiveState.error != "", error_callout(RunLiveState.error)),
        rx.cond(
            RunLiveState.run_pid != "",
            rx.vstack(
                rx.hstack(
                    rx.link(rx.text("Runs", size="2", color_scheme="gray"),
                            href="/projects/" + RunLiveState.run_pid + "/runs"),
                    rx.text("/", color_scheme="gray", size="2"),
                    rx.heading("Run", size="6"),
                    rx.box(status_badge(RunLiveState.status), id="run-status", data_status=RunLiveState.status),
                    rx.spacer(),
                    rx.cond(RunLiveState.can_run & ~RunLiveState.is_final,
                            rx.button(rx.icon("square", size=16), "Cancel run", color_scheme="red", variant="soft",
                                      on_click=RunLiveState.cancel)),
                    rx.cond(RunLiveState.can_run & RunLiveState.is_final & RunLiveState.has_failures,
                            rx.button(rx.icon("rotate-ccw", size=16), "Rerun failed",
                                      on_click=RunLiveState.rerun_failed)),
                    width="100%", align="center", wrap="wrap",
                ),
                rx.text(RunLiveState.trigger, " · ", RunLiveState.who, " · ", RunLiveState.created_at,
                        rx.cond(RunLiveState.environment != "", " · env " + RunLiveState.environment, ""),
                        rx.cond(RunLiveState.branch != "", " · " + RunLiveState.branch, ""),
                        size="2", color_scheme="gray"),
                rx.progress(value=RunLiveState.progress, width="100%", aria_label="Run progress"),
                rx.hstack(
                    rx.text(RunLiveState.finished_tests, " / ", RunLiveState.total, " tests", size="2",
                            id="run-progress-text"),
                    rx.badge(RunLiveState.passed, " passed", color_scheme="green"),
                    rx.badge(RunLiveState.failed, " failed", color_scheme="red"),
                    rx.badge(RunLiveState.flaky, " flaky", color_scheme="amber"),
                    rx.badge(RunLiveState.errors, " errors", color_scheme="red", variant="outline"),
                    rx.text(RunLiveState.duration, size="2", color_scheme="gray"),
                    spacing="2", align="center",
                ),
                rx.foreach(RunLiveState.tests, _test),
                spacing="3", width="100%", style=STEP_CSS,
            ),
        ),
    )
