"""In Chromium: the family's own time zone beside the unit's, relative times that move on
without a reload, and the scripts' words in the reader's language (Arabic, right to left)."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEADLINE, PHONE, screenshot, sign_in_page
from tests.support.catalog import tr

pytestmark = pytest.mark.browser


def phone(browser, base, email, **context):
    page = browser.new_context(viewport=PHONE, is_mobile=True, **context).new_page()
    sign_in_page(page, base, email)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    return page


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def test_a_parent_far_away_sees_their_own_time_beside_the_units(
    browser, live_server, live_make, ward
):
    live_make.place(ward.unit_id, "Miami")
    paris = phone(browser, live_server.url, ward.james.email, timezone_id="Europe/Paris")
    when = paris.locator(".update__meta time").first
    expect(when).to_contain_text("for you", timeout=DEADLINE)
    text = when.inner_text()
    found = re.fullmatch(r"(\d+:\d\d) today in Miami, (\d+:\d\d)(?: on \w+)? for you", text)
    assert found, text
    # Paris is six hours ahead of Miami in November.
    assert (minutes(found.group(2)) - minutes(found.group(1))) % (24 * 60) == 6 * 60
    screenshot(paris, "family-two-time-zones-360")

    at_the_unit = phone(browser, live_server.url, ward.james.email, timezone_id="America/New_York")
    expect(at_the_unit.locator(".update__meta time").first).to_have_text(
        re.compile(r"^\d+:\d\d today$")
    )


def test_relative_times_move_on_in_arabic_without_a_reload(browser, live_server, live_make, ward):
    live_make.speaks(ward.james, "ar")
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.clock.install()
    sign_in_page(page, live_server.url, ward.james.email)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    live = tr("ar", "Live · checked at %(time)s", time="X").replace("X", "")
    expect(page.locator("#connection-text")).to_contain_text(live.strip())
    ago = page.locator(".update__meta .ago").first
    expect(ago).to_have_text(f" ({tr('ar', 'just now')})")
    page.evaluate("window.__sameDocument = true")

    page.clock.fast_forward("05:00")
    count = page.evaluate(
        "() => Math.floor((Date.now() - Date.parse("
        "document.querySelector('.update__meta time').getAttribute('datetime'))) / 60000)"
    )
    assert 3 <= count <= 10  # Arabic's "few" form: 3 to 10
    forms = tr("ar", "%(num)s minute ago")  # a plural entry: all six forms
    expect(ago).to_have_text(f" ({forms[3] % {'num': count}})", timeout=DEADLINE)
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "family-arabic-rtl-360")
