"""Playwright codegen (Python, sync) scripts are read with `ast` into native steps."""

from __future__ import annotations

from typing import Any

from tests.exec.conftest import DATA
from traceiq_app.engine.importers import load_any
from traceiq_app.engine.importers.playwright_codegen import parse_codegen


def _steps(body: str, *, pytest_style: bool = True) -> list[dict[str, Any]]:
    if pytest_style:
        source = "from playwright.sync_api import Page, expect\n\n\ndef test_x(page: Page) -> None:\n"
    else:
        source = ("from playwright.sync_api import sync_playwright\n\n\ndef run(playwright):\n"
                  "    browser = playwright.chromium.launch()\n    context = browser.new_context()\n"
                  "    page = context.new_page()\n")
    source += "".join(f"    {line}\n" for line in body.strip().splitlines())
    test = parse_codegen(source, name="x")
    return [s.model_dump(exclude_defaults=True, exclude={"source_line"}) for s in test.steps]


def test_it_reads_the_library_target_with_line_numbers() -> None:
    test = load_any(DATA / "codegen_site.py")
    assert test.name == "codegen_site"
    assert test.steps[0].action == "goto" and test.steps[0].source_line == 10
    assert test.steps[1].model_dump(exclude_defaults=True) == {
        "source_line": 11, "action": "click", "target": [{"role": "button", "name": "Test Button"}]}
    actions = [s.action for s in test.steps]
    assert actions.count("switch_popup") == 1 and actions.count("switch_main") == 1
    assert "handle_dialog" in actions


def test_it_maps_every_locator_kind_and_chain() -> None:
    steps = _steps('''
page.get_by_role("button", name="Sign in", exact=True).click()
page.get_by_label("Email").fill("a@b.c")
page.get_by_text("Welcome").click()
page.get_by_placeholder("Search").fill("q")
page.get_by_test_id("save").click()
page.get_by_alt_text("Logo").click()
page.get_by_title("Close").click()
page.locator("#list li").filter(has_text="two").nth(1).click()
page.locator("xpath=//div[@id='x']").first.click()
page.locator("//section").click()
page.locator("#nav").get_by_role("link", name="Home").click()
page.frame_locator("#frame").get_by_text("inner").click()
page.locator("#frame2").content_frame.get_by_test_id("x").click()
''')
    targets = [s["target"][0] for s in steps]
    assert targets == [
        {"role": "button", "name": "Sign in", "exact": True},
        {"label": "Email"},
        {"text": "Welcome"},
        {"placeholder": "Search"},
        {"test_id": "save"},
        {"alt_text": "Logo"},
        {"title": "Close"},
        {"css": "#list li", "has_text": "two", "nth": 1},
        {"xpath": "//div[@id='x']", "nth": 0},
        {"xpath": "//section"},
        {"role": "link", "name": "Home", "within": [{"css": "#nav"}]},
        {"text": "inner", "frame": ["#frame"]},
        {"test_id": "x", "frame": ["#frame2"]},
    ]


def test_it_maps_every_action() -> None:
    steps = _steps('''
page.goto("https://example.test/")
page.locator("#a").click(button="right", modifiers=["Shift"], position={"x": 1, "y": 2})
page.locator("#a").dblclick()
page.locator("#a").fill("v")
page.locator("#a").press("Enter")
page.locator("#a").check()
page.locator("#a").uncheck()
page.locator("#a").select_option("o")
page.locator("#a").select_option(label="Two")
page.locator("#a").hover()
page.locator("#a").set_input_files("f.txt")
page.locator("#a").type("abc")
page.keyboard.press("Escape")
''', pytest_style=False)
    assert [s["action"] for s in steps] == [
        "goto", "click", "dblclick", "fill", "press", "check", "uncheck", "select_option", "select_option",
        "hover", "upload", "type", "press",
    ]
    assert steps[1]["button"] == "right" and steps[1]["modifiers"] == ["Shift"]
    assert steps[1]["position"] == {"x": 1, "y": 2}
    assert steps[7]["values"] == ["o"] and steps[8]["labels"] == ["Two"]
    assert steps[10]["files"] == ["f.txt"]
    assert steps[12] == {"action": "press", "key": "Escape"}


