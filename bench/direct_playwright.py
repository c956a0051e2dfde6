"""Hand-written Playwright (Python, sync) equivalents of bench/flows/*.json — the "no framework"
baseline for bench_exec.py. One browser for the run, a fresh context per flow, like the others.

    python bench/direct_playwright.py BASE_URL FLOW_NAME...   (flow names: a_clicks, b_forms, ...)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

# What Playwright itself runs for headless Chromium is its headless shell; on Debian that is the
# chromium-headless-shell package (the full browser when it is missing).
SYSTEM_CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")
                        if Path(p).exists()), "/usr/bin/chromium")
TIMEOUT = 5000


def a_clicks(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/index.html")
    out = page.locator("#out")
    page.get_by_role("button", name="Test Button").click(position={"x": 20, "y": 8})
    expect(out).to_have_attribute("data-last", "clicked test")
    page.locator("#dbl").dblclick(position={"x": 10, "y": 5})
    expect(out).to_have_attribute("data-last", "double clicked")
    page.locator("#pos").click(position={"x": 17, "y": 9})
    expect(out).to_have_attribute("data-last", "pos 17,9")
    page.locator("#hover").hover()
    expect(out).to_have_attribute("data-last", "hovered")
    page.locator("#later").click(position={"x": 5, "y": 5})
    expect(page.locator("#list > li")).to_have_count(3)


def b_forms(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/index.html")
    name = page.locator("#name")
    name.click(position={"x": 30, "y": 6})
    name.fill("Grace Hopper")
    page.wait_for_function("document.getElementById('name').value === 'Grace Hopper'")
    page.locator("#color").fill("#336699")
    expect(page.locator("#color")).to_have_js_property("value", "#336699")
    page.locator("#check").click(position={"x": 4, "y": 4})
    expect(page.locator("#check")).to_have_js_property("checked", True)
    page.evaluate("window.scrollTo(0, 300)")
    page.wait_for_function("window.scrollY === 300")
    page.locator("#scroller").evaluate("el => { el.scrollLeft = 0; el.scrollTop = 250; }")
    expect(page.locator("#scroller")).to_have_attribute("data-top", "250")


def c_navigation(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/index.html")
    with page.expect_navigation():
        page.get_by_role("link", name="Page 2").click(position={"x": 10, "y": 5})
    expect(page).to_have_title("Page two")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to Page 1").click(position={"x": 10, "y": 5})
    expect(page).to_have_title("Fixture home")
    with page.expect_navigation():
        page.locator("#page2").click(position={"x": 10, "y": 5})
    expect(page).to_have_title("Page two")
    expect(page.locator("h1")).to_have_js_property("textContent", "Second page")
    with page.expect_navigation():
        page.locator("#back").click(position={"x": 10, "y": 5})
    expect(page).to_have_title("Fixture home")
    expect(page.locator("#out")).to_have_js_property("textContent", "ready")


def d_shadow_frame(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/index.html")
    out = page.locator("#out")
    page.locator("#shadow-host").locator("span > #inner").click(position={"x": 10, "y": 5})
    expect(out).to_have_attribute("data-last", "shadow clicked")
    frame = page.main_frame.child_frames[0]
    frame.get_by_role("button", name="iframe button").click(position={"x": 10, "y": 5})
    expect(frame.locator("#r")).to_have_js_property("textContent", "iframe clicked")
    page.locator("#test").click(position={"x": 10, "y": 5})
    expect(out).to_have_attribute("data-last", "clicked test")


FLOWS: dict[str, Callable[[Page, str], None]] = {
    "a_clicks": a_clicks, "b_forms": b_forms, "c_navigation": c_navigation, "d_shadow_frame": d_shadow_frame,
}


def main(argv: list[str]) -> int:
    base, names = argv[0].rstrip("/"), argv[1:]
    failures = 0
    with sync_playwright() as pw:
        executable = None if Path(pw.chromium.executable_path).exists() else SYSTEM_CHROMIUM
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        expect.set_options(timeout=TIMEOUT)
        for name in names:
            started = time.monotonic()
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT)
            status = "passed"
            try:
                FLOWS[name](context.new_page(), base)
            except Exception as exc:  # noqa: BLE001 - report and go on, like a test runner
                status = f"failed: {str(exc).splitlines()[0]}"
                failures += 1
            finally:
                context.close()
            print(f"{name} {status} {int((time.monotonic() - started) * 1000)} ms", flush=True)
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
