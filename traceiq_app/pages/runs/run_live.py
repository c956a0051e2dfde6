"""/runs/<id>: one run, live. Tests and their steps turn green/red as the workers report."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import error_callout
from traceiq_app.components.layout import app_shell
from traceiq_app.pages.runs.runs import status_badge
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.runs.run_live import RunLiveState, StepRow, TestRow


# Rows are React.memo components with primitive props (`rx.memo`): the live page receives the
# whole `tests` list with every batch, and Reflex's delta merge keeps the identity of unchanged
# objects, so only the test card and the step rows that changed re-render. Re-rendering every
# row on every batch (a plain foreach) made the browser the bottleneck of a fast run.
@rx.memo
def live_step_row(index: rx.Var[int], status: rx.Var[str], glyph: rx.Var[str], label: rx.Var[str],
             duration: rx.Var[str], error: rx.Var[str], console: rx.Var[list[str]], network: rx.Var[list[str]],
             screenshot: rx.Var[str]) -> rx.Component:
    # Plain elements only (no icons/matches per step): a run can have hundreds of steps.
    return rx.el.div(
        rx.el.div(
            rx.el.span(glyph, class_name="tiq-step-glyph"),
            rx.el.span(index.to(int) + 1, ". ", label, class_name="tiq-step-label"),
            rx.el.span(duration, class_name="tiq-step-duration"),
            class_name="tiq-step-line",
        ),
        rx.cond(error != "", rx.el.pre(error, class_name="tiq-step-error")),
        rx.foreach(console, lambda m: rx.el.div("console: ", m, class_name="tiq-step-note tiq-step-console")),
        rx.foreach(network, lambda m: rx.el.div("network: ", m, class_name="tiq-step-note tiq-step-network")),
        rx.cond(screenshot != "", rx.el.a("screenshot", href=screenshot, target="_blank",
                                          class_name="tiq-step-note")),
        class_name="tiq-step",
        data_step_status=status, data_step_index=index,
    )


def _step(s: StepRow) -> rx.Component:
    return live_step_row(index=s.index, status=s.status, glyph=s.glyph, label=s.label, duration=s.duration,
                    error=s.error, console=s.console, network=s.network, screenshot=s.screenshot)


STEP_CSS = {
    # Solid cards without Radix's translucent-panel backdrop blur (64 px): a card taller than the
    # screen made every live update re-blur the whole backdrop (~15-20 ms of compositing per frame
    # in a software-rendered browser); on the page's plain background the look is the same.
    "--color-panel": "var(--color-panel-solid)",
    "--backdrop-filter-panel": "none",
    # Rows out of view are neither laid out nor painted (a run can have thousands of steps).
    ".tiq-step": {"width": "100%", "paddingLeft": "0.5em", "fontSize": "var(--font-size-2)",
                  "contentVisibility": "auto", "containIntrinsicSize": "auto 1.6em"},
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


@rx.memo
def live_test_card(id: rx.Var[str], name: rx.Var[str], browser: rx.Var[str], attempt: rx.Var[int],  # noqa: A002
              status: rx.Var[str], duration: rx.Var[str], error: rx.Var[str], total_steps: rx.Var[int],
              done_steps: rx.Var[int], trace: rx.Var[str], video: rx.Var[str], screenshot: rx.Var[str],
              steps: rx.Var[list[StepRow]], healed: rx.Var[str], hint: rx.Var[str]) -> rx.Component:
    name_ = name.to(str)
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(status),
                rx.cond(healed != "", rx.badge(rx.icon("wand-sparkles", size=12), healed, color_scheme="violet",
                                               variant="soft", data_healed=healed, title="A locator was healed: "
                                               "review the proposal on the project's Healing page")),
                rx.heading(name, size="3"),
                rx.badge(browser, variant="outline"),
                rx.cond(attempt.to(int) > 1, rx.badge("attempt ", attempt, variant="outline", color_scheme="amber")),
                rx.spacer(),
                rx.text(done_steps, "/", total_steps, " steps", size="1", color_scheme="gray"),
                rx.text(duration, size="1", color_scheme="gray"),
                width="100%", align="center", wrap="wrap",
            ),
            rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", size="1",
                                            width="100%")),
            rx.cond(hint != "", rx.text(rx.text.strong("Likely cause: "), hint, size="2", color_scheme="gray",
                                        data_failure_hint="")),
            rx.foreach(steps, _step),
            rx.cond(screenshot != "", rx.image(src=screenshot, alt="Failure screenshot of " + name_,
                                               max_width="100%", max_height="420px", object_fit="contain",
                                               border="1px solid var(--gray-a6)")),
            rx.cond(video != "", rx.el.video(src=f"{video}#t=0.1", controls=True, preload="metadata",
                                             aria_label="Video of " + name_,
                                             style={"maxWidth": "100%", "maxHeight": "360px"})),
            rx.cond(trace != "", rx.link(rx.button(rx.icon("scan-search", size=16), "Open trace", variant="soft",
                                                   size="1", tab_index=-1),
                                         href=trace, is_external=True, aria_label="Open trace of " + name_)),
            spacing="2", width="100%",
        ),
        width="100%", data_test_id=id, data_test_status=status,
    )


def _test(t: TestRow) -> rx.Component:
    return live_test_card(id=t.id, name=t.name, browser=t.browser, attempt=t.attempt, status=t.status,
                     duration=t.duration, error=t.error, total_steps=t.total_steps, done_steps=t.done_steps,
                     trace=t.trace, video=t.video, screenshot=t.screenshot, steps=t.steps, healed=t.healed, hint=t.hint)


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
                    rx.box(status_badge(RunLiveState.status), id="run-status", data_status=RunLiveState.status,
                           data_run_id=RunLiveState.run_id),
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
