"""The browser side of one heal: collect candidates (one evaluate), choose (matcher.py), and
find a new locator for the chosen element that is unique and most stable: test id, role +
accessible name, label/placeholder, a stable id, then a short CSS path."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page

from traceiq_app.engine.healing import HealingOptions
from traceiq_app.engine.healing.brittle import GENERATED
from traceiq_app.engine.healing.fingerprint import CANDIDATES_JS, LOCATOR_OPTIONS_JS, SAME_ELEMENT_JS
from traceiq_app.engine.healing.matcher import Choice, Fingerprint, choose
from traceiq_app.engine.model import Locator

CANDIDATE_LIMIT = 3000
_NAMED_ROLES = {"button", "link", "checkbox", "radio", "textbox", "combobox", "heading", "tab", "menuitem",
                "searchbox", "spinbutton", "slider", "img", "listbox", "switch", "option"}


@dataclass
class HealOutcome:
    locator: Locator | None  # None: refused (see reason)
    score: float
    runner_up: float
    reason: str
    elapsed_ms: float
    fingerprint: Fingerprint | None = None
    ranked_by: str = "rapidfuzz"
    rank_note: str = ""


def heal(scope: Page | Frame, stored: Fingerprint, options: HealingOptions) -> HealOutcome:
    started = time.monotonic()

    def done(locator: Locator | None, choice_score: float, runner_up: float, reason: str,
             fp: Fingerprint | None = None) -> HealOutcome:
        return HealOutcome(locator, choice_score, runner_up, reason, (time.monotonic() - started) * 1000, fp,
                           choice.ranked_by if choice is not None else "rapidfuzz",
                           choice.rank_note if choice is not None else "")

    choice: Choice | None = None

    try:
        candidates: list[list[Any]] = scope.evaluate(CANDIDATES_JS, [stored.get("kind"), CANDIDATE_LIMIT])
    except PlaywrightError as exc:
        return done(None, 0.0, 0.0, f"could not read the page: {str(exc).splitlines()[0]}")
    choice = choose(stored, [(int(p), fp) for p, fp in candidates], options.threshold, options.margin,
                    options.ranker, options.rank_budget_ms)
    if choice.position is None:
        return done(None, choice.score, choice.runner_up, choice.reason)
    locator = new_locator(scope, choice.position)
    if locator is None:
        return done(None, choice.score, choice.runner_up, f"{choice.reason}, but no unique locator finds it")
    return done(locator, choice.score, choice.runner_up, choice.reason, choice.fingerprint)


def new_locator(scope: Page | Frame, position: int) -> Locator | None:
    try:
        found = scope.evaluate(LOCATOR_OPTIONS_JS, [position, GENERATED])
    except PlaywrightError:
        return None
    if not found:
        return None
    options: list[list[str]] = found["options"]
    ranked: list[Locator] = [Locator(test_id=v) for k, v in options if k == "test_id"]
    role, name = found.get("role") or "", found.get("name") or ""
    if role in _NAMED_ROLES and name and len(name) <= 80:
        by_role = Locator(role=role, name=name, exact=True)
        if _finds_only(scope, by_role, position):
            ranked.append(by_role)
    ranked += [Locator(placeholder=v, exact=True) for k, v in options if k == "placeholder"]
    ranked += [Locator(css=v) for k, v in options if k == "css"]
    return ranked[0] if ranked else None


def _finds_only(scope: Page | Frame, locator: Locator, position: int) -> bool:
    from traceiq_app.engine.locators import build

    main = scope.main_frame if hasattr(scope, "main_frame") else scope.page.main_frame
    try:
        pw = build(scope, main, locator)
        return bool(pw.count() == 1 and pw.first.evaluate(SAME_ELEMENT_JS, position, timeout=2_000))
    except PlaywrightError:
        return False
