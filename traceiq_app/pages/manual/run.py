"""/manual-runs/<id>: a tester steps through a manual run.

Keys (outside text fields): p pass, f fail, b block, s skip, r retest (each moves to the next
step), n next step, N or j next test, k previous test. A screenshot pasted anywhere on the page
(or picked with "Attach file") is sent to the CURRENT step through the authorized route
`POST /api/manual/step-results/<id>/attachments` (never /_upload); every open tab of the run
shows it through the run's live events.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import error_callout
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.manual.run import AttachmentItem, ManualRunState, StepItem, TestItem

OUTCOME_COLORS = {"passed": "green", "failed": "red", "blocked": "amber", "retest": "violet", "skipped": "gray",
                  "in_progress": "blue", "untested": "gray"}
KEYS = ("p", "f", "b", "s", "r", "n", "N", "j", "k")

PAGE_JS = """
if (!window.__tiqManualRun) {
  window.__tiqManualRun = true;
  const send = async (file) => {
    const holder = document.querySelector('[data-current-step-id]');
    const id = holder && holder.getAttribute('data-current-step-id');
    if (!id) return;
    const name = file.name && file.name !== 'image.png' ? file.name : 'pasted-screenshot.png';
    let result;
    try {
      const r = await fetch('/api/manual/step-results/' + id + '/attachments?filename=' + encodeURIComponent(name),
                            {method: 'POST', body: file, credentials: 'same-origin',
                             headers: {'Content-Type': 'application/octet-stream'}});
      const body = await r.json().catch(() => ({}));
      result = r.ok ? body.filename : 'error: ' + (body.detail || (body.error && body.error.message)
                                                   || ('the upload failed (HTTP ' + r.status + ')'));
    } catch (e) { result = 'error: the upload failed (' + e + ')'; }
    window.__tiqUploadResult = result;
    const done = document.getElementById('manual-upload-done');
    if (done) done.click();
  };
  document.addEventListener('paste', (e) => {
    if (!document.querySelector('[data-current-step-id]')) return;
    const files = [...((e.clipboardData && e.clipboardData.files) || [])];
    if (!files.length) return;
    e.preventDefault();
    files.forEach(send);
  });
  document.addEventListener('change', (e) => {
    if (e.target && e.target.id === 'manual-file-input') {
      [...e.target.files].forEach(send);
      e.target.value = '';
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
    const button = document.getElementById('manual-key-' + e.key);
    if (!button) return;
    e.preventDefault();
    button.click();
  });
}
"""


def outcome_badge(outcome: Any, **props: Any) -> rx.Component:
    return rx.badge(outcome, color_scheme=rx.match(outcome, *list(OUTCOME_COLORS.items()), "gray"),
                    variant="soft", data_outcome=outcome, **props)


def _test_row(t: TestItem) -> rx.Component:
    current = t.id == ManualRunState.current_test
    return rx.el.button(
        rx.hstack(
            outcome_badge(t.outcome),
            rx.text(t.name, size="2", weight=rx.cond(current, "bold", "regular"), style={"flex": "1",
                    "textAlign": "left", "overflowWrap": "anywhere"}),
            rx.text(t.done, "/", t.total, size="1", color_scheme="gray"),
            width="100%", align="center", spacing="2",
        ),
        rx.cond(t.assignee != "", rx.text("assigned to ", t.assignee, size="1", color_scheme="gray")),
        on_click=ManualRunState.select_test(t.id),  # type: ignore[operator]
        class_name="tiq-manual-test", data_current=current, data_test_name=t.name, data_outcome=t.outcome,
        aria_label="Open test " + t.name, aria_current=rx.cond(current, "true", "false"),
    )


def _attachment(a: AttachmentItem) -> rx.Component:
    url = "/api/manual/attachments/" + a.id
    return rx.link(
        rx.cond(a.is_image,
                rx.image(src=url, alt=a.filename, class_name="tiq-manual-thumb"),
                rx.text(a.filename, size="1")),
        href=url, is_external=True, title=a.filename, class_name="tiq-manual-attachment",
    )


MARK_BUTTONS = (("passed", "Pass", "green", "p"), ("failed", "Fail", "red", "f"), ("blocked", "Block", "amber", "b"),
                ("skipped", "Skip", "gray", "s"), ("retest", "Retest", "violet", "r"))


def _mark_bar(step: StepItem) -> rx.Component:
    return rx.vstack(
        rx.text_area(default_value=step.actual, placeholder="Actual result (what happened)",
                     aria_label="Actual result", key=step.id + "-" + step.version.to_string(),  # type: ignore[attr-defined]
                     on_blur=lambda v: ManualRunState.keep_note(step.id, v), width="100%", rows="2",  # type: ignore[operator]
                     id="manual-note"),
        rx.hstack(
            *[rx.button(label, " (", key, ")", color_scheme=color, variant="soft", size="2",
                        on_click=ManualRunState.mark(status), aria_label=f"Mark step {label.lower()}")  # type: ignore[operator]
              for status, label, color, key in MARK_BUTTONS],
            rx.el.label(rx.icon("paperclip", size=14), " Attach file",
                        rx.el.input(type="file", id="manual-file-input", accept="image/*,application/pdf,text/plain",
                                    style={"display": "none"}),
                        class_name="tiq-manual-attach"),
            wrap="wrap", spacing="2", align="center",
        ),
        rx.text("Paste a screenshot (Ctrl+V) to attach it to this step.", size="1", color_scheme="gray"),
        width="100%", spacing="2",
    )


def _step_row(step: StepItem) -> rx.Component:
    current = step.index == ManualRunState.current_step
    return rx.box(
        rx.hstack(
            rx.text(step.number, ".", weight="bold", size="2"),
            rx.vstack(
                rx.text(step.action, size="2", weight="medium"),
                rx.cond(step.data != "", rx.text("Data: ", step.data, size="1", color_scheme="gray")),
                rx.cond(step.expected != "", rx.text("Expected: ", step.expected, size="1")),
                spacing="1", style={"flex": "1", "minWidth": "0", "overflowWrap": "anywhere"},
            ),
            outcome_badge(step.status, class_name="tiq-manual-step-status"),
            width="100%", align="start", spacing="2", cursor="pointer",
            # Only the step's own line selects it: clicks on its buttons and links must not.
            on_click=ManualRunState.select_step(step.index),  # type: ignore[operator]
        ),
        rx.cond((step.actual != "") & ~current,
                rx.text("Actual: ", step.actual, size="1", class_name="tiq-manual-actual")),
        rx.cond(step.by != "", rx.text(step.status, " by ", step.by, " · ", step.at, size="1",
                                          color_scheme="gray", class_name="tiq-manual-by")),
        rx.cond(step.attachments.length() > 0,  # type: ignore[attr-defined]
                rx.hstack(rx.foreach(step.attachments, _attachment), wrap="wrap", spacing="2")),
        rx.cond(step.defect_url != "",
                rx.link(rx.button(rx.icon("bug", size=14), "Raise defect", size="1", color_scheme="red",
                                  variant="outline", tab_index=-1),
                        href=step.defect_url, class_name="tiq-raise-defect")),
        rx.cond(current & ManualRunState.can_write & (ManualRunState.status == "open"), _mark_bar(step)),
        class_name="tiq-manual-step", data_current=current, data_step_status=step.status,
        data_step_index=step.index,
    )


def _override() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.select(
                rx.el.option("Outcome from the steps", value=""),
                *[rx.el.option(o, value=o) for o in ("passed", "failed", "blocked", "skipped", "retest")],
                name="outcome", aria_label="Override outcome", class_name="tiq-manual-select",
            ),
            rx.input(name="reason", placeholder="Reason for the override", aria_label="Override reason",
                     style={"flex": "1", "minWidth": "10em"}),
            rx.button("Set outcome", type="submit", variant="soft", size="2"),
            wrap="wrap", spacing="2", width="100%",
        ),
        on_submit=ManualRunState.override, reset_on_submit=True, width="100%",
    )


def _current_test() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(ManualRunState.current_name, size="4", style={"overflowWrap": "anywhere"}),
                outcome_badge(ManualRunState.current_outcome, id="manual-test-outcome"),
                rx.cond(ManualRunState.current_reason != "",
                        rx.text("(overridden: ", ManualRunState.current_reason, "; steps say ",
                                ManualRunState.current_derived, ")", size="1", color_scheme="gray")),
                wrap="wrap", align="center", spacing="2", width="100%",
            ),
            rx.cond(ManualRunState.preconditions != "",
                    rx.text("Preconditions: ", ManualRunState.preconditions, size="2")),
            rx.cond(ManualRunState.conflict != "",
                    rx.callout(ManualRunState.conflict, icon="triangle_alert", color_scheme="red", width="100%",
                               id="manual-conflict", role="alert")),
            rx.box(rx.foreach(ManualRunState.steps, _step_row), width="100%",
                   data_current_step_id=ManualRunState.current_step_id, id="manual-steps"),
            rx.cond(ManualRunState.can_write & (ManualRunState.status == "open"), _override()),
            spacing="3", width="100%",
        ),
        width="100%", style={"flex": "2 1 22em", "minWidth": "0"},
    )


def _status_bar() -> rx.Component:
    """Open / closed (who closed it, when) and the Close / Reopen button for writers."""
    closed = ManualRunState.status == "closed"
    return rx.hstack(
        rx.badge(ManualRunState.status, color_scheme=rx.cond(closed, "gray", "green"), variant="soft",
                 id="manual-run-status", data_status=ManualRunState.status),
        rx.cond(closed, rx.text("closed by ", ManualRunState.closed_by, " · ", ManualRunState.closed_at,
                                size="1", color_scheme="gray", id="manual-run-closed-by")),
        rx.cond(ManualRunState.can_write,
                rx.cond(closed,
                        rx.button(rx.icon("rotate-ccw", size=14), "Reopen run", size="1", variant="soft",
                                  on_click=ManualRunState.reopen_run),
                        rx.button(rx.icon("lock", size=14), "Close run", size="1", variant="soft", color_scheme="gray",
                                  on_click=ManualRunState.close_run))),
        wrap="wrap", align="center", spacing="2",
    )


CSS = {
    ".tiq-manual-test": {"display": "block", "width": "100%", "textAlign": "left", "padding": "0.5em",
                         "borderRadius": "var(--radius-2)", "border": "1px solid var(--gray-5)",
                         "background": "var(--color-panel-solid)", "color": "var(--gray-12)", "cursor": "pointer"},
    ".tiq-manual-test[data-current=true]": {"borderColor": "var(--accent-9)", "background": "var(--accent-3)"},
    ".tiq-manual-step": {"padding": "0.6em", "borderRadius": "var(--radius-2)", "border": "1px solid var(--gray-4)",
                         "marginBottom": "0.5em", "width": "100%"},
    ".tiq-manual-step[data-current=true]": {"borderColor": "var(--accent-9)", "boxShadow": "0 0 0 1px var(--accent-9)"},
    ".tiq-manual-thumb": {"maxHeight": "64px", "maxWidth": "120px", "border": "1px solid var(--gray-6)"},
    ".tiq-manual-attach": {"cursor": "pointer", "fontSize": "var(--font-size-2)", "color": "var(--accent-11)",
                           "display": "inline-flex", "alignItems": "center", "gap": "0.25em"},
    ".tiq-manual-select": {"padding": "0.3em", "borderRadius": "var(--radius-2)", "background": "var(--gray-2)",
                           "color": "var(--gray-12)", "border": "1px solid var(--gray-6)"},
}


@rx.page(route="/manual-runs/[mrun_id]", title="Manual run · TraceIQ",
         on_load=[AuthState.require_login, ManualRunState.load])
def manual_run_page() -> rx.Component:
    return app_shell(
        rx.cond(ManualRunState.error != "", error_callout(ManualRunState.error)),
        rx.cond(
            ManualRunState.pid != "",
            rx.vstack(
                rx.hstack(
                    rx.link(rx.text("Manual runs", size="2", color_scheme="gray"),
                            href="/projects/" + ManualRunState.pid + "/manual-runs"),
                    rx.text("/", color_scheme="gray", size="2"),
                    rx.heading(ManualRunState.name, size="6", style={"overflowWrap": "anywhere"}),
                    wrap="wrap", align="center", spacing="2",
                ),
                rx.text(rx.cond(ManualRunState.environment != "", "env " + ManualRunState.environment, "no env"),
                        " · build ", ManualRunState.build_label,
                        rx.cond(ManualRunState.milestone != "", " · milestone " + ManualRunState.milestone, ""),
                        size="2", color_scheme="gray"),
                _status_bar(),
                rx.progress(value=ManualRunState.percent, width="100%", aria_label="Manual run progress"),
                rx.text(ManualRunState.complete, " / ", ManualRunState.total, " tests complete (",
                        ManualRunState.percent, "%)", size="2", id="manual-progress"),
                rx.text("Keys: p pass · f fail · b block · s skip · r retest · n next step · N or j/k next/previous "
                        "test", size="1", color_scheme="gray"),
                rx.flex(
                    rx.vstack(rx.foreach(ManualRunState.tests, _test_row), spacing="2",
                              style={"flex": "1 1 14em", "minWidth": "0"}, id="manual-tests"),
                    _current_test(),
                    gap="1em", wrap="wrap", width="100%", align="start",
                ),
                rx.card(
                    rx.heading("Activity", size="3"),
                    rx.foreach(ManualRunState.activity, lambda a: rx.text(
                        a["at"], " · ", a["who"], " ", a["what"], size="1", class_name="tiq-manual-activity")),
                    width="100%", id="manual-activity",
                ),
                rx.box(
                    *[rx.el.button(id=f"manual-key-{k}", on_click=ManualRunState.mark_key(k), tab_index=-1,  # type: ignore[operator]
                                   aria_hidden="true") for k in KEYS],
                    rx.el.button(id="manual-upload-done", tab_index=-1, aria_hidden="true",
                                 on_click=rx.call_script("window.__tiqUploadResult || ''",
                                                         callback=ManualRunState.after_upload)),
                    display="none", on_mount=rx.call_script(PAGE_JS),
                ),
                spacing="3", width="100%", style=CSS,
            ),
        ),
    )
