"""A checkout page and its mutations (the next version of the page), for the healing tests
and bench/bench_healing.py. Every element carries `data-k` (its identity, ignored by the
healer) so a test can tell which element a healed locator found.

    write_site(folder) -> {mutation name: Mutation}; files v1.html and m-<name>.html
"""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# key -> (tag, id, classes, text, attributes, container)
BASE: dict[str, dict[str, Any]] = {
    "title": {"tag": "h1", "id": "title", "cls": "title", "text": "Checkout", "attrs": {}, "in": "header"},
    "home": {"tag": "a", "id": "home-link", "cls": "nav-link", "text": "Home", "attrs": {"href": "#home"},
             "in": "nav"},
    "help": {"tag": "a", "id": "help-link", "cls": "nav-link", "text": "Help and support",
             "attrs": {"href": "#help"}, "in": "nav"},
    "email": {"tag": "input", "id": "email", "cls": "input", "text": "",
              "attrs": {"name": "email", "type": "email", "placeholder": "you@example.com"}, "in": "form",
              "label": "Email address"},
    "coupon": {"tag": "input", "id": "coupon", "cls": "input", "text": "",
               "attrs": {"name": "coupon", "type": "text", "placeholder": "Coupon code"}, "in": "form",
               "label": "Coupon"},
    "terms": {"tag": "input", "id": "terms", "cls": "check", "text": "",
              "attrs": {"name": "terms", "type": "checkbox"}, "in": "form", "label": "I accept the terms"},
    "save": {"tag": "button", "id": "save", "cls": "btn btn-primary", "text": "Place order",
             "attrs": {"type": "button"}, "in": "actions"},
    "cancel": {"tag": "button", "id": "cancel", "cls": "btn btn-secondary", "text": "Cancel",
               "attrs": {"type": "button"}, "in": "actions"},
}
TEXTS_SLIGHTLY = {"title": "Checkout now", "home": "Home page", "help": "Help & support", "save": "Place your order",
                  "cancel": "Cancel order"}
LABELS_SLIGHTLY = {"email": "E-mail address", "coupon": "Coupon code", "terms": "I accept the terms and conditions"}
NEIGHBOURS = {"title": "Checkout help", "home": "Homeware", "help": "Help center", "save": "Save draft",
              "cancel": "Cancel subscription", "email": "Backup email address", "coupon": "Gift card",
              "terms": "I accept the newsletter"}
ORDER = ["title", "home", "help", "email", "coupon", "terms", "save", "cancel"]


@dataclass
class Mutation:
    name: str
    key: str  # the element the test's locator aims at
    locator: str  # its CSS locator in v1
    healable: bool  # the element is still there (healing should find it)
    changes: dict[str, Any] = field(default_factory=dict)  # per-element overrides of BASE
    extra: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (after key, element spec)


def _element(key: str, spec: dict[str, Any]) -> str:
    attrs = {"data-k": key, **({"id": spec["id"]} if spec["id"] else {}),
             **({"class": spec["cls"]} if spec["cls"] else {}), **spec["attrs"]}
    if spec.get("hidden"):
        attrs["style"] = "display:none"
    rendered = " ".join(f'{k}="{html.escape(str(v))}"' for k, v in attrs.items())
    if spec["tag"] == "input":
        tag = f"<input {rendered}>"
        label = html.escape(spec.get("label", ""))
        if spec["attrs"].get("type") == "checkbox":
            return f'<label class="row">{tag} {label}</label>'
        for_id = f' for="{spec["id"]}"' if spec["id"] else ""
        inner = f"<label{for_id}>{label}</label>{tag}" if spec["id"] else f"<label>{label} {tag}</label>"
        return f'<div class="field">{inner}</div>'
    onclick = f" onclick=\"done('{key}')\"" if spec["tag"] in ("button", "a") else ""
    return f"<{spec['tag']} {rendered}{onclick}>{html.escape(spec['text'])}</{spec['tag']}>"


def render(mutation: Mutation | None = None) -> str:
    specs = {k: {**v, "attrs": dict(v["attrs"])} for k, v in BASE.items()}
    for key, change in (mutation.changes.items() if mutation else ()):
        if change is None:
            specs.pop(key)
            continue
        specs[key].update({k: v for k, v in change.items() if k != "attrs"})
        specs[key]["attrs"].update(change.get("attrs", {}))
    extras: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for after, spec in (mutation.extra if mutation else ()):
        extras.setdefault(after, []).append((spec.pop("key", after + "-x"), spec))
    boxes: dict[str, list[str]] = {"header": [], "nav": [], "form": [], "actions": [], "aside": []}
    for key in ORDER:
        if key in specs:
            boxes[specs[key]["in"]].append(_element(key, specs[key]))
        for other_key, spec in extras.get(key, []):
            boxes[spec["in"]].append(_element(other_key, spec))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title>
