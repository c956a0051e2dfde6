"""Chrome DevTools Recorder user flows (the `@puppeteer/replay` JSON schema) -> TestDefinition.

One native step per Recorder step, in the same order, so `failed_step` in a report is the index
of the step in the user's own file. The mapping follows what `@puppeteer/replay` (the reference
runner) does with each step:

==========================  ===============================================================
Recorder step               native step
==========================  ===============================================================
setViewport                 set_viewport (width/height; deviceScaleFactor, isMobile,
                            hasTouch, isLandscape are ignored)
navigate                    goto
click / doubleClick         click / dblclick (offsetX/offsetY -> offset: clicked exactly
                            there, as replay does; button primary/auxiliary/secondary/
                            back/forward -> left/middle/right/back/forward; duration
                            -> hold_ms)
change                      fill (the element type is unknown at import time; on a <select>
                            the engine's fill must select the option by value, as
                            puppeteer's Locator.fill does)
keyDown / keyUp             key_down / key_up
hover                       hover
scroll                      scroll (page: window.scroll(x, y); element: scrollLeft/Top)
waitForElement              wait_for target+count+operator (+properties/attributes);
                            `visible: false` inverts the condition, as in replay (an
                            inverted count, or `negate: true`)
waitForExpression           wait_for expression
close                       close
emulateNetworkConditions    emulate_network
customStep                  unsupported: import error naming the step index
==========================  ===============================================================

Selectors: every alternative in `selectors` becomes one fallback locator, in the file's order.
`aria/Name` and `aria/Name[role="button"]` -> aria (the accessible name the browser computes,
see engine/aria.py); `text/` -> text (substring, like puppeteer), `xpath/` ->
xpath, `pierce/` and plain -> css (Playwright's CSS engine pierces open shadow roots). An array
alternative is a chain through shadow roots: its last item is the element, the earlier ones go
to `within`. Step `frame` index paths -> `frame_index`; step `target` (popup URL) -> `page`;
`assertedEvents` navigation -> `expect_navigation`. Flow `timeout` -> `step_timeout_ms`
(default 5000 ms, replay's default); step `timeout` -> `timeout_ms`.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from pydantic import ValidationError

from traceiq_app.engine.aria_query import AriaQueryError
from traceiq_app.engine.aria_query import parse as parse_aria
from traceiq_app.engine.model import Locator, TestDefinition

from .errors import FormatError

RECORDER_STEP_TYPES = frozenset(
    {
        "setViewport",
        "navigate",
        "click",
        "doubleClick",
        "change",
        "keyDown",
        "keyUp",
        "hover",
        "scroll",
        "waitForElement",
        "waitForExpression",
        "close",
        "emulateNetworkConditions",
        "customStep",
    }
)

REPLAY_DEFAULT_TIMEOUT_MS = 5000  # @puppeteer/replay's PuppeteerRunnerExtension default

_BUTTONS = {"primary": "left", "auxiliary": "middle", "secondary": "right", "back": "back", "forward": "forward"}
_P_PSEUDO = re.compile(r"^::-p-(aria|text|xpath)\((.*)\)$", re.S)


def is_recorder_flow(data: Any) -> bool:
    """True when `data` has the shape of a Recorder user flow (not a native definition)."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return False
    steps = data["steps"]
    if not steps:
        return "title" in data and "name" not in data
    dict_steps = [s for s in steps if isinstance(s, dict)]
    if not dict_steps:
        return False
    return all("type" in s and "action" not in s for s in dict_steps)


class _StepProblem(Exception):
    pass


