"""End to end in Chromium: a clinician posts, the parent's phone shows it without a reload,
and another child's parent sees nothing of it. Screenshots are saved for people to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEADLINE, DESK, PHONE, open_phone, screenshot, sign_in_page

pytestmark = pytest.mark.browser


def post_from_composer(page, summary, status_label):
    page.get_by_label(status_label).check()
    page.get_by_label("Summary in plain words").fill(summary)
    page.get_by_role("button", name="Post update").click()
    expect(page.locator(".notice--success")).to_contain_text("Update posted", timeout=DEADLINE)


def test_post_correct_retract_reach_the_right_phone_live(browser, live_server, ward):
    base = live_server.url
    james = open_phone(browser, base, ward.james.email)
    maria = open_phone(browser, base, ward.maria.email)
    expect(james.get_by_role("heading", level=1)).to_have_text("Noah Chen")
    screenshot(james, "family-child-360")

    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, base, ward.clinician.email)
    expect(desk.get_by_role("heading", name="Unit census")).to_be_visible()
    screenshot(desk, "staff-census-1280")
    desk.get_by_role("link", name="Noah Chen").click()
    desk.get_by_role("link", name="Copy forward the latest").click()
    expect(desk.get_by_label("Summary in plain words")).to_have_value(re.compile("steady night"))
    desk.get_by_label("Summary in plain words").fill(
        "Noah's lungs look better on the X-ray. We turned the ECMO support down a little."
    )
    desk.get_by_role("button", name="Preview").click()
    expect(desk.get_by_text("Preview: this is what the family will see")).to_be_visible()
    screenshot(desk, "staff-composer-preview-1280")
    desk.get_by_label("Serious but stable").check()
    desk.get_by_role("button", name="Post update").click()
    expect(desk.locator(".notice--success")).to_contain_text("Update posted", timeout=DEADLINE)

    latest = james.locator("#feed .update--full")
    expect(latest).to_contain_text("lungs look better", timeout=DEADLINE)
    expect(latest).to_contain_text("Serious but stable")
    expect(james.locator("#announcer")).to_have_text("A new update from the care team.")
    assert james.evaluate("window.__sameDocument") is True
    screenshot(james, "family-child-new-update-360")

    # Maria's phone: a positive control first (her own child's post arrives), then nothing of Noah.
    desk.goto(f"{base}/staff/patients/{ward.leo}")
    post_from_composer(desk, "Leo is breathing more on his own.", "Improving")
    expect(maria.locator("#feed")).to_contain_text("breathing more on his own", timeout=DEADLINE)
    expect(maria.locator("body")).not_to_contain_text("Noah")
    expect(maria.locator("body")).not_to_contain_text("lungs look better")
    assert maria.evaluate("window.__sameDocument") is True

    # Correct: the family sees it marked as a correction, the earlier text one tap away.
    desk.goto(f"{base}/staff/patients/{ward.noah}")
    desk.locator(".history__item").first.get_by_role("link", name="Correct this update").click()
    desk.get_by_label("Reason").fill("Clearer wording")
    desk.get_by_label("Summary in plain words").fill(
        "Noah's lungs look clearer on today's X-ray. We turned the ECMO support down a little."
    )
    desk.get_by_role("button", name="Post correction").click()
    expect(desk.locator(".notice--success")).to_contain_text("Correction posted")
    expect(latest).to_contain_text("lungs look clearer", timeout=DEADLINE)
    expect(latest.locator(".update__correction")).to_contain_text("Corrected")
    expect(james.locator("#announcer")).to_have_text("The care team corrected an update.")
    latest.get_by_text("See what it said before").click()
    expect(latest.locator(".update__versions")).to_contain_text("lungs look better")
    screenshot(james, "family-child-corrected-360")

    # Retract: gone from the phone at once; the earlier update is the latest again.
    desk.locator(".history__item").first.get_by_role("link", name="Retract").click()
    desk.get_by_label("Reason").fill("Posted to the wrong child")
    desk.get_by_role("button", name="Retract update").click()
    expect(desk.locator(".notice--success")).to_contain_text("retracted")
    expect(james.locator("#feed")).not_to_contain_text("lungs look", timeout=DEADLINE)
    expect(james.locator("#feed .update--full")).to_contain_text("steady night")
    assert james.evaluate("window.__sameDocument") is True
    screenshot(desk, "staff-patient-history-1280")
    expect(maria.locator("body")).not_to_contain_text("Noah")


def test_validation_error_keeps_the_text_and_points_at_the_field(browser, live_server, ward):
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, live_server.url, ward.clinician.email)
    desk.goto(f"{live_server.url}/staff/patients/{ward.noah}")
    desk.get_by_label("Today's plan and goals").fill("Keep him comfortable tonight.")
    desk.get_by_role("button", name="Post update").click()
    expect(desk.locator(".error-summary")).to_contain_text("Choose the overall status.")
    expect(desk.locator(".error-summary")).to_contain_text("Write a short summary")
    expect(desk.get_by_label("Today's plan and goals")).to_have_value(
        "Keep him comfortable tonight."
    )
    screenshot(desk, "staff-composer-errors-1280")


def test_phone_shows_offline_and_catches_up_after_a_restart(browser, live_server, ward, tmp_path):
    from tests.support.live import HttpUser, restart_server

    james = open_phone(browser, live_server.url, ward.james.email)
    live_server.stop()
    expect(james.locator("#connection")).not_to_have_attribute(
        "data-state", "live", timeout=DEADLINE
    )
    expect(james.locator("#connection-text")).to_contain_text("Showing updates as of")
    screenshot(james, "family-child-reconnecting-360")
    server = restart_server(live_server, tmp_path)
    try:
        HttpUser(server.url, ward.clinician.email).post_update(
            ward.noah, "Posted while Noah's dad was offline."
        )
        expect(james.locator("#feed")).to_contain_text(
            "while Noah's dad was offline", timeout=30_000
        )
        expect(james.locator("#connection")).to_have_attribute("data-state", "live", timeout=30_000)
        assert james.evaluate("window.__sameDocument") is True
    finally:
        server.stop()


def test_a_phone_back_after_a_restart_gets_what_it_missed_on_its_socket(
    browser, live_server, ward, live_make, tmp_path
):
    from tests.support.live import restart_server

    james = open_phone(browser, live_server.url, ward.james.email)
    fetches = []
    james.on("request", lambda r: fetches.append(r.url) if "/events.json" in r.url else None)
    live_server.stop()
    expect(james.locator("#connection")).not_to_have_attribute(
        "data-state", "live", timeout=DEADLINE
    )
    live_make.post(ward.clinician, ward.noah, "Written while the server was down.")
    server = restart_server(live_server, tmp_path)
    try:
        expect(james.locator("#feed")).to_contain_text(
            "Written while the server was down.", timeout=30_000
        )
        expect(james.locator("#connection")).to_have_attribute("data-state", "live")
        # It came with the reconnect: no second request, and no reload.
        assert fetches == []
        assert james.evaluate("window.__sameDocument") is True
    finally:
        server.stop()


def test_parent_of_two_children_picks_one_on_a_phone(browser, live_server, ward, live_make):
    live_make.grant(ward.maria, ward.noah, guardian=False)
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/signin")
    screenshot(page, "sign-in-360")
    sign_in_page(page, live_server.url, ward.maria.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your children's updates")
    screenshot(page, "family-home-360")
    page.get_by_role("link", name=re.compile("Noah Chen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noah Chen")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)


def test_phone_signed_out_elsewhere_says_so_instead_of_spinning(browser, live_server, ward):
    from tests.support.live import HttpUser

    james = open_phone(browser, live_server.url, ward.james.email)
    other_tab = james.context.new_page()
    other_tab.goto(live_server.url + "/family/")
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab.get_by_role("heading", level=1)).to_have_text("Sign in to Rounds")
    HttpUser(live_server.url, ward.clinician.email).post_update(ward.noah, "After sign-out")
    expect(james.locator("#signed-out")).to_be_visible(timeout=DEADLINE)
    expect(james.locator("#connection-text")).to_have_text("Signed out")
    expect(james.locator("#feed")).not_to_contain_text("After sign-out")
    screenshot(james, "family-child-signed-out-360")


def test_census_and_child_page_follow_what_colleagues_post(browser, live_server, ward, live_make):
    from tests.support.live import HttpUser

    unit_nurse = live_make.person("nurse", (live_make.get_unit_of(ward.noah),), name="Ada Obi")
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, live_server.url, ward.clinician.email)
    leo_row = desk.locator("tr", has_text="Leo Lopez")
    expect(leo_row).to_contain_text("No update today")
    desk.evaluate("window.__sameDocument = true")
    colleague = HttpUser(live_server.url, unit_nurse.email)
    # Posted at once: if the socket is still connecting, its catch-up on connect brings it.
    colleague.post_update(ward.leo, "Leo is breathing more on his own.", status="improving")
    expect(leo_row).to_contain_text("Improving", timeout=DEADLINE)
    expect(leo_row).not_to_contain_text("No update today")
    assert desk.evaluate("window.__sameDocument") is True
    screenshot(desk, "staff-census-live-1280")

    desk.get_by_role("link", name="Noah Chen").click()
    desk.get_by_label("Summary in plain words").fill("Half-typed at the bedside")
    colleague.post_update(ward.noah, "Posted by a colleague meanwhile.")
    expect(desk.locator("#changed-elsewhere")).to_be_visible(timeout=DEADLINE)
    expect(desk.get_by_label("Summary in plain words")).to_have_value("Half-typed at the bedside")
    screenshot(desk, "staff-patient-changed-elsewhere-1280")
    desk.get_by_role("button", name="Show the newest history").click()
    expect(desk.locator("#history")).to_contain_text("Posted by a colleague meanwhile.")
    expect(desk.locator("#changed-elsewhere")).to_be_hidden()
    expect(desk.get_by_label("Summary in plain words")).to_have_value("Half-typed at the bedside")


def test_a_nurse_invites_at_the_bedside_and_revokes_live(browser, live_server, live_make, ward):
    """The issue's bedside story: QR card, the grandmother joins on her phone and reads the
    update, the nurse removes her access and her open page is cut off without a reload."""
    base = live_server.url
    unit_nurse = live_make.person("nurse", (ward.unit_id,), name="Priya Shah")
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, base, unit_nurse.email)
    desk.goto(f"{base}/staff/patients/{ward.noah}/family")
    desk.get_by_label("Family member's full name").nth(0).fill("Grace Chen")
    desk.get_by_label("Relationship to the child").nth(0).select_option("Grandparent")
    desk.get_by_label("Their preferred language").select_option("en")
    desk.get_by_role("button", name="Make invitation").click()
    card = desk.locator(".invitation-card")
    expect(card).to_contain_text("Grace Chen")
    expect(card.locator("svg")).to_be_visible()
    screenshot(desk, "staff-invitation-card-1280")
    link = card.get_by_role("link", name="the invitation link").get_attribute("href")

    phone = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True).new_page()
    phone.goto(link)
    expect(phone).to_have_url(f"{base}/join/")  # the token is gone from the address bar
    expect(phone.get_by_role("heading", level=1)).to_have_text("Follow Noah Chen's updates")
    expect(phone.get_by_label("Your full name")).to_have_value("Grace Chen")
    screenshot(phone, "join-welcome-360")
    phone.get_by_label("Your email address (you sign in with it)").fill("grace.chen@example.org")
    phone.get_by_label("Choose a passphrase").fill("tea garden sunrise")
    phone.get_by_label("Type the passphrase again").fill("tea garden sunrise")
    phone.get_by_label("I have read this and want to receive updates").check()
    phone.get_by_role("button", name="Join and see the updates").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Noah Chen")
    expect(phone.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    expect(phone.get_by_text("steady night on ECMO")).to_be_visible()
    phone.evaluate("window.__sameDocument = true")
    screenshot(phone, "join-child-page-360")

    # The same link a second time, on another phone: used up, and it says what to do.
    other = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True).new_page()
    other.goto(link)
    expect(other.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
    screenshot(other, "join-used-link-360")
    other.get_by_role("link", name="Type a code from an invitation card").click()
    other.get_by_label("Invitation code").fill("abcd 2345")
    other.get_by_role("button", name="Continue").click()
    expect(other.locator(".field__error")).to_contain_text("This code does not work")
    screenshot(other, "join-wrong-code-360")

    desk.goto(f"{base}/staff/patients/{ward.noah}/family")
    expect(desk.get_by_role("cell", name=re.compile("^Grace Chen"))).to_be_visible()
    screenshot(desk, "staff-access-panel-1280")
    desk.get_by_role("button", name="Remove access for Grace Chen").click()
    expect(desk.locator(".notice--success")).to_contain_text("no longer has access")
    expect(phone.locator("#connection")).to_have_attribute(
        "data-state", "offline", timeout=DEADLINE
    )
    expect(phone.get_by_text("steady night on ECMO")).to_be_hidden()
    assert phone.evaluate("window.__sameDocument") is True  # cut off live, not by a reload
    screenshot(phone, "join-access-ended-360")
