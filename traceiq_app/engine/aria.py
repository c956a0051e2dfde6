"""`aria` locators (Chrome Recorder `aria/Name`, `aria/Name[role="button"]`), resolved like
@puppeteer/replay resolves them: an element whose accessible name, as the browser computes it,
is exactly Name, of any role (or of the given role).

On Chromium the page's accessibility tree is asked through CDP (`Accessibility.queryAXTree`,
what puppeteer's `::-p-aria` does). The matches are tagged with a token in a
`data-traceiq-aria` attribute, and the Playwright locator is the CSS `[data-traceiq-aria~=token]`
under the step's scope (frame, `within` chain; Playwright's CSS pierces open shadow roots).
Each resolution re-asks the tree and untags elements that no longer match, so a name that
changes is noticed. Elsewhere (Firefox, WebKit) there is no such tree: `Name[role=r]` becomes
Playwright's role+name, a role-less `Name` a label, common roles, text, alt text or title.
"""

from __future__ import annotations

import hashlib
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PWLocator

from traceiq_app.engine.aria_query import AriaQueryError, parse

__all__ = ["ATTRIBUTE", "AriaQueryError", "AriaResolver", "fallback", "parse"]

ATTRIBUTE = "data-traceiq-aria"
_NON_ELEMENT_ROLES = frozenset({"StaticText", "InlineTextBox"})  # puppeteer's NON_ELEMENT_NODE_ROLES
# Fallback without an accessibility tree: roles whose name commonly comes from content/labels.
_COMMON_ROLES = ("button", "link", "textbox", "combobox", "checkbox", "radio", "heading", "img",
                 "menuitem", "tab", "option", "listbox", "searchbox", "spinbutton", "slider", "switch")

_TAG_JS = """function(token, on) {
  const A = 'ATTR';
  if (typeof this.getAttribute !== 'function') return;
  const have = (this.getAttribute(A) || '').split(' ').filter(Boolean);
  if (on === have.includes(token)) return;
  const next = on ? [...have, token] : have.filter(t => t !== token);
  if (next.length) this.setAttribute(A, next.join(' ')); else this.removeAttribute(A);
}""".replace("ATTR", ATTRIBUTE)


class AriaResolver:
    """One per test run: CDP sessions per page (Chromium) and the elements tagged per query."""

    def __init__(self, context: BrowserContext, browser_name: str) -> None:
        self.context = context
        self.chromium = browser_name == "chromium"
        self._cdp: dict[Page, CDPSession] = {}
        self._tagged: dict[tuple[Page, str], set[int]] = {}

    def cdp(self, page: Page) -> CDPSession:
        session = self._cdp.get(page)
        if session is None:
            session = self._cdp[page] = self.context.new_cdp_session(page)
        return session

    def locator(self, base: Any, page: Page, query: str) -> PWLocator:
        name, role = parse(query)
        if not self.chromium:
            return _by_role_or_name(base, name, role)
        token = "a" + hashlib.sha1(query.encode()).hexdigest()[:10]
        self._retag(page, token, name, role)
        result: PWLocator = base.locator(f'css=[{ATTRIBUTE}~="{token}"]')
        return result

    def _retag(self, page: Page, token: str, name: str | None, role: str | None) -> None:
        cdp = self.cdp(page)
        params: dict[str, Any] = {}
        if name is not None:
            params["accessibleName"] = name
        if role is not None:
            params["role"] = role
        nodes = []
        for root in _documents(cdp, len(page.frames) > 1):
            nodes += cdp.send("Accessibility.queryAXTree", {**params, "backendNodeId": root})["nodes"]
        matched = {
            n["backendDOMNodeId"] for n in nodes
            if not n.get("ignored") and n.get("role") and n["role"].get("value") not in _NON_ELEMENT_ROLES
            and "backendDOMNodeId" in n
        }
        before = self._tagged.get((page, token), set())
        for node_id in matched - before:
            self._tag(cdp, node_id, token, True)
        for node_id in before - matched:
            self._tag(cdp, node_id, token, False)
        self._tagged[(page, token)] = matched

    @staticmethod
    def _tag(cdp: CDPSession, backend_node_id: int, token: str, on: bool) -> None:
        try:
            obj = cdp.send("DOM.resolveNode", {"backendNodeId": backend_node_id})["object"]
            cdp.send("Runtime.callFunctionOn", {
                "objectId": obj["objectId"], "functionDeclaration": _TAG_JS,
                "arguments": [{"value": token}, {"value": on}],
            })
            cdp.send("Runtime.releaseObject", {"objectId": obj["objectId"]})
        except PlaywrightError:
            pass  # the node went away meanwhile (navigation, re-render)


def _documents(cdp: CDPSession, frames: bool) -> list[int]:
    """Backend node ids of the page's documents: the main one, then every same-process frame's
    (the accessibility query does not descend into frames by itself)."""
    roots = [cdp.send("DOM.getDocument", {"depth": 0})["root"]["backendNodeId"]]
    if not frames:
        return roots
    pending = list(cdp.send("Page.getFrameTree")["frameTree"].get("childFrames", []))
    while pending:
        tree = pending.pop(0)
        pending += tree.get("childFrames", [])
        try:
            owner = cdp.send("DOM.getFrameOwner", {"frameId": tree["frame"]["id"]})
            node = cdp.send("DOM.describeNode", {"backendNodeId": owner["backendNodeId"], "depth": 1, "pierce": True})
            roots.append(node["node"]["contentDocument"]["backendNodeId"])
        except (PlaywrightError, KeyError):
            continue  # out-of-process or gone meanwhile
    return roots


def fallback(base: Any, query: str) -> PWLocator:
    """Without an accessibility tree: Playwright's role+name (or label, common roles, text...)."""
    name, role = parse(query)
    return _by_role_or_name(base, name, role)


def _by_role_or_name(base: Any, name: str | None, role: str | None) -> PWLocator:
    if role is not None:
        result: PWLocator = base.get_by_role(role, name=name, exact=True) if name is not None else base.get_by_role(role)
        return result
    assert name is not None
    result = base.get_by_label(name, exact=True)
    for r in _COMMON_ROLES:
        result = result.or_(base.get_by_role(r, name=name, exact=True))
    for other in (base.get_by_text(name, exact=True), base.get_by_alt_text(name, exact=True),
                  base.get_by_title(name, exact=True)):
        result = result.or_(other)
    return result
