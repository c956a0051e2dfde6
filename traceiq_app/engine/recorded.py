"""Steps replayed the way @puppeteer/replay replays Chrome Recorder flows.

Recorded clicks (`offset`): the point is the element's first client box (border box, clipped to
the viewport, as puppeteer's clickablePoint) + the recorded offsetX/offsetY. Before pressing,
the element must be visible, enabled and not moving, and what is under that point must be the
element, one of its descendants, or one of its ancestors inside the same SVG or the same shadow
tree (a click recorded on an SVG shape lands on the <svg> when the point is in the shape's box
but outside its outline). Anything else there (an overlay) is waited out like Playwright does,
and fails the step with "<...> intercepts pointer events" when the time is up. The press is a
real mouse event at that point; `back` / `forward` buttons go through CDP
`Input.dispatchMouseEvent` (Chromium only: elsewhere the step fails with a clear message).

Negated element waits (Recorder `visible: false`): poll until NOT (the first selector
alternative that matches anything has a count satisfying the operator AND every matching
element has the attributes and properties), i.e. replay's `result === visible`.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from traceiq_app.engine import locators
from traceiq_app.engine import model as m
from traceiq_app.engine.errors import StepFailed
from traceiq_app.engine.session import Session

_CDP_BUTTONS = {"left": ("left", 1), "right": ("right", 2), "middle": ("middle", 4),
                "back": ("back", 8), "forward": ("forward", 16)}

# -> {state, x, y (frame viewport), hit}; x/y relative to the element's bounding box for mapping.
_POINT_JS = """async (el, offset) => {
  const [ox, oy] = offset || [null, null];
  if (!el.isConnected) return {state: 'detached'};
  const doc = el.ownerDocument, view = doc.defaultView;
  const box = () => {
    const w = doc.documentElement.clientWidth, h = doc.documentElement.clientHeight;
    for (const r of el.getClientRects()) {
      const x = Math.max(r.x, 0), y = Math.max(r.y, 0);
      const width = Math.min(r.x + r.width, w) - x, height = Math.min(r.y + r.height, h) - y;
      if (width >= 1 && height >= 1) return {x, y, width, height};
    }
    return null;
  };
  const top = view === view.top;
  const sized = [...el.getClientRects()].some(r => r.width >= 1 && r.height >= 1);
  if (!sized || view.getComputedStyle(el).visibility !== 'visible') return {state: 'not visible', top};
  let first = box();
  const r0 = el.getBoundingClientRect(), vw = doc.documentElement.clientWidth, vh = doc.documentElement.clientHeight;
  if (!first || r0.left < 0 || r0.top < 0 || r0.right > vw || r0.bottom > vh) {
    // not fully in view: as puppeteer's scrollIntoViewIfNeeded (frames: Playwright scrolls them)
    el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
    first = box();
    if (!first) return {state: 'not visible', top};
  }
  if (el.matches(':disabled')) return {state: 'disabled', top};
  await new Promise(r => view.requestAnimationFrame(() => r()));
  const b = box();
  if (!b || b.x !== first.x || b.y !== first.y || b.width !== first.width || b.height !== first.height)
    return {state: 'not stable', top};
  const x = b.x + (ox ?? b.width / 2), y = b.y + (oy ?? b.height / 2);
  let hit = null, root = doc;
  for (;;) {
    const h = root.elementFromPoint(x, y);
    if (!h || h === hit) break;
    hit = h;
    if (!h.shadowRoot) break;
    root = h.shadowRoot;
  }
  const up = n => n.parentElement || (n.parentNode && n.parentNode.host) || null;
  const describe = n => {
    if (!n) return 'nothing';
    let s = '<' + n.localName;
    for (const a of ['id', 'class']) if (n.getAttribute(a)) s += ` ${a}="${n.getAttribute(a).slice(0, 40)}"`;
    return s + '>';
  };
  const rect = el.getBoundingClientRect();
  const out = {x, y, dx: x - rect.x, dy: y - rect.y, hit: describe(hit), top};
  for (let n = hit; n; n = up(n)) if (n === el) return {...out, state: 'ok'};
  let isAncestor = false;
  for (let n = up(el); n; n = up(n)) if (n === hit) { isAncestor = true; break; }
  if (isAncestor) {
    let svg = el instanceof SVGElement ? (el.ownerSVGElement || el) : null;
    while (svg && svg.ownerSVGElement) svg = svg.ownerSVGElement;
    if (svg && (svg === hit || svg.contains(hit))) return {...out, state: 'ok'};
    const tree = el.getRootNode();
    if (tree instanceof ShadowRoot && (hit === tree.host || hit.getRootNode() === tree)) return {...out, state: 'ok'};
  }
  return {...out, state: 'covered'};
}"""


def click_recorded(s: Session, step: m.Click | m.DblClick, count: int) -> None:
    """Click (count 1) or double-click (2) at the recorded offset; see the module docstring."""
    if step.button in ("back", "forward") and s.browser_name != "chromium":
        raise StepFailed(f"mouse button '{step.button}' needs Chromium (this run uses {s.browser_name})")
    # No offset (a back/forward or held click without one): the middle of the box.
    offset = [float(step.offset.get("x", 0)), float(step.offset.get("y", 0))] if step.offset else None
    # Several alternatives: the point is read while they are tried (one round trip, not two).
    found = s.resolve(step.target, probe=lambda located: located.evaluate_all(_POINT_FIRST_JS, offset))
    element = found.element
    probed: dict[str, Any] | None = found.probed[0] if found.probed else None
    last: dict[str, Any] = {}
    in_frame = False  # an element in a child frame: Playwright scrolls the frames, maps the point
    while True:
        try:
            if in_frame:
                element.scroll_into_view_if_needed(timeout=s.remaining_ms())
            info, probed = probed or _point(element, offset, s.remaining_ms()), None
            if info.get("top") is False and not in_frame:
                in_frame = True
                continue  # again, with the frames scrolled by Playwright
            box: Any = None
            if info.get("state") == "ok":  # in the top frame, its viewport is the page's
                box = (element.bounding_box(timeout=s.remaining_ms()) if in_frame
                       else {"x": info["x"] - info["dx"], "y": info["y"] - info["dy"]})
        except PlaywrightTimeout:
            if last:  # the element was there: say why it could not be clicked
                raise StepFailed(f"could not click {found.described}: {_why(last, offset)}") from None
            raise  # never found: the runner explains the missing element
        except PlaywrightError as exc:
            if "closed" in str(exc):
                raise
            info, box = {"state": "detached"}, None  # navigating or re-rendered: try again
        if box is not None:
            _press(s, box["x"] + info["dx"], box["y"] + info["dy"], step.button, count, step.hold_ms)
            return
        last = info
        if s.remaining_ms() <= 1:
            raise StepFailed(f"could not click {found.described}: {_why(last, offset)}")
        s.wait_a_moment()


# _POINT_JS on the first element, or [] when nothing matches (yet).
_POINT_FIRST_JS = f"(els, offset) => els.length ? ({_POINT_JS})(els[0], offset).then(info => [info]) : []"


def _point(element: Any, offset: list[float] | None, timeout_ms: float) -> dict[str, Any]:
    """_POINT_JS on the element. When it is already there, one round trip (evaluate_all does not
    wait; Locator.evaluate costs three: wait for a handle, evaluate, dispose the handle); when it
    is not, Locator.evaluate waits for it as before."""
    found = element.evaluate_all(_POINT_FIRST_JS, offset)
    if found:
        info: dict[str, Any] = found[0]
        return info
    waited: dict[str, Any] = element.evaluate(_POINT_JS, offset, timeout=timeout_ms)
    return waited


def _why(info: dict[str, Any], offset: list[float] | None) -> str:
    state = info.get("state")
    if state == "covered":
        where = f"the recorded point (offset {offset[0]:g}, {offset[1]:g})" if offset else "its middle"
        return f"{info['hit']} intercepts pointer events at {where}"
    return f"the element is {state}"


def _press(s: Session, x: float, y: float, button: str, count: int, hold_ms: int) -> None:
    page = s.current_page
    if button in ("left", "right", "middle") and not hold_ms:
        if count == 2:
            page.mouse.dblclick(x, y, button=button)  # type: ignore[arg-type]
        else:
            page.mouse.click(x, y, button=button)  # type: ignore[arg-type]
        return
    if s.browser_name != "chromium":  # left/right/middle held down: Playwright's mouse does it
        page.mouse.move(x, y)
        for i in range(1, count + 1):
            page.mouse.down(button=button, click_count=i)  # type: ignore[arg-type]
            page.wait_for_timeout(hold_ms)
            page.mouse.up(button=button, click_count=i)  # type: ignore[arg-type]
        return
    cdp = s.aria.cdp(page)
    name, bit = _CDP_BUTTONS[button]
    cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
    for i in range(1, count + 1):
        cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x, "y": y, "button": name,
                                              "buttons": bit, "clickCount": i})
        if hold_ms:
            page.wait_for_timeout(hold_ms)
        cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x, "y": y, "button": name,
                                              "buttons": 0, "clickCount": i})


# replay's waitForElement check: [count, every element has the attributes and properties]
_REPLAY_MATCH_JS = """(els, [attrs, props]) => {
  const deep = (a, b) => {
    if (a === b) return true;
    if ((a && !b) || (!a && b)) return false;
    if (!(a instanceof Object) || !(b instanceof Object)) return false;
    return Object.entries(a).every(([k, v]) => deep(v, b[k]));
  };
  const ok = els.every(e => Object.entries(attrs || {}).every(([n, v]) => e.getAttribute(n) === v))
    && (!props || els.every(e => deep(props, e)));
  return [els.length, ok];
}"""

_COMPARE = {"==": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}


def wait_until_not(s: Session, step: m.WaitFor) -> None:
    """Recorder `waitForElement` with `visible: false`; see the module docstring."""
    assert step.target is not None
    compare = _COMPARE[step.operator]
    count = 1 if step.count is None else step.count
    attrs, props = step.attributes or {}, step.properties
    while True:
        total, ok = 0, True
        for alt in step.target:
            try:
                located = locators.build(s.scope, s.current_page.main_frame, alt, s.aria)
                total, ok = located.evaluate_all(_REPLAY_MATCH_JS, [attrs, props])
            except PlaywrightError as exc:
                if "closed" in str(exc):
                    raise
                total, ok = 0, True  # navigating: nothing there right now
            except locators.FrameMissing:
                total, ok = 0, True
            if total:
                break
        held = compare(total, count) and (ok if (attrs or props) else True)
        if not held:
            return
        if s.remaining_ms() <= 1:
            what = step.target[0].describe()
            extra = " with the expected attributes/properties" if attrs or props else ""
            raise StepFailed(f"{total} element(s) match {what}{extra} ({step.operator} {count}): "
                             f"waited for that to stop being true (visible: false)")
        s.wait_a_moment()
