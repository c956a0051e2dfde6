"""Turn a Target (ordered Locator alternatives) into a Playwright Locator.

Fallbacks: all alternatives are checked together, in order, until one matches at least one
element or the step's time is up, so a stale alternative #1 never eats the whole timeout; they
are checked again each time the page changes (waiting.until), not on a polling schedule.
`aria` alternatives (engine/aria.py) come last in each check: they cost CDP round trips.
A single alternative is not waited for at all when `lazy`: the action's own auto-waiting
finds it (one round trip instead of two); only when the action fails does
`Resolved.missing_error` check whether the element was there at all, for the message.
`frame` / `frame_index` paths start at the page's main frame; everything else starts at the
current scope (the main frame, or the frame chosen by `switch_frame`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page
from playwright.sync_api import Locator as PWLocator

from traceiq_app.engine import aria as aria_
from traceiq_app.engine import waiting
from traceiq_app.engine.errors import StepFailed
from traceiq_app.engine.model import Locator
from traceiq_app.engine.playwright_errors import first_line


class _FrameMissing(Exception):
    """A frame_index path does not exist (yet): keep waiting."""


FrameMissing = _FrameMissing


@dataclass
class Resolved:
    all: PWLocator  # every element the winning alternative matches
    alternative: Locator
    index: int  # which alternative won (0-based)
    lazy_ms: float | None = None  # not waited for (single alternative): the budget the action had
    slot: str | None = None  # which of the step's targets this is (engine/healing slot key)
    unchecked: bool = False  # maybe_resolve(check=False): not asked whether Playwright accepts it
    probed: Any = None  # what resolve's `probe` answered for the winning alternative

    def check_usable(self) -> None:
        """After a PlaywrightError from a query on an `unchecked` target: StepFailed("cannot use
        locator ...") when Playwright refuses the locator itself, as maybe_resolve would have said
        up front; otherwise nothing (the error was something else, e.g. a navigation)."""
        if not self.unchecked:
            return
        try:
            self.all.count()
        except PlaywrightError as exc:
            if "closed" in str(exc):
                raise
            raise StepFailed(f"cannot use locator {self.described}: {first_line(exc)}") from None

    def missing_error(self) -> str | None:
        """After the action on a lazily resolved target failed: the message when the reason is
        that nothing matches (or the locator is unusable); None when the element exists."""
        if self.lazy_ms is None:
            return None
        try:
            if self.all.count() > 0:
                return None
        except PlaywrightError as exc:
            return f"cannot use locator {self.described}: {first_line(exc)}"
        return f"no element matches {self.described} (waited {_secs(self.lazy_ms)})"

    @property
    def element(self) -> PWLocator:
        # Several matches: act on the first (set `nth` to choose another), like the Recorder.
        return self.all.first

    @property
    def described(self) -> str:
        return self.alternative.describe()


def build(scope: Page | Frame, main_frame: Frame, loc: Locator, aria: aria_.AriaResolver | None = None) -> PWLocator:
    """The Playwright locator for one alternative (no waiting). `aria` alternatives ask the
    browser's accessibility tree now (see engine/aria.py), so they are rebuilt on every poll."""
    base: Any = scope
    if loc.frame_index is not None:
        base = _frame_by_index(main_frame, loc.frame_index)
    if loc.frame:
        if loc.frame_index is None:
            base = main_frame
        for css in loc.frame:
            base = base.frame_locator(css)
    return _apply(base, loc, main_frame, aria)


def _frame_by_index(main_frame: Frame, path: list[int]) -> Frame:
    frame = main_frame
    for depth, i in enumerate(path):
        children = frame.child_frames
        if i >= len(children):
            raise _FrameMissing(f"frame {path[: depth + 1]} does not exist (found {len(children)} child frames)")
        frame = children[i]
    return frame


def _apply(base: Any, loc: Locator, main_frame: Frame, aria: aria_.AriaResolver | None) -> PWLocator:
    for outer in loc.within or []:
        base = _apply(base, outer, main_frame, aria)
    exact = loc.exact
    if loc.aria is not None:
        try:
            result = aria.locator(base, main_frame.page, loc.aria) if aria else aria_.fallback(base, loc.aria)
        except aria_.AriaQueryError as exc:
            raise StepFailed(str(exc)) from None
    elif loc.css is not None:
        # The css engine (not auto-detection) so "//x" or "text=..." stay CSS; it pierces open shadow roots.
        result = base.locator(f"css={loc.css}")
    elif loc.xpath is not None:
        result = base.locator(f"xpath={loc.xpath}")
    elif loc.text is not None:
        result = base.get_by_text(loc.text, exact=exact)
    elif loc.role is not None:
        result = base.get_by_role(loc.role, name=loc.name, exact=exact if loc.name is not None else None)
    elif loc.label is not None:
        result = base.get_by_label(loc.label, exact=exact)
    elif loc.placeholder is not None:
        result = base.get_by_placeholder(loc.placeholder, exact=exact)
    elif loc.test_id is not None:
        result = base.get_by_test_id(loc.test_id)
    elif loc.alt_text is not None:
        result = base.get_by_alt_text(loc.alt_text, exact=exact)
    else:
        result = base.get_by_title(loc.title, exact=exact)
    if loc.has_text is not None:
        result = result.filter(has_text=loc.has_text)
    if loc.nth is not None:
        result = result.nth(loc.nth)
    return result


# Counts a plain CSS selector in a frame's own (main) world: a number when it decides, -1 when
# it cannot (a selector only Playwright's engine understands, or open shadow roots it would pierce).
_QUICK_COUNT_JS = """(sel) => {
  let n;
  try { n = document.querySelectorAll(sel).length; } catch (e) { return -1; }
  if (n > 0) return n;
  const walk = document.createTreeWalker(document, NodeFilter.SHOW_ELEMENT);
  while (walk.nextNode()) if (walk.currentNode.shadowRoot) return -1;
  return 0;
}"""


def _quick_count(main_frame: Frame, loc: Locator) -> int | None:
    """For a plain CSS alternative behind a frame_index path: how many elements match, read in
    the frame's main world; None when undecided (then Playwright's locator answers).

    Why: a frame_index path usually waits for a frame that appears later, and Playwright's first
    query in a new document sets up its utility world and injected script (50-250 ms seen), so
    the condition would be seen that late. A main-world read costs one plain evaluate (~10 ms).
    A light-DOM match is also a match for Playwright's CSS engine (which adds open shadow roots);
    no match counts as an answer only when the document has no shadow roots."""
    if (loc.frame_index is None or loc.css is None or loc.frame or loc.within or loc.nth is not None
            or loc.has_text is not None):
        return None
    try:
        frame = _frame_by_index(main_frame, loc.frame_index)
        n = frame.evaluate(_QUICK_COUNT_JS, loc.css)
    except PlaywrightError:
        return None  # e.g. the frame's document is being replaced: ask Playwright
    return n if isinstance(n, int) and n >= 0 else None


def _uses_aria(loc: Locator) -> bool:
    return loc.aria is not None or any(_uses_aria(w) for w in loc.within or [])


def resolve(scope: Page | Frame, page: Page, target: list[Locator], timeout_ms: float,
            lazy: bool = False, aria: aria_.AriaResolver | None = None,
            probe: Callable[[PWLocator], Any] | None = None) -> Resolved:
    """Wait until one alternative matches an element; the earliest alternative wins ties.
    lazy: a single alternative is returned at once (see the module docstring).
    probe: with several alternatives, asked instead of count() (one round trip either way):
    it answers something truthy when the locator matches - what the action would ask next
    anyway, e.g. a recorded click's point - falsy when it matches nothing; its answer for the
    winner is kept in Resolved.probed."""
    main_frame = page.main_frame
    if len(target) == 1 and target[0].frame_index is None and not (aria and _uses_aria(target[0])):
        if lazy:
            return Resolved(build(scope, main_frame, target[0]), target[0], 0, lazy_ms=timeout_ms)
        return _resolve_single(scope, page, target[0], timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    problems: dict[int, str] = {}
    won: list[Resolved] = []
    # `aria` alternatives cost browser round trips (accessibility tree): in each check they are
    # tried after the others, which is also how @puppeteer/replay's race usually ends.
    order = sorted(range(len(target)), key=lambda i: aria is not None and _uses_aria(target[i]))

    def any_matches() -> bool:
        for i in order:
            alt = target[i]
            try:
                located = build(scope, main_frame, alt, aria)
                quick = _quick_count(main_frame, alt)
                if quick == 0:
                    problems[i] = "no match"
                    continue
                if quick is None and probe is not None:
                    answer = probe(located)
                    if answer:
                        won.append(Resolved(located, alt, i, probed=answer))
                        return True
                elif (quick is not None and quick > 0) or located.count() > 0:
                    won.append(Resolved(located, alt, i))
                    return True
                problems[i] = "no match"
            except _FrameMissing as exc:
                problems[i] = str(exc)
            except PlaywrightError as exc:
                problems[i] = first_line(exc)
        return False

    # Asked again whenever a watched frame changes (see waiting.py), not on a schedule.
    if waiting.until(page, waiting.frames_for(scope, page, target), any_matches, deadline):
        return won[-1]
    raise StepFailed(_none_matched(target, problems, timeout_ms))


def _resolve_single(scope: Page | Frame, page: Page, alt: Locator, timeout_ms: float) -> Resolved:
    located = build(scope, page.main_frame, alt)
    deadline = time.monotonic() + timeout_ms / 1000
    try:
        found = waiting.until(page, waiting.frames_for(scope, page, [alt]), lambda: located.count() > 0, deadline)
    except PlaywrightError as exc:
        raise StepFailed(f"cannot use locator {alt.describe()}: {first_line(exc)}") from None
    if not found:
        raise StepFailed(f"no element matches {alt.describe()} (waited {_secs(timeout_ms)})")
    return Resolved(located, alt, 0)


def maybe_resolve(scope: Page | Frame, page: Page, target: list[Locator],
                  aria: aria_.AriaResolver | None = None, check: bool = True) -> Resolved:
    """For checks that pass when nothing matches (hidden, count): the first alternative that
    matches right now, else the first alternative, without waiting.
    check=False: a single alternative (no frame_index path) is the answer either way, so it is not
    counted (one round trip less); the caller's own query then tells whether it matches, and
    calls Resolved.check_usable when that query fails."""
    main_frame = page.main_frame
    if not check and len(target) == 1 and target[0].frame_index is None:
        return Resolved(build(scope, main_frame, target[0], aria), target[0], 0, unchecked=True)
    first: Resolved | None = None
    for i, alt in enumerate(target):
        try:
            located = build(scope, main_frame, alt, aria)
            if located.count() > 0:
                return Resolved(located, alt, i)
        except _FrameMissing:
            continue
        except PlaywrightError as exc:
            raise StepFailed(f"cannot use locator {alt.describe()}: {first_line(exc)}") from None
        first = first or Resolved(located, alt, i)
    if first is None:
        raise StepFailed(f"no frame for any of: {describe_target(target)}")
    return first


def describe_target(target: list[Locator]) -> str:
    return " | ".join(alt.describe() for alt in target)


def _none_matched(target: list[Locator], problems: dict[int, str], timeout_ms: float) -> str:
    tried = "; ".join(f"{alt.describe()} ({problems.get(i, 'not tried')})" for i, alt in enumerate(target))
    return f"no element matches any of {len(target)} alternatives within {_secs(timeout_ms)}: {tried}"


def _secs(ms: float) -> str:
    return f"{round(ms / 1000, 1):g} s"
