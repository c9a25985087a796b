"""Staff pages when Rounds cannot answer: they say so in words, keep what they show and what
is being typed, and come up to date by themselves (or at the next press) once it can."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEADLINE, DESK, screenshot, sign_in_page
from tests.support.live import HttpUser, restart_server

pytestmark = pytest.mark.browser

TYPED = "Half-typed at the bedside"
UNREACHABLE = (
    "Rounds cannot be reached just now, so the newest history is not shown yet. "
    "What you are typing stays here. Try again in a moment."
)


def changed_elsewhere_while_typing(browser, live_server, ward, live_make):
    """Noah's page at a desk, text typed in the composer, and a colleague's post announced."""
    nurse = live_make.person("nurse", (live_make.get_unit_of(ward.noah),), name="Ada Obi")
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, live_server.url, ward.clinician.email)
    desk.get_by_role("link", name="Noah Chen").click()
    desk.get_by_label("Summary in plain words").fill(TYPED)
    HttpUser(live_server.url, nurse.email).post_update(ward.noah, "Posted by a colleague.")
    expect(desk.locator("#changed-elsewhere")).to_be_visible(timeout=DEADLINE)
    return desk


def test_show_the_newest_history_says_when_rounds_cannot_be_reached(
    browser, live_server, ward, live_make, tmp_path
):
    desk = changed_elsewhere_while_typing(browser, live_server, ward, live_make)
    live_server.stop()
    show = desk.get_by_role("button", name="Show the newest history")
    show.click()
    expect(desk.locator("#history-problem")).to_have_text(UNREACHABLE)
    expect(desk.locator("#history-problem")).to_be_visible()
    expect(desk.locator("#history")).not_to_contain_text("Posted by a colleague.")
    expect(desk.get_by_label("Summary in plain words")).to_have_value(TYPED)
    expect(show).to_be_focused()  # pressing it again is the retry
    screenshot(desk, "staff-patient-history-unreachable-1280")

    server = restart_server(live_server, tmp_path)
    try:
        show.click()
        expect(desk.locator("#history")).to_contain_text("Posted by a colleague.")
        expect(desk.locator("#changed-elsewhere")).to_be_hidden()
        expect(desk.locator("#history-problem")).to_be_hidden()
        expect(desk.get_by_label("Summary in plain words")).to_have_value(TYPED)
    finally:
        server.stop()


def test_show_the_newest_history_says_when_the_clinician_was_signed_out(
    browser, live_server, ward, live_make
):
    desk = changed_elsewhere_while_typing(browser, live_server, ward, live_make)
    desk.context.clear_cookies()  # signed out meanwhile, as far as this browser goes
    desk.get_by_role("button", name="Show the newest history").click()
    expect(desk.locator("#history-problem")).to_have_text(
        "You have been signed out, so the newest history cannot be shown. "
        "Copy what you are typing before you sign in again."
    )
    expect(desk.locator("#history")).not_to_contain_text("Posted by a colleague.")
    expect(desk.get_by_label("Summary in plain words")).to_have_value(TYPED)


def test_the_census_says_when_it_could_not_refresh_and_catches_up_by_itself(
    browser, live_server, ward, live_make
):
    nurse = live_make.person("nurse", (live_make.get_unit_of(ward.leo),), name="Ada Obi")
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, live_server.url, ward.clinician.email)
    expect(desk.get_by_role("heading", level=1)).to_have_text("Unit census")
    census_url = desk.url
    leo_row = desk.locator("tr", has_text="Leo Lopez")
    expect(leo_row).to_contain_text("No update today")
    problem = desk.locator("#live-problem")
    expect(problem).to_be_hidden()

    # The database is away for a moment: Rounds answers the row, and the census, with 503.
    rows = f"{live_server.url}/staff/census/rows?children=*"
    for url in (census_url, rows):
        desk.route(url, lambda route: route.fulfill(status=503, body="Not now"))
    HttpUser(live_server.url, nurse.email).post_update(
        ward.leo, "Leo is breathing more on his own.", status="improving"
    )
    expect(problem).to_be_visible(timeout=DEADLINE)
    expect(problem).to_contain_text("This page could not be brought up to date just now.")
    expect(problem).to_contain_text("Rounds tries again by itself.")
    expect(leo_row).to_contain_text("No update today")  # what it had, still shown
    screenshot(desk, "staff-census-could-not-refresh-1280")

    desk.unroute(census_url)
    desk.unroute(rows)
    expect(leo_row).to_contain_text("Improving", timeout=30_000)  # retried after 5 s, then 10
    expect(problem).to_be_hidden()
