"""Debian's Chromium through Playwright: the session's browser, what a failed browser test
leaves to look at, screenshots, and signing in as a person does. Loaded by conftest.py."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.factories import Factory
from tests.support.live import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
FAILURES = ROOT / "test-results" / "failures"
CONTEXTS_BEFORE = pytest.StashKey[set]()
PHONE = {"width": 360, "height": 800}
DESK = {"width": 1280, "height": 900}
DEADLINE = 10_000  # ms: generous; "within a second" is measured in bench/, not asserted


def sign_in_page(page, base_url, email):
    """Sign in through the sign-in page, as a person types it."""
    page.goto(base_url + "/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def open_phone(browser, base_url, email):
    """A 360 px phone signed in as ``email``, its page live (and marked to tell a reload)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    page = context.new_page()
    sign_in_page(page, base_url, email)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    page.evaluate("window.__sameDocument = true")  # lost if the page reloads
    return page


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, keep what each page it opened showed, and where it was, under
    test-results/failures/, to see why without running it again (flakes under load)."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if browser is None:
        return report
    if call.when == "setup":  # the session's browser: contexts of earlier tests may be open
        item.stash[CONTEXTS_BEFORE] = set(browser.contexts)
    elif call.when == "call" and report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-120:]
        before = item.stash.get(CONTEXTS_BEFORE, set())
        pages = [p for c in browser.contexts if c not in before for p in c.pages]
        for number, page in enumerate(pages):
            try:
                page.screenshot(path=str(FAILURES / f"{name}-{number}.png"), full_page=True)
                (FAILURES / f"{name}-{number}.url").write_text(page.url + "\n")
            except Exception as error:  # a closed or hung page must not hide the failure
                (FAILURES / f"{name}-{number}.url").write_text(f"no screenshot: {error}\n")
    return report


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot (of the whole page, or of what the screen shows) under
    test-results/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
