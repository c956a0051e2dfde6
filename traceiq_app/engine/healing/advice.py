"""Locator advice (offline): flag brittle locators and propose a sturdier one for the same
element from its fingerprint (test id, role + accessible name, label, placeholder).

Brittle: absolute or index-laden XPath, nth-child/nth-of-type chains and long child (`>`)
chains, generated ids or class names (hashes, framework counters), text locators on very
common words, and `nth` picks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from traceiq_app.engine.healing.brittle import looks_generated
from traceiq_app.engine.model import Locator

COMMON_WORDS = frozenset({
    "ok", "yes", "no", "submit", "save", "cancel", "close", "next", "back", "more", "edit", "delete", "add",
    "search", "login", "log in", "sign in", "go", "continue", "here", "click here", "read more", "send", "open",
    "menu", "home", "done", "apply", "remove", "update", "view", "details", "learn more", "x", "×",
})
_NAMED_ROLES = {"button", "link", "checkbox", "radio", "tab", "menuitem", "heading", "switch", "option", "combobox"}
_CSS_NAMES = re.compile(r"([#.])(-?[_a-zA-Z][\w-]*)")


@dataclass(frozen=True)
class Advice:
    kind: str  # absolute-xpath | nth-chain | generated-name | common-text | positional
    message: str
    suggestion: Locator | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message,
                "suggestion": self.suggestion.model_dump(mode="json", exclude_defaults=True) if self.suggestion
                else None, "suggestion_text": self.suggestion.describe() if self.suggestion else ""}


def problems(locator: Locator) -> list[tuple[str, str]]:
    """(kind, message) for each brittle trait of one locator alternative."""
    found: list[tuple[str, str]] = []
    if locator.xpath is not None:
        xpath = locator.xpath.strip()
        if xpath.startswith("/") and not xpath.startswith("//") or "/html/body" in xpath:
            found.append(("absolute-xpath", "absolute XPath: any change above the element breaks it"))
        elif len(re.findall(r"\[\d+\]", xpath)) >= 2:
            found.append(("absolute-xpath", "XPath with several position indexes: reordering breaks it"))
    if locator.css is not None:
        css = locator.css
        nth = len(re.findall(r":nth-(child|of-type|last-child)\(", css))
        if nth >= 2 or (nth and css.count(">") >= 2) or css.count(">") >= 4:
            found.append(("nth-chain", "a chain of positions (nth-child / > steps) breaks when the layout changes"))
        generated = [name for _, name in _CSS_NAMES.findall(css) if looks_generated(name)]
        if generated:
            found.append(("generated-name", f"generated name {generated[0]!r} changes with each build"))
    if locator.test_id is not None and looks_generated(locator.test_id):
        found.append(("generated-name", f"generated test id {locator.test_id!r}"))
    if locator.text is not None and locator.text.strip().lower() in COMMON_WORDS:
        found.append(("common-text", f"text {locator.text!r} is common: another element may show it"))
    if locator.nth is not None:
        found.append(("positional", "nth picks an element by position among matches"))
    return found


def suggest(fp: dict[str, Any] | None) -> Locator | None:
    """A sturdier locator for the fingerprinted element: test id, role + name, label, placeholder."""
    if not fp:
        return None
    attrs = fp.get("attrs") or {}
    for key in ("data-testid", "data-test", "data-qa"):
        value = attrs.get(key)
        if value and not looks_generated(value):
            return Locator(test_id=value) if key == "data-testid" else Locator(css=f'[{key}="{value}"]')
    role, name = fp.get("role") or "", (fp.get("name") or "").strip()
    if role in _NAMED_ROLES and name and len(name) <= 80:
        return Locator(role=role, name=name, exact=True)
    if fp.get("kind") in ("textbox", "select") and name and len(name) <= 80:
        return Locator(label=name, exact=True)
    if attrs.get("placeholder"):
        return Locator(placeholder=attrs["placeholder"], exact=True)
    element_id = fp.get("id") or ""
    if element_id and not looks_generated(element_id):
        return Locator(css=f"#{element_id}") if re.fullmatch(r"[A-Za-z][\w-]*", element_id) else None
    return None


def advise(target: list[Locator], fp: dict[str, Any] | None = None) -> list[Advice]:
    """Advice for a step's target (its first alternative decides: the others are fallbacks)."""
    if not target:
        return []
    found = problems(target[0])
    if not found:
        return []
    better = suggest(fp)
    if better is not None and better == target[0]:
        better = None
    return [Advice(kind, message, better) for kind, message in found]
