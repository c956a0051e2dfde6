"""Export a TestDefinition as a standalone pytest-playwright script (sync API).

The script needs only `pytest` + `pytest-playwright` and runs unchanged:

    pytest exported_test.py            # TRACEIQ_BASE_URL=... to rebase, like --base-url

It carries what it needs in a small preamble: a `browser_type_launch_args` fixture that falls
back to a system Chromium (TRACEIQ_CHROMIUM_PATH, /usr/bin/chromium...) when Playwright's own
build is missing, `${NAME}` variables (defaults from the test, overridden by environment
variables of the same name), fallback locators (first alternative that matches wins, like
the engine), and the Recorder-style `fill` that also selects an option of a <select>.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from traceiq_app.engine import model as m
from traceiq_app.engine.aria_query import parse as parse_aria

DEFAULT_STEP_TIMEOUT_MS = 10_000

_PREAMBLE = '''\
import os
import re
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Error, Page, expect

HERE = Path(__file__).resolve().parent
BASE_URL = os.environ.get("TRACEIQ_BASE_URL") or {base_url!r}
OVERRIDE_BASE = bool(os.environ.get("TRACEIQ_BASE_URL"))
VARS = {variables!r}
for _name in list(VARS) + {secret_names!r}:
    if _name in os.environ:
        VARS[_name] = os.environ[_name]
SYSTEM_CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright):
    """Use a system Chromium when Playwright's own build is not installed."""
    args = dict(browser_type_launch_args)
    path = os.environ.get("TRACEIQ_CHROMIUM_PATH")
    if not path and not Path(playwright.chromium.executable_path).exists():
        path = next((p for p in SYSTEM_CHROMIUM if Path(p).exists()), None)
    if path:
        args["executable_path"] = path
        args["args"] = [*args.get("args", []), "--no-sandbox", "--disable-gpu"]
    return args
{context_args}

def _sub(text):
    def repl(match):
        if match.group(1):
            return "${{" + match.group(2) + "}}"
        return VARS[match.group(2)]
    return re.sub(r"\\$(\\$?)\\{{([A-Za-z_][A-Za-z0-9_]*)\\}}", repl, text)


def _url(url):
    url = _sub(url)
    parts = urlsplit(url)
    if parts.scheme:
        if OVERRIDE_BASE and parts.scheme in ("http", "https"):
            base = urlsplit(BASE_URL)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))
        return url
    return urljoin(BASE_URL or "", url)


def _url_matches(pattern, url):
    # TraceIQ URL globs (as Playwright's): ** matches anything, * anything but "/".
    if "*" in pattern:
        parts = re.split(r"(\\*\\*+|\\*)", _sub(pattern))
        glob = "".join(".*" if p.startswith("**") else "[^/]*" if p == "*" else re.escape(p) for p in parts)
        return re.fullmatch(glob, url) is not None
    return url.rstrip("/") == _url(pattern).rstrip("/")


def _frame(page, path):
    frame = page.main_frame
    for index in path:
        frame = frame.child_frames[index]
    return frame