<style>.btn{{padding:4px 10px}} .field{{margin:4px 0}}</style></head><body>
<main id="app" class="shell">
  <header class="top">{''.join(boxes['header'])}<nav class="nav">{' '.join(boxes['nav'])}</nav></header>
  <form id="checkout" class="form" onsubmit="return false">{''.join(boxes['form'])}
    <div class="actions">{' '.join(boxes['actions'])}</div>
  </form>
  <aside class="side"><div class="panel">{' '.join(boxes['aside'])}</div></aside>
  <p id="status" class="status"></p>
</main>
<script>function done(k) {{ document.getElementById('status').textContent = k; }}</script>
</body></html>"""


def _locator(key: str) -> str:
    spec = BASE[key]
    return f"#{spec['id']}"


def steps_for(key: str, target: dict[str, Any]) -> list[dict[str, Any]]:
    """An action on the element and a check that it was the right one."""
    kind = BASE[key]["tag"], BASE[key]["attrs"].get("type")
    if kind[0] in ("button", "a"):
        return [{"action": "click", "target": target},
                {"action": "assert_text", "target": {"css": "#status"}, "expected": key}]
    if kind == ("input", "checkbox"):
        return [{"action": "check", "target": target},
                {"action": "assert_checked", "target": {"css": f"[data-k={key}]"}}]
    if kind[0] == "input":
        return [{"action": "fill", "target": target, "value": "hello@example.com"},
                {"action": "assert_value", "target": {"css": f"[data-k={key}]"}, "expected": "hello@example.com"}]
    return [{"action": "assert_visible", "target": target}]


def mutations() -> list[Mutation]:
    out: list[Mutation] = []
    for key in ORDER:
        spec = BASE[key]
        loc = _locator(key)
        new_id = spec["id"] + "-v2"
        text_change = ({"text": TEXTS_SLIGHTLY[key]} if key in TEXTS_SLIGHTLY
                       else {"label": LABELS_SLIGHTLY[key]})
        other_box = {"header": "aside", "nav": "aside", "form": "aside", "actions": "aside"}[spec["in"]]
        neighbour = {**spec, "attrs": dict(spec["attrs"]), "id": spec["id"] + "-other", "key": key + "-other"}
        if key in TEXTS_SLIGHTLY:
            neighbour["text"] = NEIGHBOURS[key]
        else:
            neighbour["label"] = NEIGHBOURS[key]
            neighbour["attrs"] = {**spec["attrs"], "name": spec["attrs"]["name"] + "_other",
                                  **({"placeholder": NEIGHBOURS[key]} if "placeholder" in spec["attrs"] else {})}
        twin = {**spec, "attrs": dict(spec["attrs"]), "id": spec["id"] + "-b", "key": key + "-twin"}
        heal = [
            ("renamed-id", {key: {"id": new_id}}, []),
            ("generated-id", {key: {"id": "x" + format(zlib.crc32(key.encode()), "08x")}}, []),
            ("no-id", {key: {"id": ""}}, []),
            ("renamed-id-and-classes", {key: {"id": new_id, "cls": spec["cls"].replace("btn", "button") + " v2"}}, []),
            ("renamed-id-and-text", {key: {"id": new_id, **text_change}}, []),
            ("moved", {key: {"id": new_id, "in": other_box}}, []),
            ("look-alike-neighbour", {key: {"id": new_id}}, [(key, neighbour)]),
        ]
        for name, changes, extra in heal:
            out.append(Mutation(f"{key}-{name}", key, loc, True, changes, extra))
        refuse = [
            ("gone", {key: None}, []),
            ("hidden", {key: {"id": new_id, "hidden": True}}, []),
            ("two-twins", {key: {"id": spec["id"] + "-a"}}, [(key, twin)]),
        ]
        for name, changes, extra in refuse:
            out.append(Mutation(f"{key}-{name}", key, loc, False, changes, extra))
    return out


def write_site(folder: Path) -> dict[str, Mutation]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "v1.html").write_text(render(), encoding="utf-8")
    found = {}
    for mutation in mutations():
        (folder / f"m-{mutation.name}.html").write_text(render(mutation), encoding="utf-8")
        found[mutation.name] = mutation
    return found
