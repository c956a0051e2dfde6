"""In Chromium against the running app: an admin opens a custom field's edit form, removing an
option still in use is refused naming it and how many defects use it (the typed options stay),
a rename is saved, and the field moves up above another."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from traceiq_app.services.defects import custom_fields, defects

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

TIMEOUT = 90_000


def test_it_edits_and_moves_a_field(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    custom_fields.create_field(cast.project_id, "defect", "Notes", "text")
    custom_fields.create_field(cast.project_id, "defect", "Customer", "select", "Acme, Globex")
    defects.create(cast.project_id, cast.alice_id, {"title": "Cart total wrong", "custom": {"customer": "Globex"}})
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(cast.alice_id), "url": live.url}])
    page = context.new_page()
    try:
        page.goto(f"{live.url}/projects/{cast.project_id}/custom-fields")
        page.get_by_role("button", name="Edit the field Customer").click()
        form = page.locator("#edit-field")
        expect(form.get_by_label("Options")).to_have_value("Acme, Globex", timeout=TIMEOUT)
        form.get_by_label("Options").fill("Acme")
        form.get_by_role("button", name="Save").click()
        expect(form.get_by_test_id("form-error")).to_have_text(
            "Options: 'Globex' is still used by 1 defect; change it to another option first, or keep it.",
            timeout=TIMEOUT)
        expect(form.get_by_label("Options")).to_have_value("Acme")  # what was typed stays
        form.get_by_label("Options").fill("Acme, Globex, Initech")
        form.get_by_label("Label").fill("Client")
        form.get_by_role("button", name="Save").click()
        expect(page.locator("tr[data-field=Client]")).to_contain_text("Acme, Globex, Initech", timeout=TIMEOUT)
        expect(page.locator("#edit-field")).to_have_count(0)

        expect(page.locator("tr[data-field]").first).to_have_attribute("data-field", "Notes")
        page.get_by_role("button", name="Move up Client").click()
        expect(page.locator("tr[data-field]").first).to_have_attribute("data-field", "Client", timeout=TIMEOUT)
        assert [f.label for f in custom_fields.list_fields(cast.project_id, "defect")] == ["Client", "Notes"]
    finally:
        context.close()
