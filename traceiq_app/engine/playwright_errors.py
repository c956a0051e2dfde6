"""Make Playwright exceptions readable: one line, no call log, no stack, plus the reason."""

from __future__ import annotations

import re

# Call-log lines that explain *why* an action kept waiting, best first.
_REASONS = (
    ("intercepts pointer events", None),
    ("element is not visible", "the element is not visible"),
    ("element is not enabled", "the element is disabled"),
    ("element is disabled", "the element is disabled"),
    ("element is not editable", "the element is not editable"),
    ("element is outside of the viewport", "the element is outside of the viewport"),
    ("element is not stable", "the element keeps moving"),
    ("element is not attached", "the element was removed from the page"),
    ("Element is not an <input>", "the element is not an <input>, <textarea> or <select>"),
    ("not a checkbox or radio", "the element is not a checkbox or radio button"),
)


def first_line(exc: BaseException) -> str:
    """The message without Playwright's 'Call log:' section, API prefix and ANSI codes."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    text = text.split("Call log:")[0].strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    # "Locator.click: Timeout 500ms exceeded." -> "Timeout 500ms exceeded."
    return re.sub(r"^[A-Za-z]+\.[A-Za-z_]+: ", "", line).strip()


def reason(exc: BaseException) -> str | None:
    """Why Playwright gave up, in words, from the call log (None when it does not say)."""
    log = str(exc).split("Call log:", 1)[-1] if "Call log:" in str(exc) else str(exc)
    for needle, words in _REASONS:
        for line in reversed(log.splitlines()):
            if needle in line:
                if words is None:  # "<div id=overlay> intercepts pointer events": say which element
                    return line.strip(" -").split(" from ")[0].strip()
                return words
    return None


def is_timeout(exc: BaseException) -> bool:
    return "Timeout" in str(exc).split("\n", 1)[0] and "exceeded" in str(exc).split("\n", 1)[0]


def is_closed(exc: BaseException) -> bool:
    text = first_line(exc)
    return "has been closed" in text or "Target closed" in text or "Target page, context or browser" in text
