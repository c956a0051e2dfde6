"""A refused import says why, once: a 20 MB file is "20 MB; imports are limited to 1 MB"
(not the 1.0 MB that was read of it), a .png is "unsupported file type", each as ONE message;
the browser side (the file picker refusing before the upload) is checked in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.app.test_states_refuse_other_orgs import _cookie, _run_outside_event_loop, _state
from tests.support.browser_pages import signed_in_page
from traceiq_app.services.catalog import imports
from traceiq_app.state.catalog.imports import ImportState


class _BigUpload:
    name = "huge.json"
    size = 20_000_000

    async def read(self, size: int = -1) -> bytes:
        return b" " * (size if size >= 0 else self.size)


def _import_state(personas) -> ImportState:  # type: ignore[no-untyped-def]
    state = _state(ImportState, _cookie(personas.alice.id), f"/projects/{personas.project.id}/import")
    state.load()
    return state


def test_it_states_the_real_size_of_a_too_big_upload(personas) -> None:  # type: ignore[no-untyped-def]
    state = _import_state(personas)
    _run_outside_event_loop(state.handle_upload([_BigUpload()]))  # type: ignore[list-item]
    assert state.upload_error == "huge.json: the file is 20 MB; imports are limited to 1 MB"
    assert imports.size_problem("a.json", 1_500_000) == "a.json: the file is 1.5 MB; imports are limited to 1 MB"


def test_it_explains_a_file_the_picker_refused_once(personas) -> None:  # type: ignore[no-untyped-def]
    state = _import_state(personas)
    event = state.reject_files(["./shot.png|2048|file-invalid-type"])
    assert state.upload_error == "shot.png: unsupported file type (expected .json, .yaml, .yml or .py)"
    assert "shot.png" in str(event)
    state.reject_files(["big.json|20000000|file-too-large"])
    assert state.upload_error == "big.json: the file is 20 MB; imports are limited to 1 MB"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("app")
def test_it_shows_one_clear_message_for_a_refused_file_in_the_browser(app_server, chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    png = tmp_path / "screenshot.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    big = tmp_path / "huge.json"
    big.write_bytes(b" " * 20_000_000)
    page = signed_in_page(app_server, chromium, "Imports")
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        page.goto(page.url + "/import")
        picker = page.locator("input[type=file]")
        picker.set_input_files(str(png))
        expect(page.get_by_role("alert").filter(has_text="screenshot.png: unsupported file type")).to_be_visible()
        page.wait_for_timeout(700)  # any second toast would have appeared by now
        assert page.locator("[data-sonner-toast]").all_inner_texts() == [
            "screenshot.png: unsupported file type (expected .json, .yaml, .yml or .py)"]
        picker.set_input_files(str(big))
        expect(page.get_by_role("alert").filter(
            has_text="huge.json: the file is 20 MB; imports are limited to 1 MB")).to_be_visible()
    finally:
        page.context.close()
