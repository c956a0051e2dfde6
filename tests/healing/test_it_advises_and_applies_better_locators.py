"""Locator advice across a project: brittle targets are listed with a proposal from the step's
fingerprint; applying one writes a new version (suggestion first, old locator kept); bad
requests get a clear message and change nothing."""

from __future__ import annotations

import uuid

import pytest

from tests.runs.conftest import Stack
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.catalog.test_cases import get_test_case
from traceiq_app.services.healing import advice, store


def test_it_lists_and_applies_advice(stack: Stack) -> None:
    project = stack.project("http://127.0.0.1:9")
    case = stack.test_case(project, "Brittle", [
        {"action": "goto", "url": "/"},
        {"action": "click", "target": {"css": "main > div:nth-child(2) > div:nth-child(3) > button"}},
        {"action": "click", "target": {"css": "#place-order"}},
        {"action": "click", "target": {"xpath": "/html/body/div/a"}},
    ])
    store.save_fingerprints(case.id, {"1": {"tag": "button", "role": "button", "name": "Place order",
                                            "kind": "clickable", "attrs": {}}})
    rows = advice.project_advice(project.id)
    assert [(r.step, r.kind) for r in rows] == [(1, "nth-chain"), (3, "absolute-xpath")]
    assert rows[0].suggestion_text == 'role="button"[name="Place order"]'
    assert rows[1].suggestion is None  # no fingerprint yet for step 4

    version = advice.apply(project.id, case.id, 1, "target")
    updated = get_test_case(project.id, case.id)
    assert version == updated.version == 2
    assert updated.steps[1]["target"] == [{"role": "button", "name": "Place order", "exact": True},
                                          {"css": "main > div:nth-child(2) > div:nth-child(3) > button"}]
    assert [r.step for r in advice.project_advice(project.id)] == [3]

    with pytest.raises(Invalid, match="step 4: no better locator is known yet"):
        advice.apply(project.id, case.id, 3, "target")
    with pytest.raises(Invalid, match="step 9: no target to improve"):
        advice.apply(project.id, case.id, 8, "target")
    with pytest.raises(NotFound):
        advice.apply(project.id, uuid.uuid4(), 1, "target")
    other = stack.project("http://127.0.0.1:9")
    with pytest.raises(NotFound):
        advice.apply(other.id, case.id, 3, "target")  # another project's test
    assert get_test_case(project.id, case.id).version == 2
