"""A clinician on a long stay's page: "Show earlier updates" adds the next page of history in
place, and what they are typing in the composer stays; without script it is a plain link."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEADLINE, DESK, screenshot, sign_in_page

pytestmark = pytest.mark.browser


def test_earlier_updates_come_in_place_and_the_composer_keeps_its_text(
    browser, live_server, live_make, ward
):
    for day in range(3, 26):
        live_make.post(ward.clinician, ward.noah, f"ECMO day {day}: a steady day.")
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, live_server.url, ward.clinician.email)
    desk.goto(f"{live_server.url}/staff/patients/{ward.noah}")
    items = desk.locator("#history .history__item")
    expect(items).to_have_count(10)
    expect(items.first).to_contain_text("ECMO day 25")
    desk.get_by_label("Summary in plain words").fill("Half-typed at the bedside")
    desk.evaluate("window.__sameDocument = true")

    desk.get_by_role("link", name="Show earlier updates").click()
    expect(items).to_have_count(20, timeout=DEADLINE)
    expect(items.nth(10)).to_be_focused()  # the first of the new ones, for keyboard users
    expect(items.nth(10)).to_contain_text("ECMO day 15")
    desk.get_by_role("link", name="Show earlier updates").click()
    expect(items).to_have_count(24, timeout=DEADLINE)
    expect(items.last).to_contain_text("steady night on ECMO")  # the stay's first update
    expect(desk.get_by_role("link", name="Show earlier updates")).to_have_count(0)
    expect(desk.get_by_label("Summary in plain words")).to_have_value("Half-typed at the bedside")
    assert desk.evaluate("window.__sameDocument") is True
    screenshot(desk, "staff-history-earlier-1280")

    # Without script the same link opens the next page of the history.
    plain = browser.new_context(viewport=DESK, java_script_enabled=False).new_page()
    sign_in_page(plain, live_server.url, ward.clinician.email)
    plain.goto(f"{live_server.url}/staff/patients/{ward.noah}")
    plain.get_by_role("link", name="Show earlier updates").click()
    expect(plain.get_by_role("heading", name="Earlier updates")).to_be_visible()
    expect(plain.locator("#history .history__item").first).to_contain_text("ECMO day 15")
    plain.context.close()


def test_a_failed_fetch_says_so_and_the_link_still_works(browser, live_server, live_make, ward):
    for day in range(3, 16):
        live_make.post(ward.clinician, ward.noah, f"ECMO day {day}.")
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, live_server.url, ward.clinician.email)
    desk.goto(f"{live_server.url}/staff/patients/{ward.noah}")
    desk.route("**/staff/patients/*?before=*", lambda route: route.abort())
    desk.get_by_role("link", name="Show earlier updates").click()
    expect(desk.locator("[data-history-status]")).to_have_text(
        "Could not load earlier updates. Check the connection and try again.", timeout=DEADLINE
    )
    expect(desk.locator("#history .history__item")).to_have_count(10)
    desk.unroute("**/staff/patients/*?before=*")
    desk.get_by_role("link", name="Show earlier updates").click()
    expect(desk.locator("#history .history__item")).to_have_count(14, timeout=DEADLINE)