def _pick(candidates, timeout):
    """First alternative that matches an element (all polled until the timeout)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        for build in candidates:
            try:
                located = build()
                if located.count() > 0:
                    return located
            except (Error, IndexError):
                continue
        if time.monotonic() >= deadline:
            raise AssertionError("no element matches any alternative")
        time.sleep(0.05)


def _find_page(page, url, timeout):
    deadline = time.monotonic() + timeout / 1000
    while True:
        for candidate in reversed(page.context.pages):
            if not candidate.is_closed() and (url is None and candidate != page or
                                              url is not None and _url_matches(url, candidate.url)):
                return candidate
        if time.monotonic() >= deadline:
            raise AssertionError(f"no page matching {{url!r}}")
        page.wait_for_timeout(50)


def _fill(element, value, timeout):
    if element.evaluate("e => e.tagName") == "SELECT":
        try:
            element.select_option(value=value, timeout=timeout)
        except Error:
            element.select_option(label=value, timeout=timeout)
    else:
        element.fill(value, timeout=timeout)


def _wait_count(elements, expected, operator, timeout):
    if operator == "==":
        expect(elements).to_have_count(expected, timeout=timeout)
    elif operator == ">=" and expected > 0:
        elements.nth(expected - 1).wait_for(state="attached", timeout=timeout)
    elif operator == "<=":
        elements.nth(expected).wait_for(state="detached", timeout=timeout)
'''


def _aria_expr(base: str, query: str) -> str:
    """Playwright has no "any role" accessible-name query: role+name, else label or exact text."""
    name, role = parse_aria(query)
    if role or name is None:
        return f"{base}.get_by_role({role!r}" + (f", name={_s(name)}, exact=True)" if name else ")")
    return f"{base}.get_by_label({_s(name)}, exact=True).or_({base}.get_by_text({_s(name)}, exact=True))"


def _py_name(name: str) -> str:
    ident = re.sub(r"\W+", "_", name.lower()).strip("_")
    if not ident or ident[0].isdigit():
        ident = f"t_{ident}"
    return ident


def _s(value: str) -> str:
    """A Python expression for a string that may contain ${VARS}."""
    if "${" in value:
        return f"_sub({value!r})"
    return repr(value)


def _match(expected: str, match: str) -> str:
    if match == "regex":
        return f"re.compile({_s(expected)})"
    if match == "contains":
        return f"re.compile(re.escape({_s(expected)}))"
    return _s(expected)


class _Writer:
    def __init__(self, test: m.TestDefinition, source_dir: Path | None) -> None:
        self.test = test
        self.source_dir = source_dir
        self.lines: list[str] = []
        self.indent = 1

    def emit(self, line: str = "") -> None:
        self.lines.append(("    " * self.indent + line) if line else "")

    # ---- locators ------------------------------------------------------------------
    def _apply(self, base: str, loc: m.Locator) -> str:
        for outer in loc.within or []:
            base = self._apply(base, outer)
        exact = loc.exact
        if loc.aria is not None:
            expr = _aria_expr(base, loc.aria)
        elif loc.css is not None:
            expr = f"{base}.locator({('css=' + loc.css)!r})" if "${" not in loc.css else \
                f"{base}.locator('css=' + {_s(loc.css)})"
        elif loc.xpath is not None:
            expr = f"{base}.locator('xpath=' + {_s(loc.xpath)})"
        elif loc.role is not None:
            args = [repr(loc.role)]
            if loc.name is not None:
                args += [f"name={_s(loc.name)}", f"exact={exact!r}"]
            expr = f"{base}.get_by_role({', '.join(args)})"
        elif loc.test_id is not None:
            expr = f"{base}.get_by_test_id({_s(loc.test_id)})"
        else:
            kind = loc.kind
            value = getattr(loc, kind)
            expr = f"{base}.get_by_{kind}({_s(value)}, exact={exact!r})"
        if loc.has_text is not None:
            expr += f".filter(has_text={_s(loc.has_text)})"
        if loc.nth is not None:
            expr += f".nth({loc.nth})"
        return expr

    def _base(self, loc: m.Locator) -> str:
        base = "scope"
        if loc.frame_index is not None:
            base = f"_frame(page, {loc.frame_index!r})"
        if loc.frame:
            if loc.frame_index is None:
                base = "page"
            for css in loc.frame:
                base = f"{base}.frame_locator({_s(css)})"
        return base

    def locator(self, target: list[m.Locator], timeout: int) -> str:
        """Expression for ALL the elements of the winning alternative."""
        if len(target) == 1 and target[0].frame_index is None:
            return self._apply(self._base(target[0]), target[0])
        builds = ", ".join(f"lambda: {self._apply(self._base(t), t)}" for t in target)
        return f"_pick([{builds}], {timeout})"

    def element(self, target: list[m.Locator], timeout: int) -> str:
        return f"{self.locator(target, timeout)}.first"

    # ---- steps ---------------------------------------------------------------------
    def step(self, index: int, step: Any) -> None:
        t = step.timeout_ms or self.test.step_timeout_ms or DEFAULT_STEP_TIMEOUT_MS
        label = f"# step {index + 1}: {step.action}" + (f" - {step.name}" if step.name else "")
        self.emit(label.replace("\n", " "))
        pre: list[str] = []
        post: list[str] = []
        if step.page is not None:
            found = "main" if step.page == "main" else f"_find_page(main, {step.page!r}, {t})"
            pre = ["saved_page, saved_scope = page, scope", f"scope = page = {found}"]
            post = ["page, scope = saved_page, saved_scope"]
        act = self._action(step, t)
        nav = step.expect_navigation
        if nav is not None:
            wait_args = f"url=lambda u: _url_matches({nav.url!r}, u), " if nav.url else ""
            act = [f"with page.expect_navigation({wait_args}timeout={t}):"] + ["    " + x for x in act]
            if nav.title is not None:
                act.append(f"expect(page).to_have_title({nav.title!r}, timeout={t})")
        body = pre + act + post
        if step.continue_on_failure:
            self.emit("try:")
            for line in body:
                self.emit("    " + line)
            self.emit("except (AssertionError, Error) as exc:")
            self.emit(f"    soft_failures.append(f'step {index + 1}: {{exc}}')")
        else:
            for line in body:
                self.emit(line)

    def _action(self, step: Any, t: int) -> list[str]:  # noqa: C901 - one branch per action
        a = step.action
        if a == "goto":
            return [f"page.goto(_url({step.url!r}), wait_until={step.wait_until!r}, timeout={t})"]
        if a in ("go_back", "go_forward", "reload"):
            return [f"page.{a}(timeout={t})"]
        if a == "close":
            return ["page.close()", "scope = page = main if not main.is_closed() else page"]
        if a == "set_viewport":
            return [f"page.set_viewport_size({{'width': {step.width}, 'height': {step.height}}})"]
        if a == "emulate_network":
            params = {
                "offline": step.offline, "latency": step.latency,
                "downloadThroughput": step.download, "uploadThroughput": step.upload,
            }
            return ["cdp = page.context.new_cdp_session(page)",
                    f"cdp.send('Network.emulateNetworkConditions', {params!r})"]
        if a in ("click", "dblclick") and (step.offset is not None or step.button in ("back", "forward")
                                           or step.hold_ms):
            return self._recorded_click(step, t)
        if a == "click":
            kw = [f"timeout={t}"]
            if step.button != "left":
                kw.append(f"button={step.button!r}")
            if step.modifiers:
                kw.append(f"modifiers={step.modifiers!r}")
            if step.position:
                kw.append(f"position={step.position!r}")
            if step.force:
                kw.append("force=True")
            return [f"{self.element(step.target, t)}.click({', '.join(kw)})"]
        if a == "dblclick":
            pos = f", position={step.position!r}" if step.position else ""
            return [f"{self.element(step.target, t)}.dblclick(timeout={t}{pos})"]
        if a == "right_click":
            return [f"{self.element(step.target, t)}.click(button='right', timeout={t})"]
        if a in ("hover", "check", "uncheck"):
            return [f"{self.element(step.target, t)}.{a}(timeout={t})"]
        if a == "fill":
            return [f"_fill({self.element(step.target, t)}, {_s(step.value)}, {t})"]
        if a == "type":
            return [f"{self.element(step.target, t)}.press_sequentially({_s(step.text)}, delay={step.delay_ms}, timeout={t})"]
        if a == "press":
            if step.target:
                return [f"{self.element(step.target, t)}.press({step.key!r}, timeout={t})"]
            return [f"page.keyboard.press({step.key!r})"]
        if a in ("key_down", "key_up"):
            return [f"page.keyboard.{a[4:]}({step.key!r})"]
        if a == "select_option":
            kw = []
            if step.values:
                kw.append(f"value=[{', '.join(_s(v) for v in step.values)}]")
            if step.labels:
                kw.append(f"label=[{', '.join(_s(v) for v in step.labels)}]")
            return [f"{self.element(step.target, t)}.select_option({', '.join(kw)}, timeout={t})"]
        if a == "upload":
            if self.source_dir is not None:  # absolute: the script may live elsewhere
                files = ", ".join(repr(str((self.source_dir / f).resolve())) for f in step.files)
            else:
                files = ", ".join(f"HERE / {f!r}" for f in step.files)
            return [f"{self.element(step.target, t)}.set_input_files([{files}], timeout={t})"]
        if a == "drag_and_drop":
            return [f"{self.element(step.source, t)}.drag_to({self.element(step.target, t)}, timeout={t})"]
        if a == "scroll":
            if step.target is None:
                return [f"scope.evaluate('([x, y]) => window.scrollTo(x, y)', [{step.x!r}, {step.y!r}])"]
            if step.x == 0 and step.y == 0:
                return [f"{self.element(step.target, t)}.scroll_into_view_if_needed(timeout={t})"]
            return [f"{self.element(step.target, t)}.evaluate("
                    f"'(el, [x, y]) => {{ el.scrollLeft = x; el.scrollTop = y; }}', [{step.x!r}, {step.y!r}])"]
        if a == "wait_for":
            return self._wait_for(step, t)
        if a in ("assert_visible", "assert_hidden"):
            verb = "to_be_visible" if a == "assert_visible" else "to_be_hidden"
            loc = self._apply(self._base(step.target[0]), step.target[0]) if len(step.target) == 1 \
                else self.locator(step.target, t)
            return [f"expect({loc}.first).{verb}(timeout={t})"]
        if a == "assert_text":
            verb = "to_contain_text" if step.match == "contains" else "to_have_text"
            exp = _s(step.expected) if step.match == "contains" else _match(step.expected, step.match)
            return [f"expect({self.element(step.target, t)}).{verb}({exp}, timeout={t})"]
        if a == "assert_value":
            return [f"expect({self.element(step.target, t)}).to_have_value({_match(step.expected, step.match)}, timeout={t})"]
        if a == "assert_attribute":
            return [f"expect({self.element(step.target, t)}).to_have_attribute("
                    f"{step.attribute!r}, {_match(step.expected, step.match)}, timeout={t})"]
        if a == "assert_count":
            loc = self._apply(self._base(step.target[0]), step.target[0])
            return [f"_wait_count({loc}, {step.expected}, {step.operator!r}, {t})"]
        if a == "assert_url":
            return [f"expect(page).to_have_url({self._url_expected(step)}, timeout={t})"]
        if a == "assert_title":
            return [f"expect(page).to_have_title({_match(step.expected, step.match)}, timeout={t})"]
        if a == "assert_checked":
            verb = "to_be_checked" if step.checked else "not_to_be_checked"
            return [f"expect({self.element(step.target, t)}).{verb}(timeout={t})"]
        if a == "assert_enabled":
            verb = "to_be_enabled" if step.enabled else "to_be_disabled"
            return [f"expect({self.element(step.target, t)}).{verb}(timeout={t})"]
        if a == "extract":
            el = self.element(step.target, t)
            getter = {"text": f"{el}.inner_text(timeout={t})", "value": f"{el}.input_value(timeout={t})",
                      "attribute": f"({el}.get_attribute({step.attribute!r}, timeout={t}) or '')"}[step.source]
            return [f"VARS[{step.variable!r}] = {getter}"]
        if a == "evaluate":
            call = f"scope.evaluate({_s(step.script)})"
            return [f"VARS[{step.variable!r}] = str({call})"] if step.variable else [call]
        if a == "screenshot":
            if step.target:
                return [f"{self.element(step.target, t)}.screenshot(timeout={t})"]
            return [f"page.screenshot(full_page={step.full_page!r})"]
        if a == "switch_frame":
            return [f"scope = {self.element(step.target, t)}.content_frame"]
        if a == "switch_popup":
            url = repr(step.url) if step.url else "None"
            return [f"scope = page = _find_page(main, {url}, {t})", f"page.wait_for_load_state(timeout={t})"]
        if a == "switch_main":
            return ["scope = page = main"]
        if a == "handle_dialog":
            return [f"dialog_policy.update(accept={step.accept!r}, text={step.prompt_text!r})"]
        raise ValueError(f"cannot export action {a!r}")

    def _url_expected(self, step: m.AssertUrl) -> str:
        if step.match == "exact":
            return f"_url({step.expected!r})"
        return _match(step.expected, step.match)

    def _recorded_click(self, step: Any, t: int) -> list[str]:
        """Recorder click at offsetX/offsetY from the element's box, as a real mouse event."""
        offset = step.offset or {}
        lines = [f"el = {self.element(step.target, t)}", f"el.scroll_into_view_if_needed(timeout={t})",
                 f"box = el.bounding_box(timeout={t})",
                 f"x, y = box['x'] + {offset.get('x', 0)!r}, box['y'] + {offset.get('y', 0)!r}" if offset else
                 "x, y = box['x'] + box['width'] / 2, box['y'] + box['height'] / 2"]
        count = 2 if step.action == "dblclick" else 1
        if step.button in ("left", "right", "middle"):
            lines.append("page.mouse.move(x, y)")
            for i in range(1, count + 1):
                lines += [f"page.mouse.down(button={step.button!r}, click_count={i})",
                          *([f"page.wait_for_timeout({step.hold_ms})"] if step.hold_ms else []),
                          f"page.mouse.up(button={step.button!r}, click_count={i})"]
            return lines
        bit = {"back": 8, "forward": 16}[step.button]
        lines.append("cdp = page.context.new_cdp_session(page)  # back/forward buttons: Chromium only")
        for i in range(1, count + 1):
            for kind, buttons in (("mousePressed", bit), ("mouseReleased", 0)):
                lines.append(f"cdp.send('Input.dispatchMouseEvent', {{'type': {kind!r}, 'x': x, 'y': y, "
                             f"'button': {step.button!r}, 'buttons': {buttons}, 'clickCount': {i}}})")
        return lines

    def _wait_for(self, step: m.WaitFor, t: int) -> list[str]:
        if step.ms is not None:
            return [f"page.wait_for_timeout({step.ms})"]
        if step.url is not None:
            return [f"page.wait_for_url(lambda u: _url_matches({step.url!r}, u), timeout={t})"]
        if step.load_state is not None:
            return [f"page.wait_for_load_state({step.load_state!r}, timeout={t})"]
        if step.expression is not None:
            return [f"scope.wait_for_function({_s(step.expression)}, timeout={t})"]
        assert step.target is not None
        if step.negate or (step.count is not None and (step.attributes or step.properties)):
            loc = self._apply(self._base(step.target[0]), step.target[0])
            if step.state == "visible":
                loc += ".filter(visible=True)"
            return [f"_wait_elements({loc}, {step.count if step.count is not None else 1}, {step.operator!r}, "
                    f"{step.attributes or {}!r}, {step.properties!r}, {t}, negate={step.negate!r})"]
        if step.count is not None:
            first = self._apply(self._base(step.target[0]), step.target[0])
            loc = first
            if len(step.target) > 1 or step.target[0].frame_index is not None:
                # like the engine: the first alternative that matches now, else the first one
                builds = ", ".join(f"lambda: {self._apply(self._base(x), x)}" for x in step.target)
                loc = f"(_try_pick([{builds}]) or {first})"
            if step.state == "visible":
                loc += ".filter(visible=True)"
            return [f"_wait_count({loc}, {step.count}, {step.operator!r}, {t})"]
        if step.state in ("hidden", "detached"):
            first = self._apply(self._base(step.target[0]), step.target[0])
            return [f"{first}.first.wait_for(state={step.state!r}, timeout={t})"]
        lines = [f"el = {self.element(step.target, t)}"]
        if step.state == "visible":
            lines.append(f"el.wait_for(state='visible', timeout={t})")
        for name, value in (step.attributes or {}).items():
            lines.append(f"expect(el).to_have_attribute({name!r}, {value!r}, timeout={t})")
        for name, value in (step.properties or {}).items():
            lines.append(f"expect(el).to_have_js_property({name!r}, {value!r}, timeout={t})")
        return lines


