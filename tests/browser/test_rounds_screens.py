"""Every state of the family's rounds panel at 360 px, in English and in Arabic (right to
left), and the staff's queue at 1280 px and child page at 1024 px: shown with the words the
catalogs give, looked at (screenshots), and with no axe violation (WCAG 2.2 AA and best
practice)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.browser import DEADLINE, DESK, PHONE, screenshot, sign_in_page
from tests.support.catalog import tr
from tests.support.factories import morning_zone

pytestmark = pytest.mark.browser
TABLET = {"width": 1024, "height": 768}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
LINK = "https://meet.example.org/rounds-noor"


def words(lang: str, msgid: str, **values) -> str:
    return msgid % values if lang == "en" else tr(lang, msgid, **values)


def no_axe_violations(page, name: str) -> None:
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    results = Axe().run(page, options=AXE_OPTIONS)
    problems = [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]
    assert problems == [], f"{name}: {problems}"


def test_every_family_state_in_english_and_arabic_and_the_staff_screens(
    browser, live_server, live_make
):
    base, make = live_server.url, live_make
    unit = make.unit("Cardiac ICU (screens)", timezone=morning_zone())
    nurse = make.person("nurse", (unit,), name="Grace Okafor")
    clinician = make.person("clinician", (unit,), name="Sam Rivera")
    interpreter = make.person("interpreter", (unit,), name="Yusuf Haddad")
    names = ["Ana Lopes", "Ben Adler", "Cora Diaz", "Noor Haddad", "Sofia Silva"]
    children = [make.patient(unit, name, str(bed)) for bed, name in enumerate(names, start=1)]
    noor = children[3]
    make.post(clinician, noor, "Noor is resting on the ventilator.", status="serious")
    readers = {}
    for lang in ("en", "ar"):
        person = make.person(name=f"Parent {lang.upper()}")
        make.speaks(person, lang)
        make.grant(person, noor)
        make.answer(person, noor, "video")
        make.question(
            person, noor, "متى يمكنني حمله؟" if lang == "ar" else "When can I hold him?", lang
        )
        readers[lang] = person
    pages = {}
    for lang, person in readers.items():
        page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
        sign_in_page(page, base, person.email)
        expect(page.locator("#connection")).to_have_attribute(
            "data-state", "live", timeout=DEADLINE
        )
        pages[lang] = page

    def each_phone(state: str, msgid: str, **values):
        for lang, page in pages.items():
            page.reload()
            said = words(lang, msgid, **values)
            status = page.locator("[data-rounds-status]")
            if "time" in values:  # the reader's own time follows the unit's: not fixed here
                expect(status).to_contain_text(said.split(values["time"])[0], timeout=DEADLINE)
            else:
                expect(status).to_have_text(said, timeout=DEADLINE)
            screenshot(page, f"rounds-family-{state}-{lang}-360")
            no_axe_violations(page, f"family {state} [{lang}]")

    each_phone("before", "Rounds usually start around %(time)s.", time="7:30")
    make.start_rounds(nurse, unit)
    make.change_rounds(nurse, unit, "join_link", noor, link=LINK)
    for lang, page in pages.items():
        page.reload()
        expect(page.locator("[data-rounds-estimate]")).to_be_visible()
        screenshot(page, f"rounds-family-coming-{lang}-360")
        no_axe_violations(page, f"family coming [{lang}]")
    make.change_rounds(nurse, unit, "done", children[0])
    make.change_rounds(nurse, unit, "done", children[1])
    each_phone("next", "The team is coming to %(name)s next.", name="Noor")
    for page in pages.values():
        expect(page.locator("[data-rounds-join-link]")).to_have_attribute("href", LINK)
    make.change_rounds(nurse, unit, "skip", children[2])
    each_phone("now", "The team is at %(name)s's bedside now.", name="Noor")
    make.change_rounds(nurse, unit, "skip", noor)
    each_phone("later", "The team will come back to %(name)s later.", name="Noor")
    make.change_rounds(nurse, unit, "bring_back", noor)  # next, after the child now seen
    make.change_rounds(nurse, unit, "done", children[4])
    make.change_rounds(nurse, unit, "done", noor)
    each_phone("done", "Rounds on %(name)s are done. The written update will follow.", name="Noor")
    make.change_rounds(nurse, unit, "bring_back", children[2])

    # The staff's queue at 1280 and on a 1024 tablet, and the child page with questions.
    for viewport, label in ((DESK, "1280"), (TABLET, "1024")):
        desk = browser.new_context(viewport=viewport).new_page()
        sign_in_page(desk, base, nurse.email)
        desk.goto(f"{base}/staff/units/{unit}/rounds")
        expect(desk.locator(".queue-row--current")).to_be_visible()
        screenshot(desk, f"rounds-queue-{label}")
        no_axe_violations(desk, f"queue [{label}]")
        desk.goto(f"{base}/staff/patients/{noor}")
        expect(desk.locator("#questions")).to_contain_text("When can I hold him?")
        screenshot(desk, f"rounds-staff-child-{label}")
        no_axe_violations(desk, f"staff child [{label}]")
    make.change_rounds(nurse, unit, "end")
    each_phone("over", "Rounds are over for today.")

    # The interpreter's list and rendering page for the Arabic question.
    desk = browser.new_context(viewport=DESK).new_page()
    sign_in_page(desk, base, interpreter.email)
    desk.goto(f"{base}/staff/translations")
    expect(desk.locator("#family-questions ~ ul")).to_contain_text("متى يمكنني حمله؟")
    no_axe_violations(desk, "translations")
    desk.get_by_role("link", name="Render for the team").first.click()
    screenshot(desk, "rounds-question-rendering-1280")
    no_axe_violations(desk, "question rendering")
