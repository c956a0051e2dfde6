"""One function per step action. Each gets the Session and the step (variables already
substituted) and raises StepFailed with a readable message when the step does not hold."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PWLocator
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from traceiq_app.engine import model as m
from traceiq_app.engine.errors import StepFailed
from traceiq_app.engine.evidence import safe_name
from traceiq_app.engine.locators import Resolved
from traceiq_app.engine.recorded import click_recorded, wait_until_not
from traceiq_app.engine.session import Session
from traceiq_app.engine.urls import url_pattern
from traceiq_app.engine.waiting import ONE_SHOT_MS, VISIBILITY, Watch

Action = Callable[[Session, Any], None]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        return fn

    return register


def _q(value: object) -> str:
    """Quote a value for a message: 'Welcome, alice'."""
    return repr(value) if not isinstance(value, str) else "'" + value.replace("\n", "\\n")[:300] + "'"


def _pattern(expected: str, match: m.TextMatch) -> str | re.Pattern[str]:
    if match == "regex":
        try:
            return re.compile(expected)
        except re.error as exc:
            raise StepFailed(f"invalid regex {_q(expected)}: {exc}") from None
    if match == "contains":
        return re.compile(re.escape(expected))
    return expected


def _how(match: m.TextMatch) -> str:
    return {"exact": "", "contains": "containing ", "regex": "matching "}[match]


# ---- navigation ------------------------------------------------------------------------
@action("goto")
def goto(s: Session, step: m.Goto) -> None:
    url = s.url(step.url)
    s.check_url_allowed(url)
    if s.page is None or s.page.is_closed():
        s.open_main_page()
    s.current_page.goto(url, wait_until=step.wait_until, timeout=s.remaining_ms())


@action("go_back")
def go_back(s: Session, step: m.GoBack) -> None:
    page = s.current_page
    before = page.url
    # None means "no history" or a same-document (hash) move: only the first is a failure.
    if page.go_back(timeout=s.remaining_ms()) is None and page.url == before:
        raise StepFailed("there is no previous page in the history")


@action("go_forward")
def go_forward(s: Session, step: m.GoForward) -> None:
    page = s.current_page
    before = page.url
    if page.go_forward(timeout=s.remaining_ms()) is None and page.url == before:
        raise StepFailed("there is no next page in the history")


@action("reload")
def reload(s: Session, step: m.Reload) -> None:
    s.current_page.reload(timeout=s.remaining_ms())


@action("close")
def close(s: Session, step: m.ClosePage) -> None:
    page = s.current_page
    page.close()
    if page is s.page:
        others = s.open_pages()
        # Go on with the newest remaining page (usually the opener of a closed popup).
        s.page = others[-1] if others else None
        s.frame = None
        if page is s.main_page:
            s.main_page = s.page


@action("set_viewport")
def set_viewport(s: Session, step: m.SetViewport) -> None:
    s.current_page.set_viewport_size({"width": step.width, "height": step.height})


@action("emulate_network")
def emulate_network(s: Session, step: m.EmulateNetwork) -> None:
    throttled = step.download >= 0 or step.upload >= 0 or step.latency > 0
    # Offline is Playwright's own switch (whole context, every browser).
    s.context.set_offline(step.offline)
    page = s.current_page
    if not throttled and page not in s.cdp_sessions:
        return
    if s.browser_name != "chromium":
        raise StepFailed(f"emulate_network throttling needs Chromium (this run uses {s.browser_name})")
    # Keep the CDP session open: Chromium drops a session's emulation when it detaches. Once
    # it exists it also carries `offline`, or its stale conditions would override Playwright's.
    cdp = s.cdp_sessions.get(page) or s.context.new_cdp_session(page)
    s.cdp_sessions[page] = cdp
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": step.offline,
        "latency": step.latency,
        "downloadThroughput": step.download,
        "uploadThroughput": step.upload,
    })


# ---- pointer and keyboard --------------------------------------------------------------
@action("click")
def click(s: Session, step: m.Click) -> None:
    if step.offset is not None or step.button in ("back", "forward") or step.hold_ms:
        click_recorded(s, step, 1)
        return
    kwargs: dict[str, Any] = {"button": step.button, "force": step.force, "timeout": s.remaining_ms()}
    if step.modifiers:
        kwargs["modifiers"] = step.modifiers
    if step.position:
        kwargs["position"] = step.position
    s.resolve(step.target).element.click(**kwargs)


@action("dblclick")
def dblclick(s: Session, step: m.DblClick) -> None:
    if step.offset is not None or step.button in ("back", "forward") or step.hold_ms:
        click_recorded(s, step, 2)
        return
    kwargs: dict[str, Any] = {"timeout": s.remaining_ms(), "button": step.button}
    if step.position:
        kwargs["position"] = step.position
    s.resolve(step.target).element.dblclick(**kwargs)


@action("right_click")
def right_click(s: Session, step: m.RightClick) -> None:
    s.resolve(step.target).element.click(button="right", timeout=s.remaining_ms())


@action("hover")
def hover(s: Session, step: m.Hover) -> None:
    s.resolve(step.target).element.hover(timeout=s.remaining_ms())


_SELECT_OPTIONS_JS = """e => e.tagName === 'SELECT'
    ? Array.from(e.options, o => [o.value, o.label || o.textContent.trim()]) : null"""


@action("fill")
def fill(s: Session, step: m.Fill) -> None:
    found = s.resolve(step.target)
    element = found.element
    try:
        element.fill(step.value, timeout=s.remaining_ms())
        return
    except PlaywrightError as exc:
        # Chrome Recorder `change` steps become fill: on a <select> choose the option, as
        # @puppeteer/replay does (by value, else by label). Checked only after fill refused,
        # so ordinary fills cost no extra round trip.
        if "not an <input>" not in str(exc) or isinstance(exc, PlaywrightTimeout):
            raise
        options = element.evaluate(_SELECT_OPTIONS_JS, timeout=s.remaining_ms())
        if options is None:
            raise
    _fill_select(s, element, found.described, step.value, options)


def _fill_select(s: Session, element: PWLocator, described: str, value: str, options: list[list[str]]) -> None:
    if any(v == value for v, _ in options):
        element.select_option(value=value, timeout=s.remaining_ms())
    elif any(label == value for _, label in options):
        element.select_option(label=value, timeout=s.remaining_ms())
    else:
        shown = ", ".join(f"{_q(v)}" + (f" ({_q(label)})" if label != v else "") for v, label in options)
        raise StepFailed(f"no option with value or label {_q(value)} in {described} (options: {shown or 'none'})")


@action("type")
def type_(s: Session, step: m.Type) -> None:
    s.resolve(step.target).element.press_sequentially(step.text, delay=step.delay_ms, timeout=s.remaining_ms())


@action("press")
def press(s: Session, step: m.Press) -> None:
    if step.target is None:
        s.current_page.keyboard.press(step.key)
    else:
        s.resolve(step.target).element.press(step.key, timeout=s.remaining_ms())


@action("key_down")
def key_down(s: Session, step: m.KeyDown) -> None:
    s.current_page.keyboard.down(step.key)


@action("key_up")
def key_up(s: Session, step: m.KeyUp) -> None:
    s.current_page.keyboard.up(step.key)


@action("check")
def check(s: Session, step: m.Check) -> None:
    s.resolve(step.target).element.check(timeout=s.remaining_ms())


@action("uncheck")
def uncheck(s: Session, step: m.Uncheck) -> None:
    s.resolve(step.target).element.uncheck(timeout=s.remaining_ms())


@action("select_option")
def select_option(s: Session, step: m.SelectOption) -> None:
    found = s.resolve(step.target)
    element = found.element
    wanted = step.values or step.labels
    kwargs: dict[str, Any] = {"value": step.values} if step.values else {"label": step.labels}
    try:
        element.select_option(timeout=s.remaining_ms(), **kwargs)
    except PlaywrightTimeout:
        missing = found.missing_error()
        if missing is not None:
            raise StepFailed(missing) from None
        options = element.locator("option").all_inner_texts() if element.count() else []
        kind = "value" if step.values else "label"
        raise StepFailed(
            f"no option with {kind} {', '.join(map(_q, wanted))} (options: {', '.join(map(_q, options)) or 'none'})"
        ) from None


@action("upload")
def upload(s: Session, step: m.Upload) -> None:
    root = Path(s.source_dir or Path.cwd()).resolve()
    paths = []
    for name in step.files:
        path = (root / name).resolve()
        # Files come from the test's folder only: a shared worker must not upload its own files.
        if not path.is_relative_to(root):
            raise StepFailed(f"upload file {_q(name)} is outside the test's folder")
        if not path.is_file():
            raise StepFailed(f"upload file {_q(name)} not found in {root}")
        paths.append(str(path))
    s.resolve(step.target).element.set_input_files(paths, timeout=s.remaining_ms())


@action("drag_and_drop")
def drag_and_drop(s: Session, step: m.DragAndDrop) -> None:
    source = s.resolve(step.source).element
    target = s.resolve(step.target).element
    source.drag_to(target, timeout=s.remaining_ms())


@action("scroll")
def scroll(s: Session, step: m.Scroll) -> None:
    """Scroll TO x/y (Recorder semantics): the element when given, else the window.
    A target without x/y is scrolled into view."""
    if step.target is None:
        s.scope.evaluate("([x, y]) => window.scrollTo(x, y)", [step.x, step.y])
        return
    element = s.resolve(step.target).element
    # "Not given" differs from 0: a Recorder scroll back to the top sets x=0, y=0 explicitly.
    if not {"x", "y"} & step.model_fields_set:
        element.scroll_into_view_if_needed(timeout=s.remaining_ms())
    else:
        element.evaluate("(el, [x, y]) => { el.scrollLeft = x; el.scrollTop = y; }", [step.x, step.y],
                         timeout=s.remaining_ms())


# ---- waiting ---------------------------------------------------------------------------
@action("wait_for")
def wait_for(s: Session, step: m.WaitFor) -> None:
    page = s.current_page
    if step.ms is not None:
        # Decide before waiting: afterwards the remaining time has shrunk by the wait itself.
        budget = s.remaining_ms()
        page.wait_for_timeout(min(step.ms, budget))
        if step.ms > budget + 5:
            raise StepFailed(f"wait of {step.ms} ms is longer than the step timeout ({budget} ms left)")
    elif step.url is not None:
        _wait_for_url(s, step.url)
    elif step.load_state is not None:
        page.wait_for_load_state(step.load_state, timeout=s.remaining_ms())
    elif step.expression is not None:
        _wait_for_expression(s, step.expression)
    elif step.target is not None:
        _wait_for_element(s, step)


def _wait_for_url(s: Session, url: str) -> None:
    expected = s.expected_url(url)
    try:
        s.current_page.wait_for_url(url_pattern(expected), timeout=s.remaining_ms())
    except PlaywrightTimeout:
        raise StepFailed(f"the URL did not become {_q(expected)} (it is {_q(s.current_page.url)})") from None


def _wait_for_expression(s: Session, expression: str) -> None:
    try:
        s.scope.wait_for_function(expression, timeout=s.remaining_ms())
    except PlaywrightTimeout:
        raise StepFailed(f"expression {_q(expression)} did not become true") from None


def _wait_for_element(s: Session, step: m.WaitFor) -> None:
    assert step.target is not None
    if step.negate:
        wait_until_not(s, step)
        return
    if step.count is not None:
        # Not counted first: the wait's own query is the first look (one round trip when it holds).
        found = s.resolve_optional(step.target, check=False)
        elements = found.all.filter(visible=True) if step.state == "visible" else found.all
        reads = (*(step.properties or {}), *(VISIBILITY if step.state == "visible" else ()))
        watch = Watch(found.all, reads) if reads else None
        if step.attributes or step.properties:
            _wait_count_matching(s, elements, step, found.described, watch, found)
        else:
            _check_count(s, elements, step.count, step.operator, found.described, step.target, watch, found)
        return
    if step.state in ("hidden", "detached"):
        found = s.resolve_optional(step.target)
        el = found.element
        if step.state == "hidden":
            gone = s.until(lambda: not el.is_visible(), step.target, Watch(el, VISIBILITY))
        else:
            gone = s.until(lambda: el.count() == 0, step.target)
        if not gone:
            raise StepFailed(f"{found.described} did not become {step.state}")
        return
    found = s.resolve(step.target)
    if step.state == "visible" or found.lazy_ms is not None:
        el = found.element
        if step.state == "visible":
            there = s.until(el.is_visible, step.target, Watch(el, VISIBILITY))
        else:
            there = s.until(lambda: el.count() > 0, step.target)
        if not there:
            raise StepFailed(found.missing_error() or f"{found.described} exists but did not become visible")
    for name, value in (step.attributes or {}).items():
        _wait_attribute(s, found, name, value)
    for name, value in (step.properties or {}).items():
        _wait_property(s, found, name, value)


# [elements, elements satisfying the attributes (exact) and properties (deep partial match)]
_COUNT_MATCHING_JS = """(els, [attrs, props]) => {
  const deep = (want, have) => {
    if (want === null || typeof want !== 'object') return want === have;
    if (have === null || (typeof have !== 'object' && typeof have !== 'function')) return false;
    return Object.keys(want).every(k => deep(want[k], have[k]));
  };
  const ok = els.filter(e => Object.entries(attrs).every(([n, v]) => e.getAttribute(n) === v) && deep(props, e));
  return [els.length, ok.length];
}"""

_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
}


def _wait_count_matching(s: Session, elements: PWLocator, step: m.WaitFor, described: str,
                         watch: Watch | None = None, found: Resolved | None = None) -> None:
    """count + attributes/properties, as @puppeteer/replay's waitForElement: the number of
    matching elements satisfies the operator AND every one of them has the attributes and
    properties (checked again on each change until both hold or the step's time is up)."""
    assert step.count is not None and step.target is not None
    attrs, props = step.attributes or {}, step.properties or {}
    compare, count = _COMPARE[step.operator], step.count
    counts = [0, 0]

    def holds() -> bool:
        try:
            counts[:] = elements.evaluate_all(_COUNT_MATCHING_JS, [attrs, props])
        except PlaywrightError as exc:
            if "closed" in str(exc):
                raise
            if found is not None:
                found.check_usable()  # a locator Playwright refuses fails now, as before
            counts[:] = [0, 0]  # navigating: the context is gone, try again
            return False
        return compare(counts[0], count) and counts[1] == counts[0]

    if not s.until(holds, step.target, watch):
        total, ok = counts
        wanted = ", ".join([*(f"attribute {n}={_q(v)}" for n, v in attrs.items()),
                            *(f"property {n}={_q(v)}" for n, v in props.items())])
        raise StepFailed(f"expected {step.operator} {step.count} elements matching {described}, each with "
                         f"{wanted}, but found {total} ({total - ok} without)")


def _wait_attribute(s: Session, found: Resolved, name: str, value: str) -> None:
    el = found.element
    _expect(s, lambda t: expect(el).to_have_attribute(name, value, timeout=t),
            lambda: f"attribute {name} of {found.described} is {_q(el.get_attribute(name, timeout=1000))}, "
                    f"not {_q(value)}", found)


def _wait_property(s: Session, found: Resolved, name: str, value: Any) -> None:
    el = found.element
    _expect(s, lambda t: expect(el).to_have_js_property(name, value, timeout=t),
            lambda: f"property {name} of {found.described} is "
                    f"{_q(el.evaluate('(e, n) => e[n]', name, timeout=1000))}, not {_q(value)}", found, (name,))


def _check_count(s: Session, elements: PWLocator, expected: int, operator: str, described: str,
                 target: list[m.Locator], watch: Watch | None = None, found: Resolved | None = None) -> None:
    # >= 0 always holds; otherwise the count is checked again on each change of the page.
    if operator == ">=" and expected == 0:
        return
    compare = _COMPARE[operator]

    def holds() -> bool:
        try:
            return compare(elements.count(), expected)
        except PlaywrightError:
            if found is not None:
                found.check_usable()  # a locator Playwright refuses: "cannot use locator ..."
            raise

    if not s.until(holds, target, watch):
        actual = elements.count()
        raise StepFailed(f"expected {operator} {expected} elements matching {described} but found {actual}")


def _expect(s: Session, check: Callable[[float], None], explain: Callable[[], str], found: Resolved | None = None,
            reads: tuple[str, ...] = (), on: Resolved | None = None) -> None:
    """Wait for an expect() assertion: check(timeout) runs it once (Playwright's one-shot
    check, timeout ONE_SHOT_MS), again on each change of the page (waiting.until; `reads`: element
    state to watch besides DOM mutations) until it passes or the step's time is up. Then raise
    StepFailed(explain()) without the call log (or "no element matches ..." when `found` was
    resolved lazily and matches nothing). `on`: the element checked, when not `found`."""
    on = on or found

    def passes() -> bool:
        try:
            check(ONE_SHOT_MS)
        except AssertionError:
            return False
        return True

    watch = Watch(on.element, reads) if on is not None and reads else None
    if not s.until(passes, [on.alternative] if on is not None else None, watch):
        try:
            message = (found.missing_error() if found is not None else None) or explain()
        except PlaywrightError:
            message = "the element went away while checking"
        raise StepFailed(message)


# ---- assertions ------------------------------------------------------------------------
@action("assert_visible")
def assert_visible(s: Session, step: m.AssertVisible) -> None:
    found = s.resolve(step.target)
    _expect(s, lambda t: expect(found.element).to_be_visible(timeout=t),
            lambda: f"{found.described} exists but is not visible", found, VISIBILITY)


@action("assert_hidden")
def assert_hidden(s: Session, step: m.AssertHidden) -> None:
    found = s.resolve_optional(step.target)
    _expect(s, lambda t: expect(found.element).to_be_hidden(timeout=t),
            lambda: f"{found.described} is visible but should be hidden", on=found, reads=VISIBILITY)


@action("assert_text")
def assert_text(s: Session, step: m.AssertText) -> None:
    found = s.resolve(step.target)
    pattern = _pattern(step.expected, step.match)
    el = found.element
    _expect(s, lambda t: expect(el).to_have_text(pattern, timeout=t),
            lambda: f"expected text {_how(step.match)}{_q(step.expected)} but found "
                    f"{_q(el.inner_text(timeout=1000).strip())} in {found.described}", found)


@action("assert_value")
def assert_value(s: Session, step: m.AssertValue) -> None:
    found = s.resolve(step.target)
    el = found.element
    wanted = _pattern(step.expected, step.match)
    _expect(s, lambda t: expect(el).to_have_value(wanted, timeout=t),
            lambda: f"expected value {_how(step.match)}{_q(step.expected)} but found "
                    f"{_q(el.input_value(timeout=1000))} in {found.described}", found, ("value",))


@action("assert_attribute")
def assert_attribute(s: Session, step: m.AssertAttribute) -> None:
    found = s.resolve(step.target)
    el = found.element

    def explain() -> str:
        actual = el.get_attribute(step.attribute, timeout=1000)
        shown = "no such attribute" if actual is None else _q(actual)
        return (f"expected attribute {step.attribute} {_how(step.match)}{_q(step.expected)} but found "
                f"{shown} on {found.described}")

    wanted = _pattern(step.expected, step.match)
    _expect(s, lambda t: expect(el).to_have_attribute(step.attribute, wanted, timeout=t), explain, found)


@action("assert_count")
def assert_count(s: Session, step: m.AssertCount) -> None:
    found = s.resolve_optional(step.target)
    _check_count(s, found.all, step.expected, step.operator, found.described, step.target)


@action("assert_url")
def assert_url(s: Session, step: m.AssertUrl) -> None:
    page = s.current_page
    expected = s.expected_url(step.expected) if step.match == "exact" else step.expected
    wanted = url_pattern(expected) if step.match == "exact" else _pattern(expected, step.match)
    _expect(s, lambda t: expect(page).to_have_url(wanted, timeout=t),
            lambda: f"expected URL {_how(step.match)}{_q(expected)} but the page is at {_q(page.url)}")


@action("assert_title")
def assert_title(s: Session, step: m.AssertTitle) -> None:
    page = s.current_page
    wanted = _pattern(step.expected, step.match)
    _expect(s, lambda t: expect(page).to_have_title(wanted, timeout=t),
            lambda: f"expected title {_how(step.match)}{_q(step.expected)} but found {_q(page.title())}")


@action("assert_checked")
def assert_checked(s: Session, step: m.AssertChecked) -> None:
    found = s.resolve(step.target)
    want = "checked" if step.checked else "unchecked"
    _expect(s, lambda t: expect(found.element).to_be_checked(checked=step.checked, timeout=t),
            lambda: f"expected {found.described} to be {want} but it is not", found, ("checked", "indeterminate"))


@action("assert_enabled")
def assert_enabled(s: Session, step: m.AssertEnabled) -> None:
    found = s.resolve(step.target)
    want, other = ("enabled", "disabled") if step.enabled else ("disabled", "enabled")
    _expect(s, lambda t: expect(found.element).to_be_enabled(enabled=step.enabled, timeout=t),
            lambda: f"expected {found.described} to be {want} but it is {other}", found)


# ---- data ------------------------------------------------------------------------------
@action("extract")
def extract(s: Session, step: m.Extract) -> None:
    el = s.resolve(step.target).element
    timeout = s.remaining_ms()
    if step.source == "text":
        value: str | None = el.inner_text(timeout=timeout).strip()
    elif step.source == "value":
        value = el.input_value(timeout=timeout)
    else:
        if not step.attribute:
            raise StepFailed("extract with source 'attribute' needs 'attribute'")
        value = el.get_attribute(step.attribute, timeout=timeout)
        if value is None:
            raise StepFailed(f"the element has no attribute {step.attribute}")
    s.vars.set(step.variable, value or "")


@action("evaluate")
def evaluate(s: Session, step: m.Evaluate) -> None:
    try:
        result = s.scope.evaluate(step.script)
    except PlaywrightError as exc:
        if "Timeout" in str(exc) or "closed" in str(exc):
            raise
        message = str(exc).split("\n")[0].removeprefix("Page.evaluate: ").removeprefix("Frame.evaluate: ")
        raise StepFailed(f"the script threw: {message}") from None
    if step.variable:
        text = result if isinstance(result, str) else json.dumps(result)
        s.vars.set(step.variable, text)


@action("screenshot")
def screenshot(s: Session, step: m.Screenshot) -> None:
    # Not lazy: a failed element screenshot is only logged, so the element must exist first.
    element = s.resolve(step.target, lazy=False).element if step.target else None
    label = safe_name(step.label or "", s.mask, default=f"step-{s.step_index + 1:02d}")
    path = s.evidence.screenshot(s.current_page, f"screenshot-{label}.png", "screenshots",
                                 full_page=step.full_page, element=element)
    s.step_screenshot = path


# ---- pages, frames, dialogs ------------------------------------------------------------
@action("switch_frame")
def switch_frame(s: Session, step: m.SwitchFrame) -> None:
    found = s.resolve(step.target)
    handle = found.element.element_handle(timeout=s.remaining_ms())
    frame = handle.content_frame()
    if frame is None:
        raise StepFailed(f"{found.described} is not an <iframe> or <frame>")
    s.frame = frame


@action("switch_main")
def switch_main(s: Session, step: m.SwitchMain) -> None:
    if s.main_page is None or s.main_page.is_closed():
        raise StepFailed("the main page was closed")
    s.page, s.frame = s.main_page, None


@action("switch_popup")
def switch_popup(s: Session, step: m.SwitchPopup) -> None:
    page = s.find_page(step.url, exclude_main=True)
    page.wait_for_load_state("domcontentloaded", timeout=s.remaining_ms())
    s.page, s.frame = page, None


@action("handle_dialog")
def handle_dialog(s: Session, step: m.HandleDialog) -> None:
    s.dialog_accept = step.accept
    s.prompt_text = step.prompt_text


def check_registry() -> None:
    # Fail at import, not mid-run, when the model gains an action without an implementation.
    missing = set(m.STEP_ACTIONS) - set(ACTIONS)
    if missing:
        raise RuntimeError(f"actions without an implementation: {sorted(missing)}")


check_registry()
