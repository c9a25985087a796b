"""End to end in Chromium: an interpreter translates an update from the queue, and a mother
who reads Haitian Creole sees it on her phone without a reload, the original one tap away."""

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from rounds.extensions import db
from rounds.models import User
from rounds.services.accounts import choose_language
from tests.support.browser import DEADLINE, DESK, open_phone, screenshot, sign_in_page

pytestmark = pytest.mark.browser

ORIGINAL = "Chloe had a calm night on ECMO. Her blood pressure is steady."
KREYOL = "Chloe te pase yon nwit kalm sou ECMO. Tansyon li estab."
PLAN = "Keep Chloe asleep and comfortable."
PLAN_KREYOL = "N ap kenbe Chloe ap dòmi pou li rete alèz."


def in_kreyol(app, msgid: str, **values) -> str:
    """What a Haitian Creole reader sees for ``msgid`` (English until the catalog has it)."""
    with app.test_request_context(), force_locale("ht"):
        return gettext(msgid, **values)


@pytest.fixture
def chloe(live_make, live_app):
    """A unit with an interpreter, Chloe (whose mother reads Haitian Creole) and Leo."""
    unit = live_make.unit("Pediatric ICU (test)")
    scene = type("Scene", (), {})()
    scene.clinician = live_make.person("clinician", (unit,), name="Sam Rivera")
    scene.interpreter = live_make.person("interpreter", (unit,), name="Yusuf Haddad")
    scene.chloe = live_make.patient(unit, "Chloe Joseph", "6")
    scene.leo = live_make.patient(unit, "Leo Lopez", "2")
    scene.marie = live_make.person(name="Marie Joseph")
    scene.maria = live_make.person(name="Maria Lopez")
    with live_app.app_context():
        choose_language(db.session.get(User, scene.marie.id), "ht")
    live_make.grant(scene.marie, scene.chloe)
    live_make.grant(scene.maria, scene.leo)
    live_make.post(scene.clinician, scene.chloe, ORIGINAL, status="serious", plan=PLAN)
    live_make.post(scene.clinician, scene.leo, "Leo is breathing more on his own.")
    return scene


def test_interpreter_translates_and_the_kreyol_phone_shows_it_live(
    browser, live_server, live_app, chloe
):
    base = live_server.url
    marie = open_phone(browser, base, chloe.marie.email)
    maria = open_phone(browser, base, chloe.maria.email)
    latest = marie.locator("#feed .update--full")
    expect(latest).to_contain_text(ORIGINAL)
    waiting = in_kreyol(
        live_app,
        "A translation into %(language)s is on its way. Here is the update as the care team "
        "wrote it.",
        language="Kreyòl ayisyen",
    )
    expect(latest.locator(".update__awaiting")).to_have_text(waiting)
    expect(latest.locator(".update__summary")).to_have_attribute("lang", "en")

    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, base, chloe.interpreter.email)
    desk.get_by_role("link", name="Translations").click()
    row = desk.locator("tr", has_text="Chloe Joseph")
    expect(row).to_contain_text("Haitian Creole")
    expect(row).to_contain_text("English")
    screenshot(desk, "staff-translation-queue-1280")
    row.get_by_role("link", name="Translate").click()
    expect(desk.get_by_role("heading", name="Translate into Haitian Creole")).to_be_visible()
    expect(desk.locator(".translate__original").nth(1)).to_contain_text(ORIGINAL)
    desk.get_by_role("button", name="Send to the family").click()  # nothing typed yet
    expect(desk.locator("#summary-error")).to_contain_text("Translate the summary.")
    desk.get_by_label("Summary in Haitian Creole").fill(KREYOL)
    desk.get_by_label("Today's plan and goals in Haitian Creole").fill(PLAN_KREYOL)
    screenshot(desk, "staff-translate-1280")
    desk.get_by_role("button", name="Send to the family").click()
    expect(desk.locator(".notice--success")).to_have_text("Sent to the family.", timeout=DEADLINE)
    expect(desk.locator("[data-live-census]")).not_to_contain_text("Chloe Joseph")

    expect(latest).to_contain_text(KREYOL, timeout=DEADLINE)
    expect(latest).to_contain_text(PLAN_KREYOL)
    expect(latest.locator(".update__translated")).to_have_text(
        in_kreyol(live_app, "Translated by the care team's interpreter")
    )
    expect(marie.locator("#announcer")).to_have_text(
        in_kreyol(live_app, "An update is now in your language.")
    )
    assert marie.evaluate("window.__sameDocument") is True
    original = latest.locator(".update__original-text")
    expect(original).to_be_hidden()
    latest.locator(".update__original summary").click()
    expect(original).to_be_visible()
    expect(original).to_contain_text(ORIGINAL)
    expect(original).to_have_attribute("lang", "en")
    screenshot(marie, "family-kreyol-translated-360")

    # Maria's phone (another child's mother): nothing of Chloe, before or after.
    expect(maria.locator("#feed")).to_contain_text("breathing more on his own")
    expect(maria.locator("body")).not_to_contain_text("Chloe")
    expect(maria.locator("#announcer")).to_have_text("")
    assert maria.evaluate("window.__sameDocument") is True
