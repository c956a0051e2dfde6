"""Steps that wait for a condition tests/fixture_site/late_changes.html makes true late.

`arm(kind, where, delay)` on that page makes the condition of `kind` true `delay` ms later in
the main document ("m"), the iframe #f ("f") or the open shadow root of #host ("s"), and stores
the moment (Date.now()) in window.__flipAt. bench/bench_waits.py measures the same kinds.
"""

from __future__ import annotations

from typing import Any

PAGE = "late_changes.html"
PLACES = {"m": "main", "f": "iframe", "s": "shadow"}
KINDS = ["count==", "count>=", "count<=", "text", "value", "checked", "attribute", "property", "expression",
         "visible", "hidden", "fallback", "frame_index", "navigation", "url", "title"]
MAIN_ONLY = {"navigation", "url", "title"}


def loc(where: str, suffix: str) -> dict[str, Any]:
    css = f"#{where}-{suffix}"
    return {"css": css, "frame": ["#f"]} if where == "f" else {"css": css}


def wait_step(kind: str, where: str, site: str) -> dict[str, Any]:
    doc = {"m": "document", "f": "document.getElementById('f').contentDocument",
           "s": "document.getElementById('host').shadowRoot"}[where]
    steps: dict[str, dict[str, Any]] = {
        "count==": {"action": "wait_for", "target": loc(where, "list li"), "count": 3, "operator": "==",
                    "state": "attached"},
        "count>=": {"action": "assert_count", "target": loc(where, "list li"), "expected": 3, "operator": ">="},
        "count<=": {"action": "wait_for", "target": loc(where, "shrink li"), "count": 1, "operator": "<=",
                    "state": "attached"},
        "text": {"action": "assert_text", "target": loc(where, "text"), "expected": "after"},
        "value": {"action": "assert_value", "target": loc(where, "input"), "expected": "after"},
        "checked": {"action": "assert_checked", "target": loc(where, "check")},
        "attribute": {"action": "wait_for", "target": loc(where, "attr"), "attributes": {"data-state": "after"}},
        "property": {"action": "wait_for", "target": loc(where, "prop"), "properties": {"ready": True}},
        "expression": {"action": "wait_for",
                       "expression": f"{doc}.getElementById('{where}-text').textContent === 'after'"},
        "visible": {"action": "wait_for", "target": loc(where, "vis")},
        "hidden": {"action": "assert_hidden", "target": loc(where, "hid")},
        "fallback": {"action": "wait_for", "target": [loc(where, "never"), loc(where, "late")], "state": "attached"},
        "frame_index": {"action": "wait_for", "state": "attached",
                        "target": {"css": "#x", "frame_index": [0, 0] if where == "f" else [1]}},
        "navigation": {"action": "click", "target": {"css": "#nav"},
                       "expect_navigation": {"url": f"{site}{PAGE}?navigated=1"}},
        "url": {"action": "assert_url", "expected": f"{site}{PAGE}?moved=1"},
        "title": {"action": "assert_title", "expected": "Changed title"},
    }
    return steps[kind]


def cells(kinds: list[str] = KINDS) -> list[tuple[str, str]]:
    return [(k, w) for k in kinds for w in PLACES if w == "m" or k not in MAIN_ONLY]
