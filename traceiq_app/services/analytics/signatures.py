"""Failure signatures: one broken login page is one problem, not forty.

signature = hash(step type + locator + error category + message with the variable parts masked:
timestamps, UUIDs, URLs' query strings, quoted values, long hex ids and numbers)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

CATEGORIES = ("assertion", "timeout", "element not found", "navigation", "network", "script error",
              "infrastructure", "other")

# First match wins: the more specific causes come before the generic "timeout".
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("infrastructure", re.compile(r"worker (was )?lost|browser (has been )?closed|target (page, context or browser )?"
                                  r"(has been )?closed|crash|out of memory|no space left|executable doesn't exist|"
                                  r"browser .*not installed|infrastructure", re.I)),
    ("element not found", re.compile(r"not found|no element|resolved to 0 elements|element is not attached|"
                                     r"waiting for (locator|selector|element)|unable to find|strict mode violation",
                                     re.I)),
    ("navigation", re.compile(r"net::err_|navigation|page\.goto|navigating to|ERR_NAME_NOT_RESOLVED|"
                              r"frame was detached", re.I)),
    ("network", re.compile(r"econnrefused|econnreset|network|socket hang up|fetch failed|http (status )?5\d\d|"
                           r"status code 5\d\d|blocked by (the )?allowlist", re.I)),
    ("script error", re.compile(r"referenceerror|typeerror|syntaxerror|rangeerror|uncaught|script error|"
                                r"evaluat(e|ion) failed|javascript", re.I)),
    ("assertion", re.compile(r"expect|assert|expected|to (have|be|contain)|mismatch|should", re.I)),
    ("timeout", re.compile(r"time(d)? ?out|exceeded", re.I)),
]

_MASKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<ts>"),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b"), "<ts>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s?#\"']*)\?[^\s#\"']*", re.I), r"\1?<query>"),
    (re.compile(r"\"[^\"\n]*\""), '"<v>"'),
    (re.compile(r"'[^'\n]*'"), "'<v>'"),
    (re.compile(r"`[^`\n]*`"), "`<v>`"),
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I), "<id>"),
    (re.compile(r"\d+(\.\d+)?"), "<n>"),
]


def category_of(message: str | None) -> str:
    text = message or ""
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return "other"


def mask(message: str | None) -> str:
    """The message with its variable parts replaced by placeholders (first line, 1000 chars)."""
    text = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text)[:1000]


@dataclass(frozen=True)
class Signature:
    key: str
    category: str
    pattern: str
    step: str
    locator: str


def signature_of(message: str | None, step: str | None = None, locator: str | None = None) -> Signature:
    category = category_of(message)
    pattern = mask(message)
    step_s, locator_s = (step or "")[:32], (locator or "")[:500]
    digest = hashlib.sha1("\x1f".join((step_s, locator_s, category, pattern)).encode(), usedforsecurity=False)
    return Signature(digest.hexdigest()[:20], category, pattern, step_s, locator_s)
