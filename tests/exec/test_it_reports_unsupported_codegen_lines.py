"""A codegen script with code TraceIQ cannot map fails to import, listing EVERY such line."""

from __future__ import annotations

import pytest

from traceiq_app.engine.importers import FormatError, load_any

SCRIPT = '''\
from playwright.sync_api import Page, expect


def test_custom(page: Page) -> None:
    page.goto("https://example.test/")
    name = compute_name()
    page.get_by_role("button", name=name).click()
    page.mouse.click(10, 20)
    for i in range(3):
        page.keyboard.press("Tab")
    page.get_by_text("ok").click()
    expect(page.locator("#a")).to_have_css("color", "red")
'''


def test_it_lists_every_unsupported_line(tmp_path) -> None:
    path = tmp_path / "custom.py"
    path.write_text(SCRIPT)
    with pytest.raises(FormatError) as info:
        load_any(path)
    problems = info.value.problems
    assert [p.split(":")[1].strip() for p in problems] == ["line 6", "line 7", "line 8", "line 9", "line 12"]
    assert problems[0].startswith("custom.py: line 6: unsupported assignment: `name = compute_name()`")
    assert "name= must be a literal" in problems[1] or "must be a literal" in problems[1]
    assert "page.mouse is not supported" in problems[2]
    assert "for i in range(3):" in problems[3]
    assert "to_have_css" in problems[4]


def test_it_reports_a_syntax_error_with_its_line(tmp_path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("def test_x(page):\n    page.goto(\n")
    with pytest.raises(FormatError, match=r"broken.py: line 2, column \d+: Python syntax error"):
        load_any(path)


def test_it_needs_a_page(tmp_path) -> None:
    path = tmp_path / "nothing.py"
    path.write_text("import os\n")
    with pytest.raises(FormatError, match="no page found"):
        load_any(path)


def test_it_refuses_to_guess_which_popup(tmp_path) -> None:
    path = tmp_path / "popups.py"
    path.write_text(
        "def test_x(page):\n"
        "    with page.expect_popup() as p1_info:\n"
        "        page.get_by_text('a').click()\n"
        "    p1 = p1_info.value\n"
        "    with page.expect_popup() as p2_info:\n"
        "        page.get_by_text('b').click()\n"
        "    p2 = p2_info.value\n"
        "    p1.get_by_text('c').click()\n"  # p2 is open and newer: switch_popup would pick p2
        "    p2.close()\n"
        "    p1.get_by_text('d').click()\n"  # fine: p1 is the newest open popup again
    )
    with pytest.raises(FormatError) as info:
        load_any(path)
    assert info.value.problems == [
        "popups.py: line 8: going back to p1 while a newer popup is open is not supported: "
        "`p1.get_by_text('c').click()`"
    ]
