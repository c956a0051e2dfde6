"""Playwright codegen Python (sync API) scripts -> TestDefinition, by reading the AST.

The script is never executed. Both codegen targets are understood: the library one
(`def run(playwright)` + `with sync_playwright() as playwright:`) and the pytest one
(`def test_x(page: Page)`). Boilerplate (imports, launch, new_context, new_page, close) is
skipped; every other statement must map onto a native step, otherwise the import fails with
one message listing EVERY unsupported line (`line N: ...`). Each step keeps its `source_line`.

Pages: the first page variable is the main page; `with X.expect_popup() as info:` +
`p1 = info.value` adds a popup and emits `switch_popup`; later statements on another page
variable emit `switch_popup` (by that popup's order) / `switch_main` as needed.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from traceiq_app.engine.model import TestDefinition

from .errors import FormatError

_LOCATOR_GETTERS = {
    "get_by_role": "role",
    "get_by_label": "label",
    "get_by_text": "text",
    "get_by_placeholder": "placeholder",
    "get_by_test_id": "test_id",
    "get_by_alt_text": "alt_text",
    "get_by_title": "title",
}

_TEXT_KW_OK = {"exact"}


class _Unsupported(Exception):
    pass


def _const(node: ast.AST, what: str = "argument") -> Any:
    """A literal value (str/int/float/bool/None/list/dict of those), else unsupported."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        raise _Unsupported(f"{what} must be a literal, got `{ast.unparse(node)}`") from None


