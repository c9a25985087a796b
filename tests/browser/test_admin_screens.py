"""The admin screens in Chromium at desk width, with screenshots for a person to look at."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot
from tests.support.factories import Factory


@pytest.mark.browser
def test_admin_screens_at_desk_width(browser, live_server, live_make):
    """The staff list, the add-staff form with an error, units, and a filtered audit search."""
    picu = live_make.unit("Pediatric ICU (test)")
    cicu = live_make.unit("Cardiac ICU (test)", timezone="America/Chicago")
    boss = live_make.person("admin", name="Alex Morgan")
    nurse = live_make.person("nurse", (picu,), name="Priya Fictional")
    live_make.person("clinician", (picu, cicu), name="Sam Rivera")
    live_make.person("interpreter", (cicu,), name="Joao Silva")
    child = live_make.patient(picu, "Noah Chen", "1")
    other = live_make.patient(picu, "Leo Lopez", "2")
    dana = live_make.person("clinician", (picu,), name="Dana Lee")
    for summary in ("Steady night.", "Off the ventilator for an hour.", "Eating a little."):
        live_make.post(dana, child, summary)
    live_make.post(dana, other, "Not in the search: another child.")
    live_make.disable(live_make.person("nurse", (cicu,), name="Former Nurse"))

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk.goto(live_server.url + "/signin")
    desk.get_by_label("Email address").fill(boss.email)
    desk.get_by_label("Password").fill(Factory.PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Audit log")

    desk.get_by_role("link", name="Staff", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Staff")
    screenshot(desk, "admin-staff-list-1280")

    desk.get_by_role("link", name="Add a staff account").click()
    desk.get_by_label("Full name").fill("Rosa Example")
    desk.get_by_label("Work email address").fill(nurse.email)
    desk.get_by_label("Role").select_option("nurse")
    desk.get_by_label("First password").fill("short")
    desk.get_by_role("button", name="Add staff account").click()
    expect(desk.locator(".error-summary")).to_be_visible()
    expect(desk.get_by_label("Full name")).to_have_value("Rosa Example")
    expect(desk.locator("#email-error")).to_contain_text("already exists")
    screenshot(desk, "admin-add-staff-error-1280")
    desk.get_by_label("Work email address").fill("rosa.example@example.org")
    desk.get_by_label("Pediatric ICU (test)").check()
    desk.get_by_label("First password").fill("")
    desk.get_by_role("button", name="Add staff account").click()
    expect(desk.locator(".passphrase")).to_be_visible()  # made by Rounds, shown once

    desk.get_by_role("link", name="Priya Fictional").click()
    desk.get_by_label("Cardiac ICU (test)").check()
    desk.get_by_role("button", name="Save role, units and languages").click()
    expect(desk.locator(".notice--success")).to_contain_text("Saved Priya Fictional")
    desk.get_by_role("link", name="Priya Fictional").click()
    desk.get_by_role("button", name="Disable account").click()
    expect(desk.locator(".notice--success")).to_contain_text("signed out everywhere")
    screenshot(desk, "admin-staff-account-1280")

    desk.get_by_role("link", name="Units", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Units")
    screenshot(desk, "admin-units-1280")

    desk.get_by_role("link", name="Audit log", exact=True).click()
    desk.get_by_label("What happened").select_option("post_update")
    desk.get_by_label("Child's number").fill(str(child))
    desk.get_by_label("Dates and times in").select_option("America/New_York")
    desk.get_by_role("button", name="Search the log").click()
    expect(desk.locator(".audit-count")).to_contain_text("Showing 3 events matching the filters")
    screenshot(desk, "admin-audit-search-1280")