_TRY_PICK = '''

def _wait_elements(elements, count, operator, attributes, properties, timeout, negate=False):
    """Recorder waitForElement: the count holds and every element has the attributes and
    properties (negate, i.e. visible: false: until that stops being true)."""
    check = {"==": lambda a: a == count, ">=": lambda a: a >= count, "<=": lambda a: a <= count}[operator]
    js = ("(els, [a, p]) => els.every(e => Object.entries(a).every(([n, v]) => e.getAttribute(n) === v)"
          " && (!p || JSON.stringify(Object.fromEntries(Object.keys(p).map(k => [k, e[k]]))) === JSON.stringify(p)))")
    deadline = time.monotonic() + timeout / 1000
    while (check(elements.count()) and (not (attributes or properties)
                                        or elements.evaluate_all(js, [attributes, properties]))) == negate:
        assert time.monotonic() < deadline, f"waitForElement: the condition did not become {not negate}"
        time.sleep(0.1)


def _try_pick(candidates):
    for build in candidates:
        try:
            located = build()
            if located.count() > 0:
                return located
        except (Error, IndexError):
            continue
    return None
'''


def export_pytest(test: m.TestDefinition, source_dir: Path | None = None) -> str:
    """Python source of a pytest-playwright test module equivalent to `test`.

    `source_dir` (the test file's folder) makes upload paths absolute; without it they are
    relative to the exported script, like they were to the test file."""
    context: dict[str, Any] = {}
    if test.viewport:
        context["viewport"] = {"width": test.viewport.width, "height": test.viewport.height}
    if test.headers:
        context["extra_http_headers"] = dict(test.headers)
    context_args = ""
    if context:
        context_args = (
            "\n\n@pytest.fixture(scope=\"session\")\n"
            "def browser_context_args(browser_context_args):\n"
            f"    return {{**browser_context_args, **{context!r}}}\n"
        )
    preamble = _PREAMBLE.format(
        base_url=test.base_url or "",
        variables=dict(test.variables),
        secret_names=list(test.secrets),
        context_args=context_args,
    ) + _TRY_PICK
    writer = _Writer(test, source_dir)
    writer.emit("main = scope = page")
    writer.emit("dialog_policy = {'accept': False, 'text': None}")
    writer.emit("page.context.on('dialog', lambda d: d.accept(dialog_policy['text'] or '') "
                "if dialog_policy['accept'] else d.dismiss())")
    has_soft = any(s.continue_on_failure for s in test.steps)
    if has_soft:
        writer.emit("soft_failures = []")
    for index, step in enumerate(test.steps):
        writer.emit()
        writer.step(index, step)
    if has_soft:
        writer.emit()
        writer.emit("assert not soft_failures, '\\n'.join(soft_failures)")
    doc = f'"""{test.name} - exported from TraceIQ. Run with: pytest {_py_name(test.name)}.py"""'
    header = (
        f"{doc}\n\n"
        f"{preamble}\n\n"
        f"def test_{_py_name(test.name)}(page: Page) -> None:\n"
    )
    return header + "\n".join(writer.lines) + "\n"
