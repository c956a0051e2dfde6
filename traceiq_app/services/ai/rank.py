"""Model-ranked healing candidates: when a project enabled AI, the healer (engine/healing/matcher.py)
may send a near-tie of rapidfuzz candidates to the model, which answers `{"order": [i, ...]}`.
The request has the healer's time budget (no retries): past it, or on any error, the rapidfuzz
order stands. Each request counts against the project's AI rate limit."""

from __future__ import annotations

import json
import uuid
from typing import Any

from traceiq_app.engine.healing import DEFAULT_RANK_BUDGET_MS, Ranker
from traceiq_app.services.ai import access
from traceiq_app.services.ai.client import LLMClient, LLMError

SYSTEM = ("A browser test's locator no longer finds its element. You get the element's fingerprint from the "
          "last passing run and the page's candidate elements now. Pick the element that is the same control "
          "(same purpose), best first. Answer in JSON only: {\"order\": [candidate numbers, best first]}.")
_KEYS = ("tag", "role", "name", "text", "id", "classes", "attrs", "index")


def _compact(fp: dict[str, Any]) -> dict[str, Any]:
    out = {k: fp[k] for k in _KEYS if fp.get(k)}
    if fp.get("path"):
        out["path"] = list(fp["path"])[-4:]
    if isinstance(out.get("text"), str):
        out["text"] = out["text"][:200]
    return out


def parse_order(reply: str, count: int) -> list[int]:
    try:
        data = json.loads(reply)
    except ValueError:
        raise LLMError("bad_response", "the model's ranking is not JSON") from None
    order = data.get("order") if isinstance(data, dict) else data
    if not isinstance(order, list):
        raise LLMError("bad_response", 'the model\'s ranking has no "order" list')
    return [int(i) for i in order if isinstance(i, int | str) and str(i).isdigit() and 0 <= int(i) < count]


def model_ranker(project_id: uuid.UUID, budget_ms: int = DEFAULT_RANK_BUDGET_MS,
                 client: LLMClient | None = None) -> Ranker:
    """The ranker the engine calls (in a thread of its own, with `budget_ms`)."""
    model = client or LLMClient.from_settings()
    # The request may outlive the budget a little (its thread is abandoned, never waited for).
    model.timeout_s, model.retries = min(model.timeout_s, budget_ms / 1000 + 1.0), 0

    def rank(stored: dict[str, Any], candidates: list[dict[str, Any]]) -> list[int]:
        access.require(project_id)
        prompt = json.dumps({"before": _compact(stored),
                             "candidates": {str(i): _compact(fp) for i, fp in enumerate(candidates)}},
                            ensure_ascii=False)
        return parse_order(model.chat([{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]),
                           len(candidates))

    return rank


def ranker_for(project_id: uuid.UUID, budget_ms: int = DEFAULT_RANK_BUDGET_MS) -> Ranker | None:
    """A ranker when this project may use the model now (configured and opted in), else None."""
    if access.status(project_id):
        return None
    try:
        return model_ranker(project_id, budget_ms)
    except LLMError:
        return None
