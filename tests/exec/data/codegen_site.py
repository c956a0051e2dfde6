import re

from playwright.sync_api import Playwright, expect, sync_playwright


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(headless=False)
    context = browser.new_context()
    page = context.new_page()
    page.goto("http://localhost:8000/index.html")
    page.get_by_role("button", name="Test Button").click()
    expect(page.locator("#out")).to_have_text("clicked test")
    page.get_by_label("Name:").click()
    page.get_by_label("Name:").fill("Ada")
    page.get_by_label("Name:").press("Tab")
    expect(page.get_by_label("Name:")).to_have_value("Ada")
    page.get_by_label("Select").select_option("O2")
    expect(page.locator("#out")).to_contain_text("select=O2")
    page.get_by_label("Agree").check()
    expect(page.get_by_label("Agree")).to_be_checked()
    page.locator("#list li").filter(has_text="beta").click()
    expect(page.locator("#list li")).to_have_count(2)
    page.frame_locator("#frame").get_by_role("button", name="iframe button").click()
    expect(page.frame_locator("#frame").locator("#r")).to_have_text("iframe clicked")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#out")).to_have_text("cancelled")
    with page.expect_popup() as page1_info:
        page.get_by_role("button", name="Open Popup").click()
    page1 = page1_info.value
    page1.get_by_role("button", name="Button in Popup").click()
    expect(page1.locator("#r")).to_have_text("popup clicked")
    page1.close()
    page.get_by_text("Page 2").click()
    expect(page).to_have_url(re.compile(r".*/page2\.html"))
    expect(page).to_have_title("Page two")
    expect(page.get_by_role("heading")).to_be_visible()

    # ---------------------
    context.close()
    browser.close()


with sync_playwright() as playwright:
    run(playwright)