def _text_pattern(node: ast.AST) -> tuple[str, str]:
    """A string or re.compile("...") -> (text, match mode)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
        and node.args
    ):
        if len(node.args) > 1 or node.keywords:
            raise _Unsupported("re.compile flags are not supported")
        pattern = _const(node.args[0], "regex")
        if not isinstance(pattern, str):
            raise _Unsupported("regex must be a string")
        return pattern, "regex"
    value = _const(node, "expected text")
    if not isinstance(value, str):
        raise _Unsupported(f"expected a string, got {value!r}")
    return value, "exact"


def _kwargs(call: ast.Call, allowed: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kw in call.keywords:
        if kw.arg is None or kw.arg not in allowed:
            raise _Unsupported(f"keyword `{kw.arg or '**'}` of {_callee(call)}() is not supported")
        out[kw.arg] = kw.value
    return out


def _callee(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ast.unparse(call.func)


class _Parser:
    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.main_page: str | None = None
        self.popups: list[str] = []  # popup page variables, in opening order
        self.popup_infos: set[str] = set()
        self.closed: set[str] = set()
        self.current: str | None = None
        self.boilerplate_vars: set[str] = {"playwright", "browser", "context"}
        self.viewport: dict[str, int] | None = None
        self.line = 0

    # --- locators -------------------------------------------------------------------------

    def _locator(self, node: ast.AST) -> tuple[str, dict[str, Any]]:
        """Expression building a locator -> (page variable, Locator dict)."""
        chain: list[Any] = []
        cur = node
        while True:
            if isinstance(cur, ast.Call) and isinstance(cur.func, ast.Attribute):
                chain.append(cur)
                cur = cur.func.value
            elif isinstance(cur, ast.Attribute):
                chain.append(cur)
                cur = cur.value
            else:
                break
        if not isinstance(cur, ast.Name) or not self._is_page(cur.id):
            raise _Unsupported(f"`{ast.unparse(node)}` does not start from a page")
        page = cur.id
        chain.reverse()
        frames: list[str] = []
        ancestors: list[dict[str, Any]] = []
        loc: dict[str, Any] | None = None
        for link in chain:
            if isinstance(link, ast.Attribute):  # .first / .last / .content_frame
                if link.attr == "first" and loc is not None:
                    loc["nth"] = 0
                elif link.attr == "last" and loc is not None:
                    loc["nth"] = -1
                elif link.attr == "content_frame" and loc is not None:
                    frames.append(self._frame_selector(loc, ancestors))
                    ancestors, loc = [], None
                else:
                    raise _Unsupported(f"`.{link.attr}` is not supported in a locator")
                continue
            method = link.func.attr
            if method in _LOCATOR_GETTERS:
                new = self._getter(link, _LOCATOR_GETTERS[method])
            elif method == "locator":
                new = self._css_or_xpath(link)
            elif method == "frame_locator":
                if loc is not None:
                    ancestors.append(loc)
                sel = _const(link.args[0], "frame selector") if link.args else None
                if not isinstance(sel, str) or link.keywords or len(link.args) != 1:
                    raise _Unsupported("frame_locator() needs one selector string")
                if ancestors:
                    raise _Unsupported("frame_locator() after a locator is not supported")
                frames.append(sel)
                loc = None
                continue
            elif method == "filter" and loc is not None:
                kw = _kwargs(link, {"has_text"})
                if "has_text" not in kw or link.args:
                    raise _Unsupported("only .filter(has_text=...) is supported")
                text = _const(kw["has_text"], "has_text")
                if not isinstance(text, str):
                    raise _Unsupported("filter(has_text=) must be a string")
                if "has_text" in loc:
                    raise _Unsupported("two .filter(has_text=) on one locator are not supported")
                loc["has_text"] = text
                continue
            elif method == "nth" and loc is not None:
                index = _const(link.args[0], "nth index") if len(link.args) == 1 else None
                if not isinstance(index, int) or isinstance(index, bool):
                    raise _Unsupported("nth() needs an integer")
                loc["nth"] = index
                continue
            else:
                raise _Unsupported(f"`.{method}()` is not supported in a locator")
            if loc is not None:
                ancestors.append(loc)
            loc = new
        if loc is None:
            raise _Unsupported(f"`{ast.unparse(node)}` is not a locator")
        if ancestors:
            loc["within"] = ancestors
        if frames:
            loc["frame"] = frames
        return page, loc

    @staticmethod
    def _frame_selector(loc: dict[str, Any], ancestors: list[dict[str, Any]]) -> str:
        if ancestors or set(loc) - {"css", "xpath", "nth"}:
            raise _Unsupported("content_frame is only supported on a CSS/XPath locator")
        sel = loc["css"] if "css" in loc else f"xpath={loc['xpath']}"
        if "nth" in loc:
            sel += f" >> nth={loc['nth']}"
        return sel

    def _getter(self, call: ast.Call, kind: str) -> dict[str, Any]:
        if len(call.args) != 1:
            raise _Unsupported(f"{_callee(call)}() needs exactly one positional argument")
        value = call.args[0]
        allowed = {"name", "exact"} if kind == "role" else ({"exact"} if kind != "test_id" else set())
        kw = _kwargs(call, allowed | ({"checked", "disabled", "expanded", "level", "pressed", "selected", "include_hidden"} if kind == "role" else set()))
        extra = set(kw) - allowed
        if extra:
            raise _Unsupported(f"get_by_role({', '.join(sorted(extra))}=) is not supported")
        loc: dict[str, Any] = {}
        if isinstance(value, ast.Call):  # re.compile(...)
            raise _Unsupported(f"regex arguments to {_callee(call)}() are not supported")
        text = _const(value)
        if not isinstance(text, str):
            raise _Unsupported(f"{_callee(call)}() needs a string")
        loc[kind] = text
        if "name" in kw:
            if isinstance(kw["name"], ast.Call):
                raise _Unsupported("regex names are not supported")
            name = _const(kw["name"], "name")
            if not isinstance(name, str):
                raise _Unsupported("name= must be a string")
            loc["name"] = name
        if "exact" in kw:
            exact = _const(kw["exact"], "exact")
            if not isinstance(exact, bool):
                raise _Unsupported("exact= must be True or False")
            loc["exact"] = exact
        return loc

    @staticmethod
    def _css_or_xpath(call: ast.Call) -> dict[str, Any]:
        if len(call.args) != 1:
            raise _Unsupported("locator() needs exactly one selector")
        sel = _const(call.args[0], "selector")
        if not isinstance(sel, str) or not sel:
            raise _Unsupported("locator() needs a non-empty string")
        kw = _kwargs(call, {"has_text"})
        loc: dict[str, Any]
        if sel.startswith("xpath="):
            loc = {"xpath": sel[len("xpath=") :]}
        elif sel.startswith("//") or sel.startswith("(//") or sel.startswith(".."):
            loc = {"xpath": sel}
        elif sel.startswith("css="):
            loc = {"css": sel[len("css=") :]}
        elif sel.startswith("text="):
            text = sel[len("text=") :]
            if len(text) >= 2 and text[0] == text[-1] == '"':
                loc = {"text": text[1:-1], "exact": True}
            else:
                loc = {"text": text}
        elif sel.startswith("internal:") or " >> " in sel:
            raise _Unsupported(f"Playwright selector {sel!r} is not supported (use CSS or XPath)")
        else:
            loc = {"css": sel}
        if "has_text" in kw:
            text = _const(kw["has_text"], "has_text")
            if not isinstance(text, str):
                raise _Unsupported("has_text= must be a string")
            loc["has_text"] = text
        return loc

    # --- pages ----------------------------------------------------------------------------

    def _is_page(self, name: str) -> bool:
        return name == self.main_page or name in self.popups

    def _on_page(self, page: str, step: dict[str, Any]) -> None:
        """Emit switch steps when a statement acts on another page than the current one."""
        if page != self.current:
            if page == self.main_page:
                self._emit({"action": "switch_main"})
            else:
                # switch_popup without a URL picks the newest open popup: only right for the newest
                open_popups = [p for p in self.popups if p not in self.closed]
                if open_popups and open_popups[-1] != page:
                    raise _Unsupported(f"going back to {page} while a newer popup is open is not supported")
                self._emit({"action": "switch_popup", "name": f"switch to {page}"})
            self.current = page
        self._emit(step)

    def _emit(self, step: dict[str, Any]) -> None:
        step.setdefault("source_line", self.line)
        self.steps.append(step)

    # --- statements -----------------------------------------------------------------------

    def parse_module(self, tree: ast.Module) -> None:
        body = self._find_body(tree)
        self._statements(body)

    def _find_body(self, tree: ast.Module) -> list[ast.stmt]:
        funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        ranked = sorted(funcs, key=lambda fn: (not fn.name.startswith("test"), fn.name != "run"))
        for fn in ranked:  # pytest target `def test_x(page: Page)`, or `def run(page)`
            if any(a.arg == "page" for a in fn.args.args):
                self.main_page = "page"
                self.current = "page"
                return fn.body
        for fn in ranked:  # library target: def run(playwright) / def test_x(playwright)
            if any(isinstance(n, ast.Attribute) and n.attr == "new_page" for n in ast.walk(fn)):
                return fn.body
        # a flat script
        return [n for n in tree.body if not isinstance(n, ast.FunctionDef)]

    def _statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.line = stmt.lineno
            try:
                self._statement(stmt)
            except _Unsupported as exc:
                self.problems.append(f"line {stmt.lineno}: {exc}: `{_short(stmt)}`")

    def _statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import | ast.ImportFrom | ast.Pass):
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return  # docstring / bare string
        if isinstance(stmt, ast.With):
            self._with(stmt)
            return
        if isinstance(stmt, ast.Assign):
            self._assign(stmt)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self._call(stmt.value)
            return
        raise _Unsupported("unsupported statement")

    def _with(self, stmt: ast.With) -> None:
        if len(stmt.items) != 1:
            raise _Unsupported("unsupported with-statement")
        item = stmt.items[0]
        ctx = item.context_expr
        if (
            isinstance(ctx, ast.Call)
            and isinstance(ctx.func, ast.Name)
            and ctx.func.id == "sync_playwright"
        ):
            return  # `with sync_playwright() as playwright: run(playwright)`
        if (
            isinstance(ctx, ast.Call)
            and isinstance(ctx.func, ast.Attribute)
            and ctx.func.attr == "expect_popup"
            and isinstance(ctx.func.value, ast.Name)
            and self._is_page(ctx.func.value.id)
            and isinstance(item.optional_vars, ast.Name)
        ):
            self.popup_infos.add(item.optional_vars.id)
            self._statements(stmt.body)
            return
        raise _Unsupported(f"`with {ast.unparse(ctx)}` is not supported")

    def _assign(self, stmt: ast.Assign) -> None:
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise _Unsupported("unsupported assignment")
        var = stmt.targets[0].id
        value = stmt.value
        # page1 = page1_info.value
        if (
            isinstance(value, ast.Attribute)
            and value.attr == "value"
            and isinstance(value.value, ast.Name)
            and value.value.id in self.popup_infos
        ):
            self.popups.append(var)
            self.current = var
            self._emit({"action": "switch_popup", "name": f"switch to popup {var}"})
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            attr = value.func.attr
            base = value.func.value
            base_name = base.id if isinstance(base, ast.Name) else None
            # browser = playwright.chromium.launch(...) ; context = browser.new_context(...)
            if attr == "launch" or (attr == "new_context" and base_name in self.boilerplate_vars):
                self.boilerplate_vars.add(var)
                for kw in value.keywords:  # browser.new_context(viewport={...}) sizes the test
                    if kw.arg == "viewport":
                        size = _const(kw.value, "viewport")
                        if not isinstance(size, dict) or set(size) != {"width", "height"}:
                            raise _Unsupported("viewport= needs {'width': .., 'height': ..}")
                        self.viewport = size
                return
            if attr == "new_page" and base_name in self.boilerplate_vars:
                if self.main_page is not None:
                    raise _Unsupported("a second new_page() is not supported (use popups)")
                self.main_page = var
                self.current = var
                return
        raise _Unsupported("unsupported assignment")

    def _call(self, call: ast.Call) -> None:
        func = call.func
        # run(playwright) at module level / context.close() / browser.close()
        if isinstance(func, ast.Name) and func.id == "run":
            return
        if (  # time.sleep(n): hand-added waits
            isinstance(func, ast.Attribute) and func.attr == "sleep" and isinstance(func.value, ast.Name)
            and func.value.id == "time" and len(call.args) == 1 and not call.keywords
        ):
            seconds = _const(call.args[0], "sleep time")
            if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
                raise _Unsupported("time.sleep() needs a number of seconds")
            self._emit({"action": "wait_for", "ms": int(seconds * 1000)})
            return
        if not isinstance(func, ast.Attribute):
            raise _Unsupported("unsupported call")
        method = func.attr
        base = func.value
        if isinstance(base, ast.Name) and base.id in self.boilerplate_vars and method == "close":
            return
        if isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name) and func.value.func.id == "expect":
            self._expect(call)
            return
        if isinstance(base, ast.Name) and self._is_page(base.id):
            self._page_call(base.id, method, call)
            return
        if (
            isinstance(base, ast.Attribute)
            and base.attr in ("keyboard", "mouse")
            and isinstance(base.value, ast.Name)
            and self._is_page(base.value.id)
        ):
            self._keyboard(base.value.id, base.attr, method, call)
            return
        page, loc = self._locator(base)
        self._action(page, loc, method, call)

    def _page_call(self, page: str, method: str, call: ast.Call) -> None:
        args = call.args
        if method == "goto":
            url = _const(args[0], "url") if len(args) == 1 else None
            if not isinstance(url, str):
                raise _Unsupported("goto() needs one URL string")
            step: dict[str, Any] = {"action": "goto", "url": url}
            kw = _kwargs(call, {"wait_until", "timeout"})
            if "wait_until" in kw:
                step["wait_until"] = _const(kw["wait_until"])
            if "timeout" in kw:
                step["timeout_ms"] = int(_const(kw["timeout"]))
            self._on_page(page, step)
        elif method in ("go_back", "go_forward", "reload"):
            _kwargs(call, set())
            self._on_page(page, {"action": method})
        elif method == "close":
            _kwargs(call, set())
            self._on_page(page, {"action": "close"})
            self.closed.add(page)
            self.current = None  # the next statement re-selects its page explicitly
        elif method in ("once", "on") and len(args) == 2 and _const(args[0], "event") == "dialog":
            self._on_page(page, self._dialog(args[1]))
        elif method == "wait_for_url":
            url = _const(args[0], "url") if len(args) == 1 else None
            if not isinstance(url, str):
                raise _Unsupported("wait_for_url() needs a URL string")
            self._on_page(page, {"action": "wait_for", "url": url})
        elif method == "wait_for_load_state":
            state = _const(args[0]) if args else "load"
            self._on_page(page, {"action": "wait_for", "load_state": state})
        elif method == "wait_for_timeout":
            ms = _const(args[0]) if len(args) == 1 else None
            if not isinstance(ms, int | float):
                raise _Unsupported("wait_for_timeout() needs a number")
            self._on_page(page, {"action": "wait_for", "ms": int(ms)})
        elif method == "set_viewport_size":
            size = _const(args[0]) if len(args) == 1 else None
            if not isinstance(size, dict) or set(size) != {"width", "height"}:
                raise _Unsupported("set_viewport_size() needs {'width': .., 'height': ..}")
            self._on_page(page, {"action": "set_viewport", **size})
        else:
            raise _Unsupported(f"page.{method}() is not supported")

    @staticmethod
    def _dialog(handler: ast.AST) -> dict[str, Any]:
        if (
            isinstance(handler, ast.Lambda)
            and len(handler.args.args) == 1
            and isinstance(handler.body, ast.Call)
            and isinstance(handler.body.func, ast.Attribute)
            and isinstance(handler.body.func.value, ast.Name)
            and handler.body.func.value.id == handler.args.args[0].arg
        ):
            verb = handler.body.func.attr
            if verb == "dismiss" and not handler.body.args:
                return {"action": "handle_dialog", "accept": False}
            if verb == "accept":
                step: dict[str, Any] = {"action": "handle_dialog", "accept": True}
                if handler.body.args:
                    text = _const(handler.body.args[0], "prompt text")
                    if not isinstance(text, str):
                        raise _Unsupported("dialog.accept() text must be a string")
                    step["prompt_text"] = text
                return step
        raise _Unsupported("only `lambda dialog: dialog.dismiss()` / `dialog.accept(...)` handlers are supported")

    def _keyboard(self, page: str, device: str, method: str, call: ast.Call) -> None:
        if device != "keyboard":
            raise _Unsupported("page.mouse is not supported")
        key = _const(call.args[0], "key") if len(call.args) == 1 else None
        if not isinstance(key, str):
            raise _Unsupported(f"keyboard.{method}() needs one string")
        _kwargs(call, set())
        actions = {"press": "press", "down": "key_down", "up": "key_up"}
        if method not in actions:
            raise _Unsupported(f"keyboard.{method}() is not supported")
        self._on_page(page, {"action": actions[method], "key": key})

    def _action(self, page: str, loc: dict[str, Any], method: str, call: ast.Call) -> None:
        args = call.args
        step: dict[str, Any] = {"target": [loc]}
        timeout_kw = {"timeout"}

        def one_str(what: str) -> str:
            value = _const(args[0], what) if len(args) == 1 else None
            if not isinstance(value, str):
                raise _Unsupported(f"{method}() needs one string")
            return value

        if method == "click":
            kw = _kwargs(call, timeout_kw | {"button", "modifiers", "position", "force"})
            step["action"] = "click"
            for key in ("button", "modifiers", "position", "force"):
                if key in kw:
                    step[key] = _const(kw[key], key)
        elif method == "dblclick":
            kw = _kwargs(call, timeout_kw | {"position"})
            step["action"] = "dblclick"
            if "position" in kw:
                step["position"] = _const(kw["position"], "position")
        elif method in ("hover", "check", "uncheck"):
            kw = _kwargs(call, timeout_kw)
            step["action"] = method
        elif method == "fill":
            kw = _kwargs(call, timeout_kw)
            step.update(action="fill", value=one_str("value"))
        elif method in ("type", "press_sequentially"):
            kw = _kwargs(call, timeout_kw | {"delay"})
            step.update(action="type", text=one_str("text"))
            if "delay" in kw:
                step["delay_ms"] = int(_const(kw["delay"]))
        elif method == "press":
            kw = _kwargs(call, timeout_kw)
            step.update(action="press", key=one_str("key"))
        elif method == "select_option":
            kw = _kwargs(call, timeout_kw | {"value", "label"})
            step["action"] = "select_option"
            values: list[str] = []
            labels: list[str] = []
            if args:
                raw = _const(args[0], "option")
                values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
                if not values or not all(isinstance(v, str) for v in values):
                    raise _Unsupported("select_option() needs a string or a list of strings")
            for key, bucket in (("value", values), ("label", labels)):
                if key in kw:
                    raw = _const(kw[key], key)
                    items = [raw] if isinstance(raw, str) else raw
                    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                        raise _Unsupported(f"select_option({key}=) needs strings")
                    bucket.extend(items)
            step["values"], step["labels"] = values, labels
        elif method == "set_input_files":
            kw = _kwargs(call, timeout_kw)
            raw = _const(args[0], "files") if len(args) == 1 else None
            files = [raw] if isinstance(raw, str) else raw
            if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
                raise _Unsupported("set_input_files() needs a path or a list of paths")
            step.update(action="upload", files=files)
        else:
            raise _Unsupported(f"locator action .{method}() is not supported")
        if "timeout" in kw:
            step["timeout_ms"] = int(_const(kw["timeout"], "timeout"))
        self._on_page(page, step)

    def _expect(self, call: ast.Call) -> None:
        assert isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call)
        subject_call = call.func.value
        if len(subject_call.args) != 1 or subject_call.keywords:
            raise _Unsupported("expect() needs exactly one argument")
        subject = subject_call.args[0]
        matcher = call.func.attr
        negated = matcher.startswith("not_")
        if negated:
            matcher = matcher[len("not_") :]
        kw = _kwargs(call, {"timeout", "checked", "enabled", "use_inner_text", "ignore_case"})
        if "ignore_case" in kw:
            raise _Unsupported("ignore_case= is not supported")
        args = call.args
        step: dict[str, Any]

        if isinstance(subject, ast.Name) and self._is_page(subject.id):
            page = subject.id
            if matcher not in ("to_have_url", "to_have_title") or negated or len(args) != 1:
                raise _Unsupported(f"expect(page).{call.func.attr}() is not supported")
            expected, mode = _text_pattern(args[0])
            step = {"action": "assert_url" if matcher == "to_have_url" else "assert_title",
                    "expected": expected, "match": mode}
        else:
            page, loc = self._locator(subject)
            step = {"target": [loc]}
            if matcher in ("to_be_visible", "to_be_hidden"):
                visible = (matcher == "to_be_visible") != negated
                step["action"] = "assert_visible" if visible else "assert_hidden"
            elif matcher in ("to_have_text", "to_contain_text", "to_have_value"):
                if negated or len(args) != 1:
                    raise _Unsupported(f"{call.func.attr}() with these arguments is not supported")
                expected, mode = _text_pattern(args[0])
                if matcher == "to_contain_text" and mode == "exact":
                    mode = "contains"
                step.update(action="assert_value" if matcher == "to_have_value" else "assert_text",
                            expected=expected, match=mode)
            elif matcher == "to_be_checked":
                checked = _const(kw["checked"], "checked") if "checked" in kw else True
                step.update(action="assert_checked", checked=bool(checked) != negated)
            elif matcher in ("to_be_enabled", "to_be_disabled"):
                enabled = (matcher == "to_be_enabled") != negated
                if "enabled" in kw:
                    enabled = bool(_const(kw["enabled"], "enabled")) != negated
                step.update(action="assert_enabled", enabled=enabled)
            elif matcher == "to_have_count":
                count = _const(args[0], "count") if len(args) == 1 else None
                if negated or not isinstance(count, int) or isinstance(count, bool):
                    raise _Unsupported("to_have_count() needs an integer")
                step.update(action="assert_count", expected=count, operator="==")
            elif matcher == "to_have_attribute":
                if negated or len(args) != 2:
                    raise _Unsupported("to_have_attribute() needs a name and a value")
                attr = _const(args[0], "attribute")
                expected, mode = _text_pattern(args[1])
                step.update(action="assert_attribute", attribute=attr, expected=expected, match=mode)
            else:
                raise _Unsupported(f"expect().{call.func.attr}() is not supported")
        if "timeout" in kw:
            step["timeout_ms"] = int(_const(kw["timeout"], "timeout"))
        self._on_page(page, step)


def _short(stmt: ast.stmt) -> str:
    text = ast.unparse(stmt).splitlines()[0] if not isinstance(stmt, ast.With) else f"with {ast.unparse(stmt.items[0].context_expr)}:"
    return text if len(text) <= 120 else text[:117] + "..."


def parse_codegen(source: str, name: str, filename: str | None = None) -> TestDefinition:
    """Parse the text of a codegen script. Raises FormatError listing every unsupported line."""
    try:
        tree = ast.parse(source, filename=filename or "<codegen>")
    except SyntaxError as exc:
        column = f", column {exc.offset}" if exc.offset else ""
        raise FormatError(filename, [f"line {exc.lineno}{column}: Python syntax error: {exc.msg}"]) from None
    parser = _Parser()
    parser.parse_module(tree)
    problems = list(parser.problems)
    if parser.main_page is None and not problems:
        problems.append("no page found: expected `page = context.new_page()` or `def test_...(page)`")
    if not parser.steps and not problems:
        problems.append("no steps found")
    if problems:
        raise FormatError(filename, problems)
    raw: dict[str, Any] = {
        "name": name,
        "description": "Imported from a Playwright codegen script",
        "tags": ["codegen"],
        "steps": parser.steps,
    }
    if parser.viewport:
        raw["viewport"] = parser.viewport
    try:
        return TestDefinition.model_validate(raw)
    except ValidationError as exc:
        located: list[str] = []
        for err in exc.errors():
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
                line = parser.steps[loc[1]].get("source_line")
                field = ".".join(str(p) for p in loc[3:])
                located.append(f"line {line}: {field + ': ' if field else ''}{err['msg']}")
            else:
                located.append(f"{'.'.join(str(p) for p in loc)}: {err['msg']}")
        raise FormatError(filename, located) from None


def load_codegen(path: str | Path) -> TestDefinition:
    path = Path(path)
    return parse_codegen(path.read_text(encoding="utf-8"), name=path.stem, filename=str(path))
