"""The test editor: /tests/<id> (a saved test) and /projects/<id>/tests/new?suite=<id>."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.ai.draft_review import draft_dry_run
from traceiq_app.components.catalog.catalog_bits import choice, error_callout
from traceiq_app.components.catalog.editor_panels import history_panel, settings_panel
from traceiq_app.components.catalog.editor_steps import step_list
from traceiq_app.components.defects.test_panel import test_defects_panel
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.ai.draft_review import DraftReviewState
from traceiq_app.state.catalog.editor import EditorState
from traceiq_app.state.catalog.locator_advice import LocatorAdviceState
from traceiq_app.state.defects.test_panel import TestDefectsState


def _header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(rx.text(EditorState.breadcrumb, size="2", color_scheme="gray"),
                    href=rx.cond(EditorState.suite_id == "", "/projects/" + EditorState.pid,
                                 "/projects/" + EditorState.pid + "?suite=" + EditorState.suite_id)),
            rx.spacer(),
            rx.cond(EditorState.dirty, rx.badge("Unsaved changes", color_scheme="amber", variant="soft")),
            rx.cond(~EditorState.is_new, rx.badge("version ", EditorState.version, variant="outline")),
            rx.cond(EditorState.source_format != "native",
                    rx.badge("imported: ", EditorState.source_format, variant="soft", color_scheme="gray")),
            align="center",
            width="100%",
            spacing="2",
        ),
        rx.hstack(
            rx.vstack(
                rx.el.label("Test name", html_for="test-name", style={"fontSize": "0.8em", "fontWeight": 500}),
                rx.input(id="test-name", value=EditorState.name, on_change=EditorState.set_name, size="3",
                         placeholder="What does this test check? e.g. Sign in with a valid account", width="100%"),
                rx.cond(EditorState.name_error != "", rx.text(EditorState.name_error, color_scheme="red", size="1",
                                                              role="alert")),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                rx.el.label("Priority", html_for="test-priority", style={"fontSize": "0.8em", "fontWeight": 500}),
                choice(EditorState.priority_choices, EditorState.priority, EditorState.set_priority,
                       label="Priority", id="test-priority", size="3"),
                spacing="1",
            ),
            width="100%",
            align="start",
            spacing="3",
        ),
        rx.hstack(
            rx.vstack(
                rx.el.label("Tags (comma separated)", html_for="test-tags", style={"fontSize": "0.8em", "fontWeight": 500}),
                rx.input(id="test-tags", value=EditorState.tags_text, on_change=EditorState.set_tags_text,
                         placeholder="smoke, checkout", width="100%"),
                spacing="1",
                flex="1",
            ),
            rx.vstack(
                rx.el.label("Description", html_for="test-description", style={"fontSize": "0.8em", "fontWeight": 500}),
                rx.input(id="test-description", value=EditorState.description, on_change=EditorState.set_description,
                         placeholder="Optional", width="100%"),
                spacing="1",
                flex="2",
            ),
            width="100%",
            spacing="3",
        ),
        spacing="3",
        width="100%",
    )


# Installed once per tab when an editor mounts: Ctrl/Cmd+S clicks Save; leaving with unsaved
# edits (reload, close, or an in-app link) asks first. The editor marks itself with
# data-editor-dirty="true" while it holds unsaved edits.
EDITOR_KEYS_JS = """
if (!window.__tiqEditorGuard) {
  window.__tiqEditorGuard = true;
  const dirty = () => !!document.querySelector('[data-editor-dirty="true"]');
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 's' || e.key === 'S')) {
      const save = document.getElementById('save-test');
      if (save) {
        e.preventDefault();
        // Blurring flushes the focused input's pending (debounced) change before the save.
        const focused = document.activeElement;
        if (focused && focused.blur) focused.blur();
        setTimeout(() => { save.click(); if (focused && focused.focus) focused.focus(); }, 0);
      }
    }
  }, true);
  window.addEventListener('beforeunload', (e) => {
    if (dirty()) { e.preventDefault(); e.returnValue = ''; }
  });
  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('a[href]');
    if (!link || !dirty() || link.target === '_blank') return;
    if (!window.confirm('You have unsaved changes in this test. Leave and lose them?')) {
      e.preventDefault(); e.stopPropagation();
    }
  }, true);
}
"""


def _save_bar() -> rx.Component:
    return rx.hstack(
        rx.cond(
            EditorState.problem_count > 0,
            rx.callout(EditorState.problem_count.to_string() + " problem(s) to fix before saving — see the red fields.",
                       icon="circle-alert", color_scheme="red", size="1", custom_attrs={"data-testid": "problems"}),
            rx.cond(EditorState.hidden_problems > 0,
                    rx.text("Fill in the fields marked *; problems show as you go or when you save.", size="2",
                            color_scheme="gray", custom_attrs={"data-testid": "problems-pending"}),
                    rx.text("Every field is valid.", size="2", color_scheme="green")),
        ),
        rx.spacer(),
        rx.cond(~EditorState.is_new & EditorState.can_write, rx.hstack(
            rx.button(rx.icon("copy", size=14), "Duplicate test", variant="soft", on_click=EditorState.duplicate_test),
            rx.button(rx.icon("trash-2", size=14), "Delete test", variant="soft", color_scheme="red",
                      on_click=EditorState.delete_test),
            spacing="2",
        )),
        rx.cond(EditorState.can_write,
                rx.tooltip(rx.button(rx.icon("save", size=16), rx.cond(EditorState.is_new, "Create test", "Save"),
                                     on_click=EditorState.save, size="3", id="save-test",
                                     aria_keyshortcuts="Control+S Meta+S"),
                           content="Ctrl+S / ⌘S")),
        rx.box(display="none", on_mount=rx.call_script(EDITOR_KEYS_JS),
               custom_attrs={"data-editor-dirty": rx.cond(EditorState.dirty, "true", "false")}),
        width="100%",
        align="center",
        spacing="3",
        wrap="wrap",
        position="sticky",
        bottom="0",
        padding_y="0.75em",
        background=rx.color("gray", 1),
        z_index="5",
    )


def _editor() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.flex(
            rx.vstack(
                draft_dry_run(),
                rx.heading("Steps", size="4"),
                step_list(),
                _save_bar(),
                width="100%",
                spacing="3",
                min_width="0",
            ),
            rx.box(
                rx.card(
                    rx.tabs.root(
                        rx.tabs.list(rx.tabs.trigger("History", value="history"),
                                     rx.tabs.trigger("Effective settings", value="settings")),
                        rx.tabs.content(rx.box(history_panel(), padding_top="0.75em"), value="history"),
                        rx.tabs.content(rx.box(settings_panel(), padding_top="0.75em"), value="settings"),
                        default_value="history",
                    ),
                    width="100%",
                ),
                test_defects_panel(),
                width=rx.breakpoints(initial="100%", lg="26em"),
                flex_shrink="0",
            ),
            direction=rx.breakpoints(initial="column", lg="row"),
            spacing="4",
            width="100%",
            align="start",
        ),
        spacing="4",
        width="100%",
    )


def _page() -> rx.Component:
    return app_shell(
        rx.cond(
            EditorState.error != "",
            rx.vstack(error_callout(EditorState.error), rx.link("Back to your projects", href="/projects")),
            rx.cond(EditorState.loaded, _editor(), rx.center(rx.spinner(size="3"), padding="3em", width="100%")),
        ),
    )


@rx.page(route="/tests/[test_id]", title="Test editor · TraceIQ",
         on_load=[AuthState.require_login, EditorState.load, LocatorAdviceState.check_all, DraftReviewState.load, TestDefectsState.load])
def edit_test_page() -> rx.Component:
    return _page()


@rx.page(route="/projects/[project_id]/tests/new", title="New test · TraceIQ",
         on_load=[AuthState.require_login, EditorState.load, LocatorAdviceState.check_all, DraftReviewState.load, TestDefectsState.clear_panel])
def new_test_page() -> rx.Component:
    return _page()