def test_it_maps_every_expect_matcher() -> None:
    steps = _steps('''
expect(page.locator("#a")).to_be_visible()
expect(page.locator("#a")).to_be_hidden()
expect(page.locator("#a")).not_to_be_visible()
expect(page.locator("#a")).to_have_text("Hi")
expect(page.locator("#a")).to_have_text(re.compile("H.*"))
expect(page.locator("#a")).to_contain_text("i")
expect(page.locator("#a")).to_have_value("v")
expect(page.locator("#a")).to_be_checked()
expect(page.locator("#a")).not_to_be_checked()
expect(page).to_have_url("https://example.test/")
expect(page).to_have_title("T")
expect(page.locator("li")).to_have_count(3)
expect(page.locator("#a")).to_be_enabled()
expect(page.locator("#a")).to_be_disabled()
''')
    compact = [(s["action"], s.get("expected"), s.get("match"), s.get("checked"), s.get("enabled")) for s in steps]
    assert compact == [
        ("assert_visible", None, None, None, None),
        ("assert_hidden", None, None, None, None),
        ("assert_hidden", None, None, None, None),
        ("assert_text", "Hi", None, None, None),
        ("assert_text", "H.*", "regex", None, None),
        ("assert_text", "i", "contains", None, None),
        ("assert_value", "v", None, None, None),
        ("assert_checked", None, None, None, None),
        ("assert_checked", None, None, False, None),
        ("assert_url", "https://example.test/", None, None, None),
        ("assert_title", "T", None, None, None),
        ("assert_count", 3, None, None, None),
        ("assert_enabled", None, None, None, None),
        ("assert_enabled", None, None, None, False),
    ]


def test_it_maps_popups_and_dialogs() -> None:
    steps = _steps('''
page.once("dialog", lambda dialog: dialog.dismiss())
page.on("dialog", lambda dialog: dialog.accept("yes"))
with page.expect_popup() as page1_info:
    page.get_by_text("Open").click()
page1 = page1_info.value
page1.get_by_text("In popup").click()
page1.close()
page.get_by_text("Back home").click()
''')
    assert [s["action"] for s in steps] == [
        "handle_dialog", "handle_dialog", "click", "switch_popup", "click", "close", "switch_main", "click"]
    assert steps[0].get("accept") is False
    assert steps[1] == {"action": "handle_dialog", "prompt_text": "yes"}


def test_it_reads_real_world_variants() -> None:
    """Shapes seen in real repositories: `def run(page)`, `def test_x(playwright)` with a sized
    context and hand-added `time.sleep`, popups opened from popups."""
    run_page = parse_codegen(
        "from playwright.sync_api import Page\n\n\ndef run(page: Page):\n\n"
        "    page.goto('https://example.test/')\n"
        "    with page.expect_popup() as page1_info:\n"
        "        page.get_by_role(\n            'button', name='Share').click()\n"
        "    page1 = page1_info.value\n"
        "    with page1.expect_popup() as page2_info:\n"
        "        page1.get_by_role('link', name='Continue').first.click()\n"
        "    page2 = page2_info.value\n"
        "    page2.close()\n",
        name="run_page",
    )
    assert [(s.source_line, s.action) for s in run_page.steps] == [
        (6, "goto"), (8, "click"), (10, "switch_popup"), (12, "click"), (13, "switch_popup"), (14, "close")]
    sized = parse_codegen(
        "import time\nfrom playwright.sync_api import Playwright\n\n\n"
        "def test_sized(playwright: Playwright) -> None:\n"
        "    browser = playwright.chromium.launch(headless=False)\n"
        "    context = browser.new_context(viewport={'width': 1680, 'height': 1050})\n"
        "    page = context.new_page()\n"
        "    page.goto('https://example.test/')\n"
        "    time.sleep(1.5)\n",
        name="sized",
    )
    assert sized.viewport is not None and (sized.viewport.width, sized.viewport.height) == (1680, 1050)
    assert sized.steps[1].model_dump(exclude_defaults=True) == {"source_line": 10, "action": "wait_for", "ms": 1500}
