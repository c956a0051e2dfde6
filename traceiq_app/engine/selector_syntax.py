"""Syntax checks for CSS and XPath locators, before a test is saved or run.

Pure and conservative: they refuse only what no browser can ever parse (an unclosed bracket
or string, `#` or `.` without a name, a dangling combinator, an empty predicate...), so every
selector Playwright accepts — its extensions (`:has-text()`, `:visible`, `>>` chains) included —
passes. The contents of `(...)` (pseudo-class arguments) are not checked beyond balance.

Each check returns None or a message that says where: "unclosed '[' opened at character 6".
`is_unparseable_error` recognizes the browser's own parse errors at run time, for locators
stored before these checks existed (a step that can never parse is not worth a retry).
"""

from __future__ import annotations

import re

_OPEN = {"[": "]", "(": ")"}
# ${NAME} variables are filled in at run time: checked as a plain name in their place.
_VARIABLE = re.compile(r"\$\$?\{[A-Za-z_][A-Za-z0-9_]*\}")
_CLOSE = {"]": "[", ")": "("}
_COMBINATORS = ">+~,"
_ATTR = re.compile(
    r"""^\s*(?:[A-Za-z_*-][\w\-.:|]*|\\.)+\s*(?:(?:[~|^$*]?=)\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s"'\]]+)(?:\s+[iIsS])?)?\s*$""",
    re.S,
)


def _ident_start(ch: str) -> bool:
    return ch.isalpha() or ch in "_-\\" or ord(ch) > 127


def _strings_and_brackets(text: str, kind: str) -> tuple[str | None, list[tuple[int, int]]]:
    """Quote and bracket balance. Returns (problem, top-level [..] spans) ."""
    stack: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            end = i + 1
            while end < len(text) and text[end] != ch:
                end += 2 if text[end] == "\\" and kind == "css" else 1
            if end >= len(text):
                return f"unclosed {ch} string starting at character {i + 1}", spans
            i = end + 1
            continue
        if ch == "\\" and kind == "css":
            i += 2
            continue
        if ch in _OPEN:
            stack.append((ch, i))
        elif ch in _CLOSE:
            if not stack or stack[-1][0] != _CLOSE[ch]:
                return f"unexpected '{ch}' at character {i + 1}", spans
            opener, start = stack.pop()
            if opener == "[" and not any(o == "(" for o, _ in stack):
                spans.append((start, i))
        i += 1
    if stack:
        opener, start = stack[-1]
        return f"unclosed '{opener}' opened at character {start + 1}", spans
    return None, spans


def css_problem(selector: str) -> str | None:
    """None when `selector` may be valid CSS (Playwright flavour); else what is wrong."""
    selector = _VARIABLE.sub("v", selector)
    if not selector.strip():
        return "empty CSS selector"
    problem, spans = _strings_and_brackets(selector, "css")
    if problem:
        return problem
    for start, end in spans:
        inner = selector[start + 1:end]
        if not _ATTR.match(inner):
            return f"'[{inner}]' at character {start + 1} is not an attribute test like [name] or [name=\"value\"]"
    # Scan the top level (outside strings, brackets and parentheses) for names and combinators.
    depth, i, quote = 0, 0, ""
    prev = ""  # the last significant top-level character
    for part in re.split(r"\s*>>\s*", selector):
        if not part.strip():
            return "empty part in a '>>' chain"
    while i < len(selector):
        ch = selector[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
            i += 1
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif depth == 0:
            if ch == "\\":
                prev = "x"
                i += 2
                continue
            nxt = selector[i + 1] if i + 1 < len(selector) else ""
            if ch in "#." and not (nxt and _ident_start(nxt)) and not (ch == "." and prev.isdigit()):
                return f"'{ch}' at character {i + 1} must be followed by a name"
            if ch == ":" and not (nxt and (_ident_start(nxt) or nxt == ":")):
                return f"':' at character {i + 1} must be followed by a pseudo-class name"
            if ch in _COMBINATORS and not selector.startswith(">>", i) and not selector.startswith(">>", i - 1):
                if prev in _COMBINATORS or prev == "":
                    return f"'{ch}' at character {i + 1} has no selector before it"
                rest = selector[i + 1:].lstrip()
                if not rest or rest[0] in ",":
                    return f"'{ch}' at character {i + 1} has no selector after it"
        if not ch.isspace():
            prev = ch if depth == 0 or ch in "])" else prev
        i += 1
    return None


def xpath_problem(expression: str) -> str | None:
    """None when `expression` may be valid XPath; else what is wrong."""
    text = _VARIABLE.sub("v", expression).strip()
    if not text:
        return "empty XPath expression"
    problem, _spans = _strings_and_brackets(text, "xpath")
    if problem:
        return problem
    outside = re.sub(r"\"[^\"]*\"|'[^']*'", lambda m: "_" * len(m.group()), text)
    if "///" in outside:
        return f"'///' at character {outside.index('///') + 1}"
    empty = re.search(r"\[\s*\]", outside)
    if empty:
        return f"empty predicate '[]' at character {empty.start() + 1}"
    if len(outside) > 1 and outside.endswith("/"):
        return "ends with '/': a step is missing after it"
    dangling = re.search(r"(?:=|!=|<=|>=|<|>|\band\b|\bor\b|\|)\s*[\])]|[\[(]\s*(?:=|!=|\band\b|\bor\b)", outside)
    if dangling:
        return f"an operator without an operand at character {dangling.start() + 1}"
    return None


_BROWSER_PARSE_ERRORS = (
    "while parsing css selector", "while parsing selector", "is not a valid selector",
    "is not a valid xpath expression",
)


def is_unparseable_error(message: str | None) -> bool:
    """The browser said a selector can never parse (not that nothing matched)."""
    low = (message or "").lower()
    return any(p in low for p in _BROWSER_PARSE_ERRORS)
