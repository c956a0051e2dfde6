"""Locator advice: brittle locators are flagged with a reason, and a sturdier locator for the
same element is proposed from its fingerprint; sturdy locators get no advice."""

from __future__ import annotations

import pytest

from traceiq_app.engine.healing.advice import advise, suggest
from traceiq_app.engine.model import Locator

BUTTON_FP = {"tag": "button", "role": "button", "name": "Place order", "kind": "clickable", "attrs": {}}


@pytest.mark.parametrize(("locator", "kind"), [
    ({"xpath": "/html/body/div[2]/form/button"}, "absolute-xpath"),
    ({"xpath": "//div[3]/ul/li[2]/a"}, "absolute-xpath"),
    ({"css": "main > div:nth-child(2) > div:nth-child(3) > button"}, "nth-chain"),
    ({"css": "body > div > div > div > section > button"}, "nth-chain"),
    ({"css": "button.css-1x2y3z9"}, "generated-name"),
    ({"css": "#ember1234"}, "generated-name"),
    ({"css": ".Button_primary__3xk2P"}, "generated-name"),
    ({"text": "OK"}, "common-text"),
    ({"css": "button", "nth": 3}, "positional"),
])
def test_it_flags_brittle_locators(locator: dict, kind: str) -> None:
    [advice] = [a for a in advise([Locator.model_validate(locator)], BUTTON_FP) if a.kind == kind]
    assert advice.message
    assert advice.suggestion == Locator(role="button", name="Place order", exact=True)


@pytest.mark.parametrize("locator", [
    {"css": "#place-order"}, {"role": "button", "name": "Place order"}, {"test_id": "checkout-submit"},
    {"css": "form.checkout button.primary"}, {"text": "Place your order"}, {"xpath": "//button[@id='save']"},
])
def test_it_leaves_sturdy_locators_alone(locator: dict) -> None:
    assert advise([Locator.model_validate(locator)], BUTTON_FP) == []


def test_it_suggests_test_id_then_role_then_label_then_placeholder() -> None:
    assert suggest({**BUTTON_FP, "attrs": {"data-testid": "submit-order"}}) == Locator(test_id="submit-order")
    assert suggest(BUTTON_FP) == Locator(role="button", name="Place order", exact=True)
    assert suggest({"tag": "input", "role": "textbox", "kind": "textbox", "name": "Email address",
                    "attrs": {"placeholder": "you@example.com"}}) == Locator(label="Email address", exact=True)
    assert suggest({"tag": "input", "role": "textbox", "kind": "textbox", "name": "",
                    "attrs": {"placeholder": "you@example.com"}}) == Locator(placeholder="you@example.com", exact=True)
    assert suggest(None) is None
    # Without a fingerprint the problem is still named, with nothing proposed.
    [advice] = advise([Locator(xpath="/html/body/div/button")], None)
    assert advice.suggestion is None and advice.to_dict()["suggestion_text"] == ""
