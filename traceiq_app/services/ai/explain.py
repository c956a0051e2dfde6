"""Explain a failure: the likely cause from the error, the step, console and network errors
(and, with a model, the page around the failing locator). Offline rules answer the common
cases; with a model (project opted in) its summary comes first and the offline one stays."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from traceiq_app.services.ai.client import LLMClient, LLMError


@dataclass
class Explanation:
    summary: str
    source: str  # "llm" or "offline"
    offline: str
    note: str = ""  # why the model did not answer (not configured, rate limit, timeout...), "" when it did


_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"no element matches (.+?) \(waited", re.S),
     "The element was not on the page: its locator {0} no longer matches (renamed id or class, moved, or "
     "removed), or the page had not reached that state. Self-healing can propose a new locator."),
    (re.compile(r"blocked: .*allowlist|is not in the project's allowlist"),
     "A request left the project's allowlist of hosts; add the host in the project's settings if it is expected."),
    (re.compile(r"expected text (.+?) but found (.+?) in", re.S),
     "The element is there but shows other text: expected {0}, found {1}. The page's copy changed, or the step "
     "ran before the page updated."),
    (re.compile(r"expected URL (.+?) but the page is at (.+)", re.S),
     "The page did not go where expected ({0}); it is at {1}: a redirect, a failed sign-in or a changed route."),
    (re.compile(r"expected title"), "The page title differs from the one expected: the wrong page loaded, or the "
                                    "title changed."),
    (re.compile(r"net::ERR_|connection refused|could not connect", re.I),
     "The browser could not load a page: the site is down or unreachable from the worker."),
    (re.compile(r"timeout|did not finish|waited", re.I),
     "The step timed out: the element stayed hidden, disabled or covered, or the page was slow."),
]


def offline_explanation(error: str, step: dict[str, Any] | None = None, console: list[str] | None = None,
                        network: list[str] | None = None) -> str:
    text = error or ""
    for pattern, template in _RULES:
        match = pattern.search(text)
        if match:
            summary = template.format(*[g.strip()[:200] for g in match.groups()])
            break
    else:
        summary = "The step failed: " + (text.splitlines()[0][:300] if text else "no error message was recorded")
    extra = []
    if network:
        extra.append(f"{len(network)} network error(s), first: {network[0][:200]}")
    if console:
        extra.append(f"{len(console)} console error(s), first: {console[0][:200]}")
    return summary + (" Also: " + "; ".join(extra) + "." if extra else "")


def explain(error: str, step: dict[str, Any] | None = None, console: list[str] | None = None,
            network: list[str] | None = None, dom: str = "", client: LLMClient | None = None) -> Explanation:
    offline = offline_explanation(error, step, console, network)
    if client is None:
        return Explanation(offline, "offline", offline)
    prompt = json.dumps({"error": error[:4000], "step": step, "console_errors": (console or [])[:20],
                         "network_errors": (network or [])[:20], "dom_around_locator": dom[:6000]},
                        ensure_ascii=False)
    try:
        reply = client.chat([
            {"role": "system", "content": "You explain why a browser end-to-end test step failed, in at most 4 "
                                          "sentences, naming the most likely cause and a fix. Answer in JSON: "
                                          '{"summary": "..."}'},
            {"role": "user", "content": prompt}])
        summary = str(json.loads(reply).get("summary") or "").strip()
    except LLMError as exc:
        return Explanation(offline, "offline", offline, f"{exc.message}; this is the offline explanation")
    except (ValueError, AttributeError):
        return Explanation(offline, "offline", offline, "the model's answer was not usable; this is the offline "
                                                        "explanation")
    return Explanation(summary or offline, "llm" if summary else "offline", offline,
                       "" if summary else "the model gave no summary; this is the offline explanation")
