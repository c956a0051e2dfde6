"""/projects/<pid>/manual-tests/<id> ("new"): the manual test form (the automated editor
redirects manual tests here)."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import error_callout
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.manual.editor import FileRow, ManualEditorState, ManualStepRow, VersionRow

UPLOAD_JS = """
if (!window.__tiqManualTestFiles) {
  window.__tiqManualTestFiles = true;
  document.addEventListener('change', async (e) => {
    if (!e.target || e.target.id !== 'manual-test-file') return;
    const id = e.target.getAttribute('data-test-id');
    for (const file of [...e.target.files]) {
      let result;
      try {
        const r = await fetch('/api/manual/tests/' + id + '/attachments?filename=' + encodeURIComponent(file.name),
                              {method: 'POST', body: file, credentials: 'same-origin',
                               headers: {'Content-Type': 'application/octet-stream'}});
        const body = await r.json().catch(() => ({}));
        result = r.ok ? body.filename : 'error: ' + (body.detail || ('the upload failed (HTTP ' + r.status + ')'));
      } catch (err) { result = 'error: the upload failed (' + err + ')'; }
      window.__tiqUploadResult = result;
      const done = document.getElementById('manual-test-upload-done');
      if (done) done.click();
    }
    e.target.value = '';
  });
}
"""


def _step(s: ManualStepRow) -> rx.Component:
    i = (s.number - 1).to_string()  # type: ignore[attr-defined]
    return rx.flex(
        rx.text(s.number, ".", weight="bold", size="2", style={"minWidth": "1.5em"}),
        rx.text_area(name="action-" + i, default_value=s.action, placeholder="Action (what the tester does)",
                     aria_label="Step " + s.number.to_string() + " action", rows="2",  # type: ignore[attr-defined]
                     style={"flex": "2 1 14em"}),
        rx.text_area(name="data-" + i, default_value=s.data, placeholder="Test data", rows="2",
                     aria_label="Step " + s.number.to_string() + " test data",  # type: ignore[attr-defined]
                     style={"flex": "1 1 8em"}),
        rx.text_area(name="expected-" + i, default_value=s.expected, placeholder="Expected result", rows="2",
                     aria_label="Step " + s.number.to_string() + " expected result",  # type: ignore[attr-defined]
                     style={"flex": "2 1 12em"}),
        gap="0.5em", wrap="wrap", width="100%", class_name="tiq-manual-step-edit",
    )


def _version(v: VersionRow) -> rx.Component:
    """A version: its diff on click; "Restore" (writers, older versions) makes it current again."""
    return rx.hstack(
        rx.button("v", v.version, " · ", v.created_at, size="1", variant="soft",
                  on_click=ManualEditorState.show_diff(v.version)),  # type: ignore[operator]
        rx.cond(ManualEditorState.can_write & (v.version != ManualEditorState.version),
                rx.button(rx.icon("history", size=12), "Restore", size="1", variant="outline",
                          aria_label="Restore version " + v.version.to_string(),  # type: ignore[attr-defined]
                          on_click=ManualEditorState.restore_version(v.version))),  # type: ignore[operator]
        spacing="1", align="center", class_name="tiq-manual-version",
    )


def _file(f: FileRow) -> rx.Component:
    return rx.link(f.filename, href="/api/manual/attachments/" + f.id, is_external=True, size="2")


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.input(name="name", default_value=ManualEditorState.name, placeholder="Test name", aria_label="Name",
                     required=True, width="100%"),
            rx.text_area(name="description", default_value=ManualEditorState.description,
                         placeholder="Description", aria_label="Description", width="100%"),
            rx.text_area(name="preconditions", default_value=ManualEditorState.preconditions,
                         placeholder="Preconditions (what must be true before step 1)", aria_label="Preconditions",
                         width="100%"),
            rx.input(name="tags", default_value=ManualEditorState.tags_text, placeholder="Tags (comma-separated)",
                     aria_label="Tags", width="100%"),
            rx.heading("Steps", size="3"),
            rx.vstack(rx.foreach(ManualEditorState.steps, _step), width="100%", spacing="2"),
            rx.text("Empty rows are dropped when you save.", size="1", color_scheme="gray"),
            rx.hstack(
                rx.button(rx.icon("plus", size=14), "Add step", type="button", variant="soft",
                          on_click=ManualEditorState.add_step),
                rx.cond(ManualEditorState.can_write, rx.button(rx.icon("save", size=14), "Save", type="submit")),
                spacing="2", wrap="wrap",
            ),
            rx.cond(ManualEditorState.form_error != "", error_callout(ManualEditorState.form_error)),
            width="100%", spacing="3",
        ),
        on_submit=ManualEditorState.save, key=ManualEditorState.form_key.to_string(), width="100%",  # type: ignore[attr-defined]
    )


@rx.page(route="/projects/[project_id]/manual-tests/[mtid]", title="Manual test · TraceIQ",
         on_load=[AuthState.require_login, ManualEditorState.load])
def manual_editor_page() -> rx.Component:
    return app_shell(
        rx.hstack(
            rx.link(rx.text("Tests", size="2", color_scheme="gray"), href="/projects/" + ManualEditorState.pid),
            rx.text("/", color_scheme="gray", size="2"),
            rx.heading(rx.cond(ManualEditorState.mtid == "", "New manual test", ManualEditorState.name), size="6",
                       style={"overflowWrap": "anywhere"}),
            rx.badge("manual", variant="soft", color_scheme="violet"),
            rx.cond(ManualEditorState.version > 0, rx.badge("v", ManualEditorState.version, variant="outline")),
            wrap="wrap", align="center", spacing="2",
        ),
        rx.cond(ManualEditorState.error != "", error_callout(ManualEditorState.error)),
        rx.cond(ManualEditorState.pid != "", rx.vstack(
            rx.card(_form(), width="100%"),
            rx.cond(ManualEditorState.mtid != "", rx.card(rx.vstack(
                rx.heading("Attachments", size="3"),
                rx.foreach(ManualEditorState.files, _file),
                rx.cond(ManualEditorState.can_write, rx.el.input(
                    type="file", id="manual-test-file", custom_attrs={"data-test-id": ManualEditorState.mtid},
                    accept="image/*,application/pdf,text/plain", aria_label="Attach a file to this test")),
                rx.el.button(id="manual-test-upload-done", tab_index=-1, aria_hidden="true", style={"display": "none"},
                             on_click=rx.call_script("window.__tiqUploadResult || ''",
                                                     callback=ManualEditorState.after_upload)),
                rx.box(display="none", on_mount=rx.call_script(UPLOAD_JS)),
                spacing="2", width="100%"), width="100%")),
            rx.cond(ManualEditorState.versions.length() > 0, rx.card(rx.vstack(
                rx.heading("Versions", size="3"),
                rx.hstack(rx.foreach(ManualEditorState.versions, _version), wrap="wrap", spacing="2"),
                rx.cond(ManualEditorState.diff_text != "", rx.el.pre(
                    ManualEditorState.diff_text, id="manual-diff",
                    style={"whiteSpace": "pre-wrap", "overflowWrap": "anywhere", "fontSize": "var(--font-size-1)",
                           "width": "100%"})),
                spacing="2", width="100%"), width="100%")),
            width="100%", spacing="3",
        )),
    )