def _strip_quotes(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _part_alternatives(part: str) -> list[Locator]:
    """One Recorder selector string -> its locator alternatives (usually exactly one)."""
    if not isinstance(part, str) or not part.strip():
        raise _StepProblem(f"empty or non-string selector {part!r}")
    pseudo = _P_PSEUDO.match(part.strip())
    if pseudo:
        part = f"{pseudo.group(1)}/{_strip_quotes(pseudo.group(2))}"
    if part.startswith("aria/"):
        query = part[len("aria/") :]
        try:
            parse_aria(query)
        except AriaQueryError as exc:
            raise _StepProblem(str(exc)) from None
        return [Locator(aria=query)]
    if part.startswith("text/"):
        text = part[len("text/") :]
        if not text:
            raise _StepProblem("empty text/ selector")
        return [Locator(text=text)]
    if part.startswith("xpath/"):
        xpath = part[len("xpath/") :]
        if not xpath:
            raise _StepProblem("empty xpath/ selector")
        return [Locator(xpath=xpath)]
    if part.startswith("pierce/"):
        css = part[len("pierce/") :]
        if not css:
            raise _StepProblem("empty pierce/ selector")
        return [Locator(css=css)]
    return [Locator(css=part)]


def selector_to_locators(selector: str | list[str], frame_index: list[int] | None = None) -> list[Locator]:
    """One Recorder selector alternative (string or shadow-root chain) -> fallback locators."""
    parts = [selector] if isinstance(selector, str) else list(selector)
    if not parts:
        raise _StepProblem("empty selector chain []")
    options = [_part_alternatives(p) for p in parts]
    result: list[Locator] = []
    for combo in itertools.product(*options):
        *ancestors, last = combo
        update: dict[str, Any] = {}
        if ancestors:
            update["within"] = list(ancestors)
        if frame_index:
            update["frame_index"] = list(frame_index)
        result.append(last.model_copy(update=update) if update else last)
        if len(result) >= 4:  # a chain of role-less aria parts: keep the first few combinations
            break
    return result


def _target(step: dict[str, Any], required: bool = True) -> list[dict[str, Any]] | None:
    selectors = step.get("selectors")
    if selectors is None:
        if required:
            raise _StepProblem("missing 'selectors'")
        return None
    if not isinstance(selectors, list) or not selectors:
        raise _StepProblem("'selectors' must be a non-empty list")
    frame = step.get("frame")
    if frame is not None and (
        not isinstance(frame, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in frame)
    ):
        raise _StepProblem("'frame' must be a list of integers")
    locators: list[Locator] = []
    for sel in selectors:
        if not isinstance(sel, str | list):
            raise _StepProblem(f"selector {sel!r} is neither a string nor a list")
        for loc in selector_to_locators(sel, frame or None):
            if loc not in locators:
                locators.append(loc)
    return [loc.model_dump(exclude_defaults=True) for loc in locators]


def _num(step: dict[str, Any], key: str, default: float | None = None) -> float | None:
    value = step.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _StepProblem(f"'{key}' must be a number, got {value!r}")
    return value


def _str(step: dict[str, Any], key: str) -> str:
    value = step.get(key)
    if not isinstance(value, str):
        raise _StepProblem(f"'{key}' must be a string, got {value!r}")
    return value


def _describe_selectors(step: dict[str, Any]) -> str:
    sels = step.get("selectors")
    if isinstance(sels, list) and sels:
        first = sels[0]
        if isinstance(first, list):
            first = " >> ".join(str(x) for x in first)
        return f" {first}"
    return ""


def _wait_for_element(step: dict[str, Any], out: dict[str, Any]) -> None:
    out["action"] = "wait_for"
    out["target"] = _target(step)
    count = step.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise _StepProblem(f"'count' must be a non-negative integer, got {count!r}")
    operator = step.get("operator", ">=")
    if operator not in (">=", "==", "<="):
        raise _StepProblem(f"'operator' must be one of >=, ==, <=; got {operator!r}")
    visible = step.get("visible", True)
    if not isinstance(visible, bool):
        raise _StepProblem(f"'visible' must be a boolean, got {visible!r}")
    properties = step.get("properties")
    attributes = step.get("attributes")
    if properties is not None and not isinstance(properties, dict):
        raise _StepProblem("'properties' must be an object")
    if attributes is not None and (
        not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values())
    ):
        raise _StepProblem("'attributes' must be an object of strings")
    # replay counts matching DOM nodes (visible or not), then compares with `count`.
    out["state"] = "attached"
    if visible:
        # count >= 1 (replay's default) is what waiting for an attached element means; leave it
        # implicit unless attributes/properties are checked: replay wants them on EVERY match,
        # which is what the engine checks when a count is given.
        if (count, operator) != (1, ">=") or properties or attributes:
            out["count"] = count
            out["operator"] = operator
        if properties:
            out["properties"] = properties
        if attributes:
            out["attributes"] = attributes
        return
    # visible: false = "wait until the condition above is false" (replay: result === visible).
    if properties or attributes or operator == "==":
        out.update(negate=True, count=count, operator=operator)
        if properties:
            out["properties"] = properties
        if attributes:
            out["attributes"] = attributes
        return
    if operator == ">=":
        if count <= 1:
            out["state"] = "detached"
        else:
            out["count"], out["operator"] = count - 1, "<="
    else:  # "<="
        out["count"], out["operator"] = count + 1, ">="


