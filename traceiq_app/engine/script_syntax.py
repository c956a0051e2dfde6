"""A quick syntax check of JavaScript in steps (evaluate scripts, wait_for expressions) that the
editor runs as the user types and the server runs on save: unbalanced brackets and unterminated
strings, template literals, comments and regular expressions. It never refuses valid JavaScript
(it knows nothing of the grammar beyond tokens); the browser still reports the rest at run time."""

from __future__ import annotations

PAIRS = {")": "(", "]": "[", "}": "{"}
# After one of these (or at the start) a "/" starts a regular expression, else it divides.
REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^")
REGEX_KEYWORDS = ("return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do",
                  "else", "yield", "await")


def _regex_allowed(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\r\n":
        j -= 1
    if j < 0 or text[j] in REGEX_BEFORE:
        return True
    word_end = j + 1
    while j >= 0 and (text[j].isalnum() or text[j] in "_$"):
        j -= 1
    return text[j + 1:word_end] in REGEX_KEYWORDS


def js_problem(source: str) -> str | None:  # noqa: C901 - one tokenizer loop
    """The first obvious syntax error of `source`, or None."""
    stack: list[tuple[str, int]] = []  # (opening bracket or "`", position); "${" inside templates
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in "'\"":
            start, i = i, i + 1
            while i < n and source[i] != ch:
                if source[i] == "\\":
                    i += 1
                elif source[i] == "\n":
                    return f"unterminated string starting at character {start + 1}"
                i += 1
            if i >= n:
                return f"unterminated string starting at character {start + 1}"
        elif ch == "`" or (ch == "}" and stack and stack[-1][0] == "${"):
            if ch == "}":
                stack.pop()
            start, i = i, i + 1
            while i < n and source[i] != "`":
                if source[i] == "\\":
                    i += 1
                elif source[i] == "$" and i + 1 < n and source[i + 1] == "{":
                    stack.append(("${", i))
                    i += 1
                    break
                i += 1
            else:
                if i >= n:
                    return f"unterminated template literal starting at character {start + 1}"
        elif ch == "/" and i + 1 < n and source[i + 1] == "/":
            while i < n and source[i] != "\n":
                i += 1
        elif ch == "/" and i + 1 < n and source[i + 1] == "*":
            end = source.find("*/", i + 2)
            if end < 0:
                return f"unterminated comment starting at character {i + 1}"
            i = end + 1
        elif ch == "/" and _regex_allowed(source, i):
            start, i, in_class = i, i + 1, False
            while i < n and (source[i] != "/" or in_class):
                if source[i] == "\\":
                    i += 1
                elif source[i] == "[":
                    in_class = True
                elif source[i] == "]":
                    in_class = False
                elif source[i] == "\n":
                    return f"unterminated regular expression starting at character {start + 1}"
                i += 1
            if i >= n:
                return f"unterminated regular expression starting at character {start + 1}"
        elif ch in "([{":
            stack.append((ch, i))
        elif ch in ")]}":
            if not stack or stack[-1][0] != PAIRS[ch]:
                return f"unexpected '{ch}' at character {i + 1}"
            stack.pop()
        i += 1
    if stack:
        opener, at = stack[-1]
        what = "'${' of a template literal" if opener == "${" else f"'{opener}'"
        return f"unclosed {what} opened at character {at + 1}"
    return None
