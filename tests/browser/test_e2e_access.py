"""End to end in Chromium: the access states a nurse and a family meet, with screenshots.

A bedside check before a grandmother sees anything, a guardian asking for a relative abroad,
a restricted child, a re-invitation after a lost phone, and a clinician whose session ran out
while typing. Each screen is saved for a person to look at (staff at 1280 px, family 360 px).
"""

import re

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from playwright.sync_api import expect

from tests.support.browser import DESK, PHONE, screenshot, sign_in_page

pytestmark = pytest.mark.browser


def phone_page(browser):
    return browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True).new_page()


def join_on_phone(phone, link, name, email, passphrase="tea garden sunrise"):  # noqa: S107
    phone.goto(link)
    expect(phone.get_by_label("Your full name")).to_have_value(name)
    phone.get_by_label("Your email address (you sign in with it)").fill(email)
    phone.get_by_label("Choose a passphrase").fill(passphrase)
    phone.get_by_label("Type the passphrase again").fill(passphrase)
    phone.get_by_label("I have read this and want to receive updates").check()
    phone.get_by_role("button", name="Join and see the updates").click()


def test_a_bedside_check_and_a_grandparent_asked_for_by_a_guardian(
    browser, live_server, live_make, ward
):
    base = live_server.url
    nurse = live_make.person("nurse", (ward.unit_id,), name="Priya Shah")
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, base, nurse.email)

    # The nurse invites the grandmother and asks for a bedside check first.
    desk.goto(f"{base}/staff/patients/{ward.noah}/family")
    desk.get_by_label("Family member's full name").nth(0).fill("Grace Chen")
    desk.get_by_label("Relationship to the child").nth(0).select_option("Grandparent")
    desk.get_by_label("Confirm who they are at the bedside before they see updates").check()
    desk.get_by_role("button", name="Make invitation").click()
    link = desk.get_by_role("link", name="the invitation link").get_attribute("href")

    grandmother = phone_page(browser)
    join_on_phone(grandmother, link, "Grace Chen", "grace.chen@example.org")
    expect(grandmother.get_by_role("heading", level=2)).to_contain_text("almost there")
    expect(grandmother.get_by_text("steady night on ECMO")).to_have_count(0)
    screenshot(grandmother, "family-waiting-for-bedside-check-360")

    desk.goto(f"{base}/staff/patients/{ward.noah}/family")
    waiting = desk.locator(".waiting")
    expect(waiting).to_contain_text("Grace Chen")
    screenshot(desk, "staff-access-waiting-1280")
    desk.get_by_role("button", name="Confirm access for Grace Chen").click()
    expect(desk.locator(".notice--success")).to_contain_text("Grace Chen can now see")

    grandmother.reload()  # the waiting page also checks by itself every minute
    expect(grandmother.get_by_role("heading", level=1)).to_have_text("Noah Chen")
    expect(grandmother.get_by_text("steady night on ECMO")).to_be_visible()

    # The father (a guardian) asks for an aunt abroad; the nurse approves; he gets the link.
    father = phone_page(browser)
    sign_in_page(father, base, ward.james.email)
    expect(father.get_by_role("heading", level=1)).to_have_text("Noah Chen")
    screenshot(father, "family-child-page-guardian-360")
    father.get_by_role("link", name="Ask for another relative to follow Noah").click()
    father.get_by_label("Their full name").fill("Lin Chen")
    father.get_by_label("Relationship to the child").select_option("Aunt or uncle")
    father.get_by_label("Anything the nurse should know (optional)").fill(
        "Lives in Taipei; she is Noah's godmother."
    )
    father.get_by_role("button", name="Send to the nurse").click()
    expect(father.locator(".relative-requests")).to_contain_text("waiting for a nurse")
    screenshot(father, "family-ask-for-a-relative-360")

    desk.goto(f"{base}/staff/patients/{ward.noah}/family")
    expect(desk.locator(".waiting")).to_contain_text("Lin Chen")
    desk.get_by_role("button", name="Approve the request for Lin Chen").click()
    expect(desk.locator(".notice--success")).to_contain_text("Approved")

    father.reload()
    father.get_by_role("button", name="Get the invitation to send for Lin Chen").click()
    expect(father.get_by_role("heading", level=1)).to_have_text("Send this to Lin Chen")
    shared = father.get_by_label("Invitation link").input_value()
    screenshot(father, "family-relative-invitation-360")

    aunt = phone_page(browser)
    join_on_phone(aunt, shared, "Lin Chen", "lin.chen@example.org")
    expect(aunt.get_by_role("heading", level=1)).to_have_text("Noah Chen")
    expect(aunt.get_by_text("steady night on ECMO")).to_be_visible()

    # Safeguarding: the nurse restricts Noah; the panel shows it, with the history.
    desk.goto(f"{base}/staff/patients/{ward.noah}/family")
    desk.get_by_text("Restrict access (safeguarding)").click()
    desk.get_by_label("Why (kept in the record; families never see it)").fill(
        "Custody dispute: check with the social worker before adding anyone."
    )
    desk.get_by_role("button", name="Restrict", exact=True).click()
    expect(desk.locator(".restriction")).to_contain_text("Custody dispute")
    expect(desk.locator(".restriction")).to_contain_text("by Priya Shah")
    desk.get_by_text("Access history").click()
    expect(desk.locator(".history__list")).to_contain_text("approved a request")
    screenshot(desk, "staff-access-restricted-with-history-1280")
    expect(aunt.get_by_text("Custody dispute")).to_have_count(0)


