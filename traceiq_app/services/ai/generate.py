"""Generate a test from a description and a starting URL.

With a model (client.py): the page's accessibility snapshot and the native step schema go to
the model; its answer must be JSON `{"name", "steps"}` valid against the engine's model —
invalid output is sent back with the problems and retried (MAX_ATTEMPTS in all); a valid test
is dry-run and a failing dry run is sent back once or twice (MAX_REPAIRS). Without a model:
`offline_steps` turns plain sentences ("go to /login", "fill 'alice' into Email", "click Sign
in", "expect 'Welcome'") into steps. Either way the result is only saved as a **draft** test
(tags `draft`, `ai`; name "Draft: ...") for a person to review — never anything invalid.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from traceiq_app.engine.model import TestDefinition
from traceiq_app.services.ai.client import LLMClient
from traceiq_app.services.catalog.test_cases import create_test_case, problems_from_validation

MAX_ATTEMPTS = 3
MAX_REPAIRS = 2
SNAPSHOT_CHARS = 12_000

SCHEMA_HINT = """Native TraceIQ test: {"name": str, "steps": [step, ...]}. Steps (one "action" each):
goto {url}; click {target}; dblclick {target}; hover {target}; fill {target, value}; press {key, target?};
check {target}; uncheck {target}; select_option {target, values: [str]};
assert_visible {target}; assert_hidden {target}; assert_text {target, expected, match: exact|contains|regex};
assert_value {target, expected}; assert_url {expected, match}; assert_title {expected, match};
wait_for {target? | url? | ms?}.
A target is a list of locators, most robust first; each locator has exactly one of:
role (+ name, exact), label, placeholder, test_id, text, alt_text, title, css, xpath.
Prefer role+name, label and test_id over css; never invent ids that the snapshot does not show."""

SYSTEM = ("You write browser end-to-end tests. Answer with one JSON object only, no prose, no code fences.\n"
          + SCHEMA_HINT)

# The page as a list of "role "name"" lines (interactive elements, headings, labels, landmarks).
SNAPSHOT_JS = r"""() => {
  const out = [];
  const norm = s => (s || '').replace(/\s+/g, ' ').trim().slice(0, 80);
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, h1, h2, h3, label, [role], [data-testid]')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const tag = el.tagName.toLowerCase(), type = el.getAttribute('type') || '';
    const role = el.getAttribute('role') || {a: 'link', button: 'button', select: 'combobox', textarea: 'textbox',
      h1: 'heading', h2: 'heading', h3: 'heading', label: 'label'}[tag]
      || (tag === 'input' ? ({checkbox: 'checkbox', radio: 'radio', submit: 'button', button: 'button'}[type] || 'textbox') : tag);
    const name = norm(el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)
      || el.getAttribute('placeholder') || el.value && tag === 'input' && ['submit', 'button'].includes(type) && el.value
      || el.textContent || el.getAttribute('title') || el.getAttribute('alt'));
    const tid = el.getAttribute('data-testid');
    // No template literals: ${...} is the test format's variable syntax.
    out.push(role + ' "' + name + '"' + (tid ? ' [test_id=' + tid + ']' : '') + (el.id ? ' [#' + el.id + ']' : ''));
    if (out.length >= 300) break;
  }
  return out.join('\n');
}"""


@dataclass
class DryRun:
    status: str
    failed_step: int | None = None
    error: str | None = None
    # per step {"step", "action", "status", "error", "screenshot": local path or None}
    steps: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Generation:
    name: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why there is no valid test (empty: valid)
    source: str = "offline"  # "llm" or "offline"
    attempts: int = 0
    dry_run: DryRun | None = None
    test_id: str | None = None  # the saved draft

    @property
    def valid(self) -> bool:
        return bool(self.steps) and not self.problems


def parse_answer(text: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    """(name, steps, problems) from a model's answer."""
    raw = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", raw, re.S)
    if fenced:
        raw = fenced.group(1)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return "", [], [f"the answer is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"]
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        return "", [], ['the answer must be an object {"name": ..., "steps": [...]} with at least one step']
    name = str(data.get("name") or "Generated test")[:200]
    steps = data["steps"]
    try:
        TestDefinition.model_validate({"version": 1, "name": name, "steps": steps})
    except ValidationError as exc:
        return name, steps, [str(p) for p in problems_from_validation(exc, steps)]
    return name, steps, []


