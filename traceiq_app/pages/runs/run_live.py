"""/runs/<id>: one run, live. Tests and their steps turn green/red as the workers report."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.ai.explain import explain_failure
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
    ".tiq-steps": {"width": "100%"},
    ".tiq-steps-toggle": {"cursor": "pointer", "fontSize": "var(--font-size-1)", "color": "var(--gray-11)"},
    ".tiq-steps:not([open]) .tiq-steps-toggle::after": {"content": "' (collapsed: the test passed)'"},
    ".tiq-duration-bar": {"width": "100%", "height": "4px", "borderRadius": "2px", "background": "var(--gray-a3)",
                          "overflow": "hidden"},
    ".tiq-duration-fill": {"height": "100%", "minWidth": "2px", "background": "var(--accent-9)", "borderRadius": "2px"},
    "[data-test-status=failed] .tiq-duration-fill, [data-test-status=error] .tiq-duration-fill": {
        "background": "var(--red-9)"},
    ".tiq-step-note": {"color": "var(--orange-11)", "fontSize": "var(--font-size-1)", "display": "block"},
}


@rx.memo
def live_test_card(id: rx.Var[str], name: rx.Var[str], browser: rx.Var[str], attempt: rx.Var[int],  # noqa: A002
              status: rx.Var[str], duration: rx.Var[str], error: rx.Var[str], total_steps: rx.Var[int],
              done_steps: rx.Var[int], trace: rx.Var[str], video: rx.Var[str], screenshot: rx.Var[str],
              steps: rx.Var[list[StepRow]], collapse: rx.Var[bool], healed: rx.Var[str],
              hint: rx.Var[str], bar: rx.Var[int], defect_href: rx.Var[str]) -> rx.Component:
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
            # Duration bar: this test's time against the run's longest test.
            rx.cond(duration != "", rx.el.div(
                rx.el.div(class_name="tiq-duration-fill", style={"width": bar.to_string() + "%"}),
                class_name="tiq-duration-bar", aria_label="Duration of " + name_, title=duration,
                custom_attrs={"role": "meter", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": bar,
                              "aria-valuetext": duration, "data-duration-percent": bar},
            )),
            rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", size="1",
                                            width="100%")),
            rx.cond(hint != "", rx.text(rx.text.strong("Likely cause: "), hint, size="2", color_scheme="gray",
                                        data_failure_hint="")),
            rx.cond(hint != "", explain_failure(id)),
            # Passed tests of a long run start collapsed (their steps one click away).
            rx.el.details(
                rx.el.summary("Steps", class_name="tiq-steps-toggle"),
                rx.foreach(steps, _step),
                open=(status != "passed") | ~collapse.to(bool),
                class_name="tiq-steps",
            ),
            rx.cond(screenshot != "", _screenshot_thumbnail(screenshot, name_)),
            # The video of a passed test is one click away (it left a large empty area).
            rx.cond(video != "", rx.el.details(
                rx.el.summary("Video", class_name="tiq-steps-toggle"),
                rx.el.video(src=f"{video}#t=0.1", controls=True, preload="metadata", aria_label="Video of " + name_,
                            style={"maxWidth": "100%", "maxHeight": "360px"}),
                open=status != "passed",
            )),
            rx.hstack(
                rx.cond(trace != "", rx.link(rx.button(rx.icon("scan-search", size=16), "Open trace", variant="soft",
                                                       size="1", tab_index=-1),
                                             href=trace, is_external=True, aria_label="Open trace of " + name_)),
                # One click from a failure to a defect (prefilled; offers "Attach to DEF-n" for a known cluster).
                rx.cond((defect_href != "") & ((status == "failed") | (status == "error")),
                        rx.link(rx.button(rx.icon("bug", size=16), "Raise defect", variant="soft", color_scheme="red",
                                          size="1", tab_index=-1),
                                href=defect_href, aria_label="Raise a defect for " + name_)),
                spacing="2", wrap="wrap",
            ),
            spacing="2", width="100%",
        ),
        width="100%", data_test_id=id, data_test_status=status, tab_index=-1,
    )


def _screenshot_thumbnail(screenshot: Any, name: Any) -> rx.Component:
    """A small picture that opens the full screenshot in a lightbox (it used to take the card's
    full width and push everything below it down)."""
    return rx.dialog.root(
        rx.dialog.trigger(rx.el.button(
            rx.image(src=screenshot, alt="Failure screenshot of " + name, max_width="220px", max_height="140px",
                     object_fit="contain", display="block"),
            aria_label="Enlarge the failure screenshot of " + name,
            style={"all": "unset", "cursor": "zoom-in", "border": "1px solid var(--gray-a6)",
                   "borderRadius": "var(--radius-2)", "overflow": "hidden", "display": "inline-block"},
        )),
        rx.dialog.content(
            rx.dialog.title("Failure screenshot", size="3"),
            rx.image(src=screenshot, alt="Failure screenshot of " + name, width="100%", object_fit="contain",
                     max_height="80vh"),
            rx.dialog.close(rx.button("Close", variant="soft", margin_top="0.75em")),
            max_width="min(1200px, 95vw)",
        ),
    )


# Runs with more tests than this show passed tests' steps collapsed.
COLLAPSE_AFTER = 5

# j / k move the focus to the next / previous failed test (not while typing in a field).
FAILURE_KEYS_JS = """
if (!window.__tiqFailureKeys) {
  window.__tiqFailureKeys = true;
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || (e.key !== 'j' && e.key !== 'k')) return;
    const t = e.target;
    if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
    const cards = [...document.querySelectorAll('[data-test-status=failed], [data-test-status=error]')];
    if (!cards.length) return;
    const at = cards.indexOf(document.activeElement);
    const next = e.key === 'j' ? (at + 1) % cards.length : (at <= 0 ? cards.length - 1 : at - 1);
    cards[next].focus();
    cards[next].scrollIntoView({block: 'start', behavior: 'instant'});
    e.preventDefault();
  });
}
"""


def _test(t: TestRow) -> rx.Component:
    return live_test_card(id=t.id, name=t.name, browser=t.browser, attempt=t.attempt, status=t.status,
                     duration=t.duration, error=t.error, total_steps=t.total_steps, done_steps=t.done_steps,
                     trace=t.trace, video=t.video, screenshot=t.screenshot, steps=t.steps, healed=t.healed, hint=t.hint,
                     collapse=RunLiveState.tests.length() > COLLAPSE_AFTER,
                     bar=_percent_of_longest(t.duration_ms),
                     defect_href=rx.cond(RunLiveState.run_pid != "",
                                         "/projects/" + RunLiveState.run_pid + "/defects/new?from_result=" + t.id, ""))


def _percent_of_longest(duration_ms: Any) -> rx.Var:
    """A whole percentage of the run's longest test (the duration bar's width)."""
    ratio = duration_ms.to(int) * 100 / RunLiveState.longest_ms
    return rx.Var(_js_expr=f"Math.floor({ratio!s})", _var_type=int, _var_data=ratio._get_all_var_data())


def _cancel_button() -> rx.Component:
    """Cancelling stops the tests still running: it asks first."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("square", size=16), "Cancel run", color_scheme="red",
                                          variant="soft")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this run?"),
            rx.alert_dialog.description("Tests still running stop now and tests not started yet will not run. "
                                        "Results so far are kept."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep running", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Cancel run", color_scheme="red", on_click=RunLiveState.cancel)),
                spacing="3", justify="end", margin_top="1em",
            ),
        ),
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
                    rx.box(status_badge(RunLiveState.status), id="run-status", data_status=RunLiveState.status,
                           data_run_id=RunLiveState.run_id),
                    rx.spacer(),
                    rx.cond(RunLiveState.can_run & ~RunLiveState.is_final, _cancel_button()),
                    rx.cond(RunLiveState.can_run & RunLiveState.is_final & RunLiveState.has_failures,
                            rx.button(rx.icon("rotate-ccw", size=16), "Rerun failed",
                                      on_click=RunLiveState.rerun_failed)),
                    rx.cond(RunLiveState.is_final,
                            rx.link(rx.button(rx.icon("git-compare", size=16), "Compare", variant="soft",
                                              tab_index=-1),
                                    href="/runs/" + RunLiveState.run_id + "/compare", underline="none",
                                    id="run-compare")),
                    rx.cond(RunLiveState.is_final, rx.menu.root(
                        rx.menu.trigger(rx.button(rx.icon("download", size=16), "Report", variant="soft")),
                        rx.menu.content(*[
                            rx.menu.item(rx.link(label, href="/api/v1/runs/" + RunLiveState.run_id + "/" + path,
                                                 is_external=True))
                            for label, path in (("HTML (one file)", "report.html"), ("PDF", "report.pdf"),
                                                ("CSV", "results.csv"), ("Excel", "results.xlsx"))]),
                    )),
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
                    rx.cond(RunLiveState.cancelled > 0,
                            rx.badge(RunLiveState.cancelled, " cancelled", color_scheme="gray",
                                     custom_attrs={"data-testid": "cancelled-count"})),
                    rx.text(RunLiveState.duration, size="2", color_scheme="gray"),
                    spacing="2", align="center", wrap="wrap",
                ),
                rx.cond(RunLiveState.failed + RunLiveState.errors > 0,
                         rx.text("Press j / k to jump between failed tests.", size="1", color_scheme="gray")),
                rx.foreach(RunLiveState.tests, _test),
                rx.box(display="none", on_mount=rx.call_script(FAILURE_KEYS_JS)),
                spacing="3", width="100%", style=STEP_CSS,
            ),
        ),
    )