def aged_cookie(server, cookie_value, idle_seconds):
    """The session cookie as it would be after ``idle_seconds`` without activity: signed with
    the live server's key, as the server itself signs it."""
    signer_app = Flask(__name__)
    signer_app.secret_key = server.env["SECRET_KEY"]
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer_app)
    session = serializer.loads(cookie_value)
    session["seen"] -= idle_seconds
    session["started"] -= idle_seconds
    return serializer.dumps(session)


def test_a_clinician_whose_session_ran_out_while_typing_loses_nothing(browser, live_server, ward):
    base = live_server.url
    context = browser.new_context(viewport=DESK)
    tablet = context.new_page()
    sign_in_page(tablet, base, ward.clinician.email)
    tablet.goto(f"{base}/staff/patients/{ward.leo}")
    summary = "Leo breathed on his own all morning and smiled at his sister."
    tablet.get_by_label("Improving").check()
    tablet.get_by_label("Summary in plain words").fill(summary)

    # Forty minutes at another bedside: the session runs out before Post is pressed.
    cookie = next(c for c in context.cookies() if c["name"] == "rounds_session")
    context.add_cookies([{**cookie, "value": aged_cookie(live_server, cookie["value"], 40 * 60)}])
    tablet.get_by_role("button", name=re.compile("^Post")).first.click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Please sign in again")
    expect(tablet.locator(".kept-text")).to_contain_text(summary)
    screenshot(tablet, "staff-session-ended-text-kept-1280")

    tablet.get_by_label("Email address").fill(ward.clinician.email)
    tablet.get_by_label("Password").fill("correct horse battery staple")
    tablet.get_by_role("button", name="Sign in").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Save what you typed")
    screenshot(tablet, "staff-session-save-now-1280")
    tablet.get_by_role("button", name="Save now").click()
    expect(tablet.get_by_text(summary)).to_be_visible()
    expect(tablet.get_by_role("heading", level=1)).to_contain_text("Leo Lopez")


def test_a_lost_phone_the_nurse_re_invites_and_the_mother_chooses_a_new_passphrase(
    browser, live_server, live_make, ward
):
    base = live_server.url
    nurse = live_make.person("nurse", (ward.unit_id,), name="Priya Shah")
    lost = phone_page(browser)
    sign_in_page(lost, base, ward.maria.email)
    expect(lost.get_by_role("heading", level=1)).to_have_text("Leo Lopez")

    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, base, nurse.email)
    desk.goto(f"{base}/staff/patients/{ward.leo}/family")
    desk.get_by_text("Lost phone or passphrase").click()
    desk.get_by_role("button", name="New invitation for Maria Lopez").click()
    link = desk.get_by_role("link", name="the invitation link").get_attribute("href")

    found = phone_page(browser)
    found.goto(link)
    expect(found.get_by_role("heading", level=1)).to_have_text("Welcome back, Maria")
    screenshot(found, "family-new-passphrase-360")
    found.get_by_label("Choose a passphrase").fill("lemon tree harbour")
    found.get_by_label("Type the passphrase again").fill("lemon tree harbour")
    found.get_by_role("button", name="Save and see the updates").click()
    expect(found.get_by_role("heading", level=1)).to_have_text("Leo Lopez")

    lost.reload()  # the lost phone is signed out
    expect(lost.get_by_role("heading", level=1)).to_have_text("Sign in to Rounds")

    # Leo goes home: his mother can still read, for a week, and is told so.
    desk.goto(f"{base}/staff/patients/{ward.leo}/discharge")
    desk.get_by_role("button", name=re.compile("Discharge")).last.click()
    found.reload()
    expect(found.locator(".discharged")).to_contain_text("left the intensive care unit")
    expect(found.get_by_text("Ask for another relative")).to_have_count(0)
    screenshot(found, "family-discharged-read-only-360")
