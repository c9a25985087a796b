"""The issue's story, in Chromium: a mother who reads Haitian Creole, far from the unit, is
invited, joins as a new user would, reads today's update in Kreyòl with the interpreter's
translation, taps "ECMO" to learn what it is, and reads the time in her own zone beside the
unit's. Every word she is expected to see is read from the catalogs and the glossary."""

import json
import re

import pytest
from playwright.sync_api import expect

from rounds.glossary import GLOSSARY_PATH
from tests.support.browser import DEADLINE, DESK, PHONE, screenshot, sign_in_page
from tests.support.catalog import tr

pytestmark = pytest.mark.browser
PASSPHRASE = "mango river lantern"  # noqa: S105 - fictional
ORIGINAL = "Chloe had a calm night on ECMO. Her heart is resting and her lungs are healing."
KREYOL = "Chloe te pase yon nwit kalm sou ECMO. Kè l ap repoze epi poumon l ap geri."


def glossary_explanation(term: str, language: str) -> str:
    terms = json.loads(GLOSSARY_PATH.read_text())["terms"]
    return next(entry for entry in terms if entry["id"] == term)[language]["explain"]


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def test_a_kreyol_speaking_mother_far_away_reads_todays_update(browser, live_server, live_make):
    base = live_server.url
    unit = live_make.unit("Pediatric ICU (test)")  # in New York's time zone
    live_make.place(unit, "Miami")
    clinician = live_make.person("clinician", (unit,), name="Sam Rivera")
    nurse = live_make.person("nurse", (unit,), name="Grace Okafor")
    interpreter = live_make.person("interpreter", (unit,), name="Yusuf Haddad")
    chloe = live_make.patient(unit, "Chloe Joseph", "6")
    live_make.post(clinician, chloe, ORIGINAL, status="serious")

    # At the bedside: the nurse invites Chloe's mother, in Haitian Creole.
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, base, nurse.email)
    desk.goto(f"{base}/staff/patients/{chloe}/family")
    desk.get_by_label("Family member's full name").nth(0).fill("Marie Joseph")
    desk.get_by_label("Relationship to the child").nth(0).select_option("Mother")
    desk.get_by_label("Their preferred language").select_option("ht")
    desk.get_by_role("button", name="Make invitation").click()
    card = desk.locator(".invitation-card")
    expect(card).to_contain_text(
        tr("ht", "Follow %(name)s's updates on Rounds", name="Chloe Joseph")
    )
    link = card.locator("a.invitation-card__link").get_attribute("href")

    # Far away, in Paris, with a phone set to French: the invitation speaks Kreyòl.
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, timezone_id="Europe/Paris", locale="fr-FR"
    ).new_page()
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("lang", "ht")
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        tr("ht", "Follow %(name)s's updates", name="Chloe Joseph")
    )
    expect(phone.get_by_label(tr("ht", "Your full name"))).to_have_value("Marie Joseph")
    phone.get_by_label(tr("ht", "Your email address (you sign in with it)")).fill(
        "marie.joseph@example.org"
    )
    phone.get_by_label(tr("ht", "Choose a passphrase")).fill(PASSPHRASE)
    phone.get_by_label(tr("ht", "Type the passphrase again")).fill(PASSPHRASE)
    expect(phone.get_by_label(tr("ht", "Your language"))).to_have_value("ht")
    phone.get_by_label(tr("ht", "I have read this and want to receive updates")).check()
    screenshot(phone, "kreyol-join-360")
    phone.get_by_role("button", name=tr("ht", "Join and see the updates")).click()

    # Her child's page, in Kreyòl: the update as written, and a translation on its way.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Chloe Joseph")
    expect(phone.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    latest = phone.locator("#feed .update--full")
    expect(latest.locator(".update__awaiting")).to_have_text(
        tr(
            "ht",
            "A translation into %(language)s is on its way. Here is the update as the care "
            "team wrote it.",
            language="Kreyòl ayisyen",
        )
    )
    phone.evaluate("window.__sameDocument = true")

    # The interpreter translates it from the queue.
    interpreting = browser.new_context(viewport=DESK).new_page()
    sign_in_page(interpreting, base, interpreter.email)
    interpreting.get_by_role("link", name="Translations").click()
    interpreting.locator("tr", has_text="Chloe Joseph").get_by_role(
        "link", name="Translate"
    ).click()
    interpreting.get_by_label("Summary in Haitian Creole").fill(KREYOL)
    interpreting.get_by_role("button", name="Send to the family").click()
    expect(interpreting.locator(".notice--success")).to_have_text("Sent to the family.")

    # On her phone, without a reload: Kreyòl, labelled, the original one tap away.
    expect(latest.locator(".update__summary").first).to_have_text(KREYOL, timeout=DEADLINE)
    expect(latest.locator(".update__translated")).to_have_text(
        tr("ht", "Translated by the care team's interpreter")
    )
    expect(latest.locator(".update__original summary")).to_have_text(
        tr("ht", "Show the original (%(language)s)", language="English")
    )
    assert phone.evaluate("window.__sameDocument") is True

    # Her own time beside the unit's: Paris is six hours ahead of Miami in November (from
    # 18:00 in Miami it is already the next day in Paris, and her time names that day).
    when = latest.locator(".update__meta time").first
    pattern = tr(
        "ht",
        "%(unit_time)s in %(city)s, %(your_time)s for you",
        unit_time="(.+)",
        city="Miami",
        your_time=r"(?:.* )?(\d+:\d\d)",
    )
    expect(when).to_have_text(re.compile(pattern), timeout=DEADLINE)
    found = re.fullmatch(pattern, when.inner_text())
    unit_clock = re.search(r"\d+:\d\d", found.group(1)).group(0)
    assert (minutes(found.group(2)) - minutes(unit_clock)) % (24 * 60) == 6 * 60
    screenshot(phone, "kreyol-translated-360")

    # She taps "ECMO" and reads what it is, in Kreyòl; Escape closes it and she is back.
    ecmo = latest.locator(".update__summary button.term", has_text="ECMO").first
    ecmo.click()
    dialog = phone.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("ECMO")
    expect(dialog).to_contain_text(glossary_explanation("ecmo", "ht"))
    expect(dialog.get_by_role("button", name=tr("ht", "Close"))).to_be_visible()
    screenshot(phone, "kreyol-ecmo-explained-360")
    phone.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(ecmo).to_be_focused()
