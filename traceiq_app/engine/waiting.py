"""Event-driven waiting: a step that waits for something to change reacts within a frame.

Playwright's own retries poll on a schedule (expect(): 0, 20, 50, 100, 100, 500, 500 ... ms;
wait_for: the same), so a condition that turns true just after a check is seen up to 500 ms
late. `until(check)` instead asks Playwright once (`check`: one round trip, Playwright's exact
semantics), and while the answer is no, waits for the page to change and asks again:

  1. arm: in every watched frame a small waiter (main world, one per document) is installed if
     needed and its change counter read. The counter goes up on any DOM mutation (a
     MutationObserver on the document and on every open shadow root it finds). For conditions
     on state that no mutation reveals (visibility, JS properties such as `value`), `Watch`
     names what to read from the target's elements; the waiter compares that snapshot once per
     animation frame (requestAnimationFrame, with a 100 ms timer when frames are throttled).
  2. check again (a change between 1 and 2 is seen by 2; one after 2 has moved the counter).
  3. wait: the waiters' promises resolve on the first change after the armed counter (at most
     once per animation frame, so a page that mutates without pause cannot spin the loop);
     Playwright's frame events (attached, navigated, detached) and the page closing also wake
     the wait, and so does a 1 s backstop for changes no observer sees (a shadow root
     attached to an element already in the page). Then check at once (the change that woke
     the wait is usually the awaited one) and, if it still does not hold, go to 1.

An idle wait costs nothing between mutations (DOM-only conditions) or one tiny read per
animation frame (Watch). A waiter left pending when the condition came true elsewhere ends by
itself within the backstop (or at the next arm in its document). The fast path - the condition already holds - is the single `check`.
The frames' waits run concurrently on Playwright's event loop (`_sync` with the async
implementation objects behind the sync API: there is no public way to wait on several frames
at once); this is the only place the engine uses those internals besides Engine.abort.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page
from playwright.sync_api import Locator as PWLocator

from traceiq_app.engine.model import Locator

BACKSTOP_S = 1.0  # wake at least this often, for changes no observer sees
# Timeout for a one-shot expect(): Playwright checks once regardless of the timeout, then
# retries until it runs out. 1 ms made Node warn "TimeoutNegativeWarning" on stderr when the
# driver was preempted between computing and arming its timer; 5 ms keeps that rare and cheap.
ONE_SHOT_MS = 5
_PAGE_EVENTS = ("framenavigated", "frameattached", "framedetached", "close", "crash")
_tokens = itertools.count(1)
# A check that ran while its document was being replaced: not an answer, ask again.
_TRANSIENT = ("Execution context was destroyed", "Cannot find context with specified id")

# Returns the document's waiter, creating it on first use. `t` is the token of one until() call:
# a leftover wait or watch of an earlier call never disturbs a later one.
_WAITER_JS = r"""(() => {
  const KEY = '__traceiqWaiter';
  const old = window[KEY];
  if (old && old.doc === document) return old;
  const w = { doc: document, gen: 0, token: 0, watched: null, reads: [], base: '', pending: null, lastWake: -1e9 };
  const opts = { subtree: true, childList: true, attributes: true, characterData: true };
  const roots = new WeakSet();
  // A frame that loads its document mutates nothing here: its element's load event (caught in
  // the capture phase: it does not bubble) tells that a frame path may now resolve.
  const onLoad = (e) => {
    const tag = e.target && e.target.tagName;
    if (tag !== 'IFRAME' && tag !== 'FRAME') return;
    w.gen++;
    if (w.pending) w.pending.poke();
  };
  const observe = (root) => {
    if (roots.has(root)) return;
    roots.add(root); mo.observe(root, opts); root.addEventListener('load', onLoad, true);
  };
  const scan = (node) => {
    if (node.nodeType !== 1 && node.nodeType !== 11) return;
    const visit = (el) => { if (el.shadowRoot && !roots.has(el.shadowRoot)) { observe(el.shadowRoot); scan(el.shadowRoot); } };
    if (node.nodeType === 1) visit(node);
    for (const el of node.querySelectorAll('*')) visit(el);
  };
  const mo = new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) scan(n);
    w.gen++;
    if (w.pending) w.pending.poke();
  });
  observe(document);
  if (document.documentElement) scan(document.documentElement);
  const read = (el, r) => {
    if (r !== ':visible') { const v = el[r]; return v !== null && typeof v === 'object' ? JSON.stringify(v) : v; }
    if (!el.isConnected) return 'detached';
    const s = getComputedStyle(el), b = el.getBoundingClientRect();
    return [s.display, s.visibility, b.width > 0, b.height > 0, el.checkVisibility ? el.checkVisibility() : 1].join();
  };
  w.snap = () => {
    if (!w.watched) return '';
    const out = [];
    for (const el of w.watched) for (const r of w.reads) { try { out.push(read(el, r)); } catch (e) { out.push('!'); } }
    return JSON.stringify(out);
  };
  w.stop = () => { if (w.pending) w.pending.finish(); };
  w.arm = (t) => { w.stop(); if (w.token !== t) { w.token = t; w.watched = null; } return w.gen; };
  w.watch = (t, els, reads) => { w.token = t; w.watched = els.slice(0, 50); w.reads = reads; w.base = w.snap(); return w.gen; };
  w.wait = (t, gen, ms) => new Promise((resolve) => {
    w.stop();
    const p = {};
    let raf = 0, frameTimer = 0, pokeTimer = 0;
    const endTimer = setTimeout(() => p.finish(), ms);
    p.finish = () => {
      if (w.pending !== p) return;
      w.pending = null;
      cancelAnimationFrame(raf); clearTimeout(frameTimer); clearTimeout(pokeTimer); clearTimeout(endTimer);
      w.lastWake = performance.now();
      resolve(w.gen);
    };
    p.poke = () => {
      const later = w.lastWake + 16 - performance.now();
      if (later <= 0) p.finish(); else if (!pokeTimer) pokeTimer = setTimeout(p.finish, later);
    };
    const tick = () => {
      cancelAnimationFrame(raf); clearTimeout(frameTimer);
      if (w.pending !== p) return;
      if (w.snap() !== w.base) p.poke(); else schedule();
    };
    const schedule = () => { raf = requestAnimationFrame(tick); frameTimer = setTimeout(tick, 100); };
    w.pending = p;
    if (w.gen !== gen) p.poke();
    else if (w.watched && w.token === t) schedule();
  });
  Object.defineProperty(window, KEY, { value: w, configurable: true, enumerable: false, writable: true });
  return w;
})()"""

_ARM_JS = f"t => {_WAITER_JS}.arm(t)"
_WATCH_JS = f"(els, [t, reads]) => {_WAITER_JS}.watch(t, els, reads)"
_WAIT_JS = f"([t, gen, ms]) => {_WAITER_JS}.wait(t, gen, ms)"


@dataclass(frozen=True)
class Watch:
    """State of the target's elements that changes without a DOM mutation, read each frame:
    ":visible" (style and box), or property names ("value", "checked", ...)."""

    locator: PWLocator
    reads: tuple[str, ...]


VISIBILITY = (":visible",)


def frames_for(scope: Page | Frame, page: Page, target: Iterable[Locator] = ()) -> Callable[[], list[Frame]]:
    """The frames whose changes can make a condition on `target` true: the scope's frame, or
    every frame of the page when a locator goes through frames (paths may appear later)."""
    if any(loc.frame or loc.frame_index is not None for loc in target):
        return lambda: [f for f in page.frames if not f.is_detached()]
    frame = scope.main_frame if isinstance(scope, Page) else scope
    return lambda: [frame]


def until(page: Page, frames: Callable[[], list[Frame]], check: Callable[[], bool], deadline: float,
          watch: Watch | None = None) -> bool:
    """True as soon as check() is true; False when it is still false at `deadline`
    (time.monotonic()). check() must answer at once (no waiting of its own); its exceptions
    propagate, except those of a document being replaced (then it is asked again)."""
    if _ask(check):
        return True
    token = next(_tokens)
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or page.is_closed():
            return False
        gens = _arm(page, frames(), watch, token, left)
        if _ask(check):
            return True
        left = deadline - time.monotonic()
        if left <= 0 or page.is_closed():
            return False
        _wait(page, gens, token, left)
        # Ask before arming again: the change that woke us is most often the awaited one.
        if _ask(check):
            return True


def _ask(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except PlaywrightError as exc:
        if any(text in str(exc) for text in _TRANSIENT):
            return False
        raise


def _arm(page: Page, frames: list[Frame], watch: Watch | None, token: int, left: float) -> dict[Frame, int]:
    async def arm() -> list[Any]:
        calls = [f._impl_obj.evaluate(_ARM_JS, token) for f in frames]  # noqa: SLF001
        if watch is not None:
            calls.append(watch.locator._impl_obj.evaluate_all(_WATCH_JS, [token, list(watch.reads)]))  # noqa: SLF001
        tasks = [asyncio.ensure_future(c) for c in calls]
        if not tasks:
            return []
        done, pending = await asyncio.wait(tasks, timeout=min(left, BACKSTOP_S))
        for task in pending:
            task.cancel()
        return [t.result() if t in done and not t.cancelled() and t.exception() is None else None for t in tasks]

    results = page._sync(arm())  # noqa: SLF001
    return {f: gen for f, gen in zip(frames, results, strict=False) if isinstance(gen, int)}


def _wait(page: Page, gens: dict[Frame, int], token: int, left: float) -> None:
    page_impl = page._impl_obj  # noqa: SLF001
    timeout = min(left, BACKSTOP_S)

    async def wait() -> None:
        woke: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_event(*_: Any) -> None:
            if not woke.done():
                woke.set_result(None)

        for event in _PAGE_EVENTS:
            page_impl.on(event, on_event)
        in_page_ms = int(timeout * 1000) + 50
        tasks = [asyncio.ensure_future(f._impl_obj.evaluate(_WAIT_JS, [token, gen, in_page_ms]))  # noqa: SLF001
                 for f, gen in gens.items()]
        try:
            await asyncio.wait([woke, *tasks], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for event in _PAGE_EVENTS:
                page_impl.remove_listener(event, on_event)
            for task in tasks:
                if not task.done():
                    task.cancel()
            if tasks:
                # Collect the cancelled calls (and errors of frames that navigated away).
                await asyncio.wait(tasks, timeout=0.5)
                for task in tasks:
                    if task.done() and not task.cancelled():
                        task.exception()

    page._sync(wait())  # noqa: SLF001
