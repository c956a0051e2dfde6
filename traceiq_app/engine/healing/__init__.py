"""Self-healing locators (pure: no database, no web; the engine and `traceiq exec` use it).

- `fingerprint.py`: the JavaScript that records an element's fingerprint (tag, id, classes,
  text, role and accessible name, key attributes, root-to-element path, sibling position) and
  collects the visible, enabled candidates of a compatible kind when a locator fails.
- `matcher.py`: scores candidates against a stored fingerprint (path LCS + weighted attribute,
  text, role/name and class similarities, rapidfuzz) and accepts only a clear winner.
- `runtime.py`: the browser side of one heal: candidates, choice, a new unique locator.
- `store.py`: the JSON file `traceiq exec --heal-store` keeps.
- `advice.py`: brittle-locator advice for the editor.

The runner records a fingerprint only when the store lacks one for the step (or its locator
changed), so a warm store costs no browser round trip on the fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_THRESHOLD = 0.62
DEFAULT_MARGIN = 0.08
DEFAULT_RANK_BUDGET_MS = 1500

# (stored fingerprint, the top candidates' fingerprints) -> candidate indexes, best first. Given by
# the server when the project lets a language model rank candidates (services/ai/rank.py).
Ranker = Callable[[dict[str, Any], list[dict[str, Any]]], list[int]]


@dataclass
class HealingOptions:
    """How a run records and uses fingerprints. `fingerprints`: slot -> fingerprint from earlier
    passing runs (slot "3" is step index 3's target, "3.1" its second target, e.g. drag_and_drop)."""

    fingerprints: dict[str, dict[str, Any]] = field(default_factory=dict)
    heal: bool = False  # find the element of a failing locator again (else only record)
    apply: bool = True  # go on with the healed element (False: report only, the step fails)
    record: bool = True
    threshold: float = DEFAULT_THRESHOLD
    margin: float = DEFAULT_MARGIN
    heal_timeout_ms: int = 5_000  # budget for the healed attempt of the step
    ranker: Ranker | None = None  # a model that may reorder the top candidates (the score still gates)
    rank_budget_ms: int = DEFAULT_RANK_BUDGET_MS  # past this, the rapidfuzz order stands


def slot_key(step_index: int, nth: int) -> str:
    return str(step_index) if nth == 0 else f"{step_index}.{nth}"
