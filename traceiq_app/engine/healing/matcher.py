"""Score candidate elements against a stored fingerprint and pick one only when it is clear.

score = weighted mean of: tag, id, classes, visible text, ARIA role, accessible name, key
attributes (each present on either side), ancestor path (LCS of nodes, weighted by id/class
agreement) and position among siblings. A candidate also needs *identity evidence*: one of
text, accessible name, id, test id, name, href, placeholder, label or alt at least
IDENTITY_MIN similar, so a look-alike of another purpose (same classes, same place, other
text) never wins because of its looks. The best must reach `threshold` and beat the
runner-up by `margin`.

With a `ranker` (a language model, when the project enabled AI), a near-tie — two or more of the
top RANK_TOP candidates reaching the threshold within `margin` of the best, which the offline
score alone refuses — is sent to it, and its first pick wins. The offline score still gates: the
model never overrides a clear winner nor picks below the threshold. It has `budget_ms`: on
timeout, error or a useless answer the rapidfuzz order stands (and the tie is refused as before).
`Choice.ranked_by` says which decided, `rank_note` what happened with the model.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from traceiq_app.engine.healing import DEFAULT_MARGIN, DEFAULT_RANK_BUDGET_MS, DEFAULT_THRESHOLD, Ranker

Fingerprint = dict[str, Any]

IDENTITY_MIN = 0.6
RANK_TOP = 5
WEIGHTS = {
    "tag": 1.0, "id": 1.5, "classes": 1.0, "text": 3.0, "role": 0.5, "name": 3.0, "path": 1.5, "index": 0.5,
}
ATTRIBUTE_WEIGHTS = {"data-testid": 3.0, "data-test": 2.0, "data-qa": 2.0, "href": 1.5, "name": 1.5,
                     "placeholder": 1.5, "aria-label": 1.5, "title": 1.0, "alt": 1.5, "type": 1.0, "for": 1.0,
                     "value": 1.0}
_IDENTITY_ATTRS = ("data-testid", "data-test", "data-qa", "name", "href", "placeholder", "aria-label", "alt")


def _ratio(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return fuzz.ratio(a, b) / 100


def _set_similarity(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def _node_similarity(a: str, b: str) -> float:
    """`tag#id.c1.c2` nodes: 0 unless the tags agree, then 0.5 + 0.5 x id/class agreement."""
    ta, _, ra = a.partition(".")
    tb, _, rb = b.partition(".")
    tag_a, _, id_a = ta.partition("#")
    tag_b, _, id_b = tb.partition("#")
    if tag_a != tag_b:
        return 0.0
    parts_a = ([f"#{id_a}"] if id_a else []) + [c for c in ra.split(".") if c]
    parts_b = ([f"#{id_b}"] if id_b else []) + [c for c in rb.split(".") if c]
    return 0.5 + 0.5 * _set_similarity(parts_a, parts_b)


def path_similarity(a: list[str], b: list[str]) -> float:
    """Weighted longest common subsequence of the ancestor paths, over the longer path."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    previous = [0.0] * (len(b) + 1)
    for x in a:
        current = [0.0]
        for j, y in enumerate(b, start=1):
            sim = _node_similarity(x, y)
            best = max(previous[j], current[j - 1])
            if sim > 0:
                best = max(best, previous[j - 1] + sim)
            current.append(best)
        previous = current
    return previous[-1] / max(len(a), len(b))


def score(stored: Fingerprint, candidate: Fingerprint) -> tuple[float, float]:
    """(score 0..1, identity evidence 0..1)."""
    parts: list[tuple[float, float]] = [(WEIGHTS["tag"], 1.0 if stored.get("tag") == candidate.get("tag") else 0.0)]
    sid, cid = stored.get("id") or "", candidate.get("id") or ""
    if sid or cid:
        parts.append((WEIGHTS["id"], _ratio(sid, cid)))
    sc, cc = stored.get("classes") or [], candidate.get("classes") or []
    if sc or cc:
        parts.append((WEIGHTS["classes"], _set_similarity(sc, cc)))
    text = _ratio(stored.get("text") or "", candidate.get("text") or "")
    if stored.get("text") or candidate.get("text"):
        parts.append((WEIGHTS["text"], text))
    name = _ratio(stored.get("name") or "", candidate.get("name") or "")
    if stored.get("name") or candidate.get("name"):
        parts.append((WEIGHTS["name"], name))
    parts.append((WEIGHTS["role"], 1.0 if stored.get("role") == candidate.get("role") else 0.0))
    sa, ca = stored.get("attrs") or {}, candidate.get("attrs") or {}
    identity = [text if stored.get("text") else 0.0, name if stored.get("name") else 0.0]
    if sid:
        identity.append(_ratio(sid, cid))
    for key in sorted(set(sa) | set(ca)):
        sim = _ratio(str(sa.get(key, "")), str(ca.get(key, "")))
        parts.append((ATTRIBUTE_WEIGHTS.get(key, 1.0), sim))
        if key in _IDENTITY_ATTRS and sa.get(key):
            identity.append(sim)
    parts.append((WEIGHTS["path"], path_similarity(stored.get("path") or [], candidate.get("path") or [])))
    distance = abs(int(stored.get("index") or 0) - int(candidate.get("index") or 0))
    parts.append((WEIGHTS["index"], 1.0 / (1 + distance)))
    total = sum(w for w, _ in parts)
    return sum(w * v for w, v in parts) / total, max(identity, default=0.0)


