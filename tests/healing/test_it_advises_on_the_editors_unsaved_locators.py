"""The editor's inline advice (services/healing/advice.py `advise_locators`) on locators not yet
saved: a sound locator gets none; a brittle one gets the fingerprinted element's sturdier
locator, but only from a test of the same project (another project's test id gives the general
advice, revealing nothing); drag_and_drop's second target uses its own slot."""

from __future__ import annotations

from tests.runs.conftest import Stack
from traceiq_app.services.healing import store
from traceiq_app.services.healing.advice import GENERIC_BETTER, advise_locators

NTH = {"css": "main > div:nth-child(2) > div:nth-child(3) > button"}
BUTTON = {"tag": "button", "role": "button", "name": "Place order", "kind": "clickable", "attrs": {}}


def test_it_advises_on_unsaved_locators(stack: Stack) -> None:
    project, other = stack.project("http://127.0.0.1:9"), stack.project("http://127.0.0.1:9")
    case = stack.test_case(project, "Checkout", [{"action": "goto", "url": "/"}, {"action": "click", "target": NTH},
                                                 {"action": "drag_and_drop", "source": {"css": "#a"},
                                                  "target": {"css": "#b"}}])
    store.save_fingerprints(case.id, {"1": BUTTON, "2.1": {**BUTTON, "name": "Drop here"}})

    assert advise_locators(project.id, case.id, 1, "click", "target", [{"css": "#place-order"}]) is None
    found = advise_locators(project.id, case.id, 1, "click", "target", [NTH])
    assert found is not None and found["kind"] == "nth-chain"
    assert found["suggestion"] == 'try role="button"[name="Place order"]'
    generated = advise_locators(project.id, case.id, 2, "drag_and_drop", "target", [{"css": ".sc-a1b2c3d"}])
    assert generated is not None and generated["suggestion"] == 'try role="button"[name="Drop here"]'
    assert "generated name 'sc-a1b2c3d'" in generated["message"]

    # Another project's test: the fingerprint is not used (nor revealed).
    foreign = advise_locators(other.id, case.id, 1, "click", "target", [NTH])
    assert foreign is not None and foreign["suggestion"] == GENERIC_BETTER
    # A new, unsaved test and an invalid locator.
    assert advise_locators(project.id, None, 0, "click", "target", [NTH])["suggestion"] == GENERIC_BETTER  # type: ignore[index]
    assert advise_locators(project.id, case.id, 1, "click", "target", [{"css": "a", "xpath": "//a"}]) is None