def _convert_step(step: Any) -> dict[str, Any]:
    if not isinstance(step, dict):
        raise _StepProblem("a step must be an object")
    rtype = step.get("type")
    if not isinstance(rtype, str):
        raise _StepProblem("missing 'type'")
    out: dict[str, Any] = {"name": f"{rtype}{_describe_selectors(step)}"}

    timeout = step.get("timeout")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 600_000:
            raise _StepProblem(f"'timeout' must be a number of ms between 1 and 600000, got {timeout!r}")
        out["timeout_ms"] = int(timeout)
    target = step.get("target")
    if target is not None and target != "main":
        if not isinstance(target, str):
            raise _StepProblem("'target' must be a string")
        out["page"] = target
    events = step.get("assertedEvents")
    if events:
        if not isinstance(events, list):
            raise _StepProblem("'assertedEvents' must be a list")
        for event in events:
            if not isinstance(event, dict) or event.get("type") != "navigation":
                raise _StepProblem(f"unsupported assertedEvents entry {event!r} (only navigation)")
        first = events[0]
        out["expect_navigation"] = {
            "url": first.get("url") or None,
            "title": first.get("title") or None,
        }

    if rtype == "setViewport":
        out["action"] = "set_viewport"
        out["width"] = int(_num(step, "width") or 0)
        out["height"] = int(_num(step, "height") or 0)
    elif rtype == "navigate":
        out["action"] = "goto"
        out["url"] = _str(step, "url")
    elif rtype in ("click", "doubleClick"):
        out["action"] = "click" if rtype == "click" else "dblclick"
        out["target"] = _target(step)
        x, y = _num(step, "offsetX"), _num(step, "offsetY")
        if x is not None and y is not None:
            out["offset"] = {"x": x, "y": y}
        button = step.get("button")
        if button is not None:
            if button not in _BUTTONS:
                raise _StepProblem(
                    f"unknown mouse button {button!r} (primary, auxiliary, secondary, back, forward)"
                )
            out["button"] = _BUTTONS[button]
        duration = _num(step, "duration")
        if duration:
            out["hold_ms"] = int(duration)
    elif rtype == "change":
        out["action"] = "fill"
        out["target"] = _target(step)
        out["value"] = _str(step, "value")
    elif rtype in ("keyDown", "keyUp"):
        out["action"] = "key_down" if rtype == "keyDown" else "key_up"
        out["key"] = _str(step, "key")
    elif rtype == "hover":
        out["action"] = "hover"
        out["target"] = _target(step)
    elif rtype == "scroll":
        out["action"] = "scroll"
        target_ = _target(step, required=False)
        if target_ is not None:
            out["target"] = target_
        out["x"] = _num(step, "x", 0)
        out["y"] = _num(step, "y", 0)
    elif rtype == "waitForElement":
        _wait_for_element(step, out)
    elif rtype == "waitForExpression":
        out["action"] = "wait_for"
        out["expression"] = _str(step, "expression")
    elif rtype == "close":
        out["action"] = "close"
    elif rtype == "emulateNetworkConditions":
        out["action"] = "emulate_network"
        out["download"] = _num(step, "download")
        out["upload"] = _num(step, "upload")
        out["latency"] = _num(step, "latency")
        # replay 3.x: `offline: !download && !upload` (DevTools' "Offline" preset is 0/0/0).
        out["offline"] = not out["download"] and not out["upload"]
    elif rtype == "customStep":
        name = step.get("name")
        raise _StepProblem(f"customStep {name!r} is not supported (it needs a replay extension)")
    else:
        raise _StepProblem(f"unknown step type {rtype!r}")
    return out


SUPPORTED_FLOW_VERSIONS = (1,)


def from_recorder(data: Any, source: str | None = None) -> TestDefinition:
    """Convert a parsed Recorder JSON document. Raises FormatError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise FormatError(source, ["a Recorder flow must be a JSON object"])
    if "version" in data and data["version"] not in SUPPORTED_FLOW_VERSIONS:
        raise FormatError(source, [
            f"unsupported Recorder flow version {data['version']!r}: TraceIQ reads Chrome DevTools Recorder "
            "exports as they are today (no 'version' field, or version 1)"])
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append("missing or empty 'title'")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        problems.append("'steps' must be a non-empty list")
        steps = []
    flow_timeout = data.get("timeout")
    if flow_timeout is not None and (
        isinstance(flow_timeout, bool) or not isinstance(flow_timeout, int | float) or not 1 <= flow_timeout <= 600_000
    ):
        problems.append(f"flow 'timeout' must be a number of ms between 1 and 600000, got {flow_timeout!r}")
        flow_timeout = None

    native_steps: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        rtype = step.get("type") if isinstance(step, dict) else None
        label = f"steps[{index}]" + (f" ({rtype})" if isinstance(rtype, str) else "")
        try:
            native_steps.append(_convert_step(step))
        except _StepProblem as exc:
            problems.append(f"{label}: {exc}")
        except ValidationError as exc:
            problems.append(f"{label}: {_first_errors(exc)}")
    if problems:
        raise FormatError(source, problems)

    raw = {
        "name": title.strip() if isinstance(title, str) else "recording",
        "description": "Imported from a Chrome DevTools Recorder flow",
        "step_timeout_ms": int(flow_timeout or REPLAY_DEFAULT_TIMEOUT_MS),
        "tags": ["recorder"],
        "steps": native_steps,
    }
    try:
        return TestDefinition.model_validate(raw)
    except ValidationError as exc:
        raise FormatError(source, _located_errors(exc)) from None


def _first_errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3])


def _located_errors(exc: ValidationError) -> list[str]:
    """Pydantic errors -> 'step N: field: message', one line per failing step."""
    by_step: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            key = f"steps[{loc[1]}]"
            # loc[2] is the discriminator tag (action); the rest is the field path.
            field = ".".join(str(p) for p in loc[3:]) or str(loc[2]) if len(loc) > 2 else ""
        else:
            key = ".".join(str(p) for p in loc) or "flow"
            field = ""
        by_step.setdefault(key, []).append(f"{field}: {err['msg']}" if field else err["msg"])
    return [f"{k}: {'; '.join(v)}" for k, v in by_step.items()]