@dataclass
class Choice:
    position: int | None  # the chosen candidate's position (None: refused)
    score: float
    runner_up: float
    candidates: int
    reason: str  # why it was chosen or refused (for messages)
    fingerprint: Fingerprint | None = None
    ranked_by: str = "rapidfuzz"  # "model": a language model's pick decided
    rank_note: str = ""  # what happened with the model (timeout, error, ...), "" when not asked


def ask_ranker(ranker: Ranker, stored: Fingerprint, candidates: list[Fingerprint],
               budget_ms: int) -> tuple[list[int] | None, str]:
    """(the model's order, or None; a note). Never waits longer than `budget_ms`."""
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="heal-rank")
    try:
        order = pool.submit(ranker, stored, candidates).result(timeout=budget_ms / 1000)
    except concurrent.futures.TimeoutError:
        return None, f"the model did not rank within {budget_ms} ms; rapidfuzz order"
    except Exception as exc:  # noqa: BLE001 - any model failure falls back to the offline order
        return None, f"the model could not rank ({str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}); rapidfuzz order"
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    valid = [i for i in (order or []) if isinstance(i, int) and 0 <= i < len(candidates)]
    if not valid:
        return None, "the model's answer named no candidate; rapidfuzz order"
    return valid, f"ranked by the model in {(time.monotonic() - started) * 1000:.0f} ms"


def choose(stored: Fingerprint, candidates: list[tuple[int, Fingerprint]], threshold: float = DEFAULT_THRESHOLD,
           margin: float = DEFAULT_MARGIN, ranker: Ranker | None = None,
           budget_ms: int = DEFAULT_RANK_BUDGET_MS) -> Choice:
    scored: list[tuple[float, int, Fingerprint]] = []
    for position, fp in candidates:
        value, identity = score(stored, fp)
        if identity < IDENTITY_MIN:
            value = min(value, threshold - 0.01) * 0.9  # looks alike but is something else
        scored.append((value, position, fp))
    scored.sort(key=lambda item: -item[0])
    if not scored:
        return Choice(None, 0.0, 0.0, 0, "no visible, enabled element of the same kind on the page")
    note = ""
    # Only a near-tie (what the offline score cannot decide) goes to the model: a clear winner
    # needs no model, and anything below the threshold or the band is never picked.
    tied = [item for item in scored[:RANK_TOP] if item[0] >= threshold and scored[0][0] - item[0] < margin]
    if ranker is not None and len(tied) >= 2:
        order, note = ask_ranker(ranker, stored, [item[2] for item in tied], budget_ms)
        if order is not None:
            pick = tied[order[0]]
            others = max((item[0] for item in scored if item is not pick), default=0.0)
            return Choice(pick[1], pick[0], others, len(scored),
                          f"healed to {_short(pick[2])} (score {pick[0]:.2f}, picked by the model)", pick[2],
                          "model", note)
    choice = _offline(scored, threshold, margin)
    choice.rank_note = note
    return choice


def _offline(scored: list[tuple[float, int, Fingerprint]], threshold: float, margin: float) -> Choice:
    best, position, fp = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    shown = _short(fp)
    if best < threshold:
        return Choice(None, best, runner_up, len(scored),
                      f"the closest element ({shown}) scored {best:.2f}, below the threshold {threshold:.2f}")
    if best - runner_up < margin:
        other = _short(scored[1][2])
        return Choice(None, best, runner_up, len(scored),
                      f"two elements are too close to tell apart ({shown} {best:.2f}, {other} {runner_up:.2f})")
    return Choice(position, best, runner_up, len(scored), f"healed to {shown} (score {best:.2f})", fp)


def _short(fp: Fingerprint) -> str:
    label = fp.get("name") or fp.get("text") or fp.get("id") or ""
    return f"<{fp.get('tag')}> '{str(label)[:40]}'" if label else f"<{fp.get('tag')}>"