def generate_with_model(client: LLMClient, description: str, start_url: str, snapshot: str,
                        dry_run: Callable[[dict[str, Any]], DryRun] | None = None) -> Generation:
    user = (f"Write a test for: {description.strip()}\nStart URL: {start_url}\n"
            f"Accessibility snapshot of the start page:\n{snapshot[:SNAPSHOT_CHARS] or '(empty)'}")
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    result = Generation(source="llm")
    repairs = 0
    while result.attempts < MAX_ATTEMPTS + repairs:
        result.attempts += 1
        reply = client.chat(messages)
        name, steps, problems = parse_answer(reply)
        messages.append({"role": "assistant", "content": reply[:SNAPSHOT_CHARS]})
        if problems:
            result.problems = problems
            messages.append({"role": "user", "content": "That is not a valid test: " + "; ".join(problems[:20])
                             + ". Answer again with the corrected JSON only."})
            continue
        result.name, result.steps, result.problems = name, steps, []
        if dry_run is None:
            return result
        result.dry_run = dry_run({"version": 1, "name": name, "steps": steps})
        if result.dry_run.status == "passed" or repairs >= MAX_REPAIRS:
            return result
        repairs += 1
        where = f"step {result.dry_run.failed_step + 1}" if result.dry_run.failed_step is not None else "the test"
        messages.append({"role": "user", "content": f"A dry run failed at {where}: {result.dry_run.error}. "
                                                    "Fix the steps and answer with the whole corrected JSON."})
    if not result.valid:
        result.problems = [f"the model gave no valid test in {result.attempts} attempts: "
                           + "; ".join(result.problems[:10])]
    return result


_QUOTED = r"['\"“”‘’]"
_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], dict[str, Any]]]] = [
    (re.compile(r"^(?:go to|open|visit|navigate to)\s+(\S+)$", re.I), lambda m: {"action": "goto", "url": m[1]}),
    (re.compile(rf"^(?:fill|type|enter)\s+{_QUOTED}(.+?){_QUOTED}\s+(?:in|into)\s+(?:the\s+)?(.+?)(?:\s+field)?$", re.I),
     lambda m: {"action": "fill", "target": [{"label": _unquote(m[2])}], "value": m[1]}),
    (re.compile(rf"^fill\s+(?:in\s+)?(?:the\s+)?(.+?)(?:\s+field)?\s+with\s+{_QUOTED}(.+?){_QUOTED}$", re.I),
     lambda m: {"action": "fill", "target": [{"label": _unquote(m[1])}], "value": m[2]}),
    (re.compile(r"^(?:check|tick)\s+(?:the\s+)?(.+?)(?:\s+box|\s+checkbox)?$", re.I),
     lambda m: {"action": "check", "target": [{"label": _unquote(m[1])}]}),
    (re.compile(r"^(?:click|press|tap)(?:\s+on)?\s+(?:the\s+)?(.+?)\s+(button|link)$", re.I),
     lambda m: {"action": "click", "target": [{"role": m[2].lower(), "name": _unquote(m[1])}]}),
    (re.compile(r"^(?:click|press|tap)(?:\s+on)?\s+(?:the\s+)?(.+?)$", re.I),
     lambda m: {"action": "click", "target": [{"role": "button", "name": _unquote(m[1])},
                                               {"text": _unquote(m[1])}]}),
    (re.compile(rf"^(?:expect|see|verify|check that|assert)(?:\s+that)?(?:\s+the page)?(?:\s+shows)?\s+{_QUOTED}(.+?){_QUOTED}.*$",
                re.I),
     lambda m: {"action": "assert_visible", "target": [{"text": m[1]}]}),
]


def _unquote(text: str) -> str:
    return text.strip().strip("'\"“”‘’").strip()


def offline_steps(description: str, start_url: str) -> Generation:
    """Plain sentences to steps, deterministically (no model)."""
    result = Generation(source="offline", name="Generated test", attempts=1)
    steps: list[dict[str, Any]] = []
    if start_url:
        steps.append({"action": "goto", "url": start_url})
    sentences = [s.strip(" .") for s in re.split(r"[\n;]+|\.\s+|,?\s+then\s+", description) if s.strip(" .")]
    for sentence in sentences:
        for pattern, build in _PATTERNS:
            match = pattern.match(sentence)
            if match:
                step = build(match)
                if not (step["action"] == "goto" and steps and steps[-1] == step):
                    steps.append(step)
                break
        else:
            result.problems.append(f"could not turn {sentence!r} into a step (try: go to URL, click NAME, "
                                   "fill 'value' into LABEL, check LABEL, expect 'text')")
    if not any(s["action"] != "goto" for s in steps):
        result.problems.append("the description gave no step to take on the page")
    name, _, validation = parse_answer(json.dumps({"name": description.strip()[:80] or "Generated test",
                                                   "steps": steps}))
    result.name, result.steps = name, steps
    result.problems.extend(validation)
    return result


def save_draft(project_id: uuid.UUID, result: Generation, description: str,
               author_id: uuid.UUID | None = None) -> str:
    """Save a valid generation as a draft test; returns its id. Never saves an invalid one."""
    if not result.valid:
        raise ValueError("only a valid generation is saved")
    case = create_test_case(project_id, f"Draft: {result.name}"[:300], result.steps,
                            description=f"Generated ({result.source}) from: {description.strip()}"[:4000],
                            tags=["draft", "ai"], author_id=author_id)
    return str(case.id)
