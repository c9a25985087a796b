"""The issue's rounds story, in Chromium with real sockets, run on the embedded default
(tests/browser/test_rounds_story.py) and on production mode through nginx
(tests/production/test_rounds_production.py): a charge nurse at 1024×768 starts rounds and
reorders them; a father at home in Madrid, reading Spanish, sees "3 children away", "next"
(his join link appears), "now" and "done", then the update arrive with his question (asked
the evening before, in Spanish, rendered by an interpreter) marked answered in it. A mother of
another child on the unit sees her own count move, and nothing about his child."""

import re
from collections.abc import Callable
from datetime import timedelta

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from rounds.i18n import TRANSLATIONS_DIR
from rounds.models.types import utcnow
from tests.support.browser import PHONE, screenshot, sign_in_page
from tests.support.catalog import tr
from tests.support.factories import Factory, morning_zone

TABLET = {"width": 1024, "height": 768}
DESK = {"width": 1280, "height": 900}
QUESTION = "¿Mateo podrá respirar sin el ventilador esta semana?"
RENDERED = "Will Mateo be able to breathe without the ventilator this week?"
JOIN_LINK = "https://meet.example.org/rounds-mateo-today"


def away(locale: str, count: int) -> str:
    """ "The team is 3 children away." in ``locale`` (the plural form the catalog gives)."""
    if locale == "en":
        one, more = "The team is %(num)s child away.", "The team is %(num)s children away."
        return (one if count == 1 else more) % {"num": count}
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        forms = read_po(source, locale=locale)["The team is %(num)s child away."].string
    return forms[0 if count == 1 else 1] % {"num": count}


# open_page(who, viewport, **context options): a page in a new browser context for one of
# "father", "mother", "nurse", "clinician" (production mode sends each to its own process).
OpenPage = Callable[..., object]


def father_story(make: Factory, base: str, open_page: OpenPage, deadline: int, shots: str):
    """The whole story against the server at ``base``, whose database ``make`` writes to;
    screenshots are named ``shots``-…"""
    DEADLINE = deadline  # noqa: N806 - read like the browser tests' constant
    unit = make.unit("Pediatric ICU (rounds)", timezone=morning_zone())
    nurse = make.person("nurse", (unit,), name="Grace Okafor")
    clinician = make.person("clinician", (unit,), name="Sam Rivera")
    interpreter = make.person("interpreter", (unit,), name="Yusuf Haddad")
    beds = {
        "1": "Ana Lopes",
        "2": "Ben Adler",
        "3": "Cora Diaz",
        "4": "Mateo Cruz",
        "5": "Lily Chen",
    }
    child = {bed: make.patient(unit, name, bed) for bed, name in beds.items()}
    father = make.person(name="Luis Cruz")
    make.speaks(father, "es")
    make.grant(father, child["4"])
    mother = make.person(name="Mei Chen")
    make.grant(mother, child["5"])
    evening = utcnow() - timedelta(hours=14)
    question = make.question(father, child["4"], QUESTION, "es", at=evening)
    make.render(interpreter, question, RENDERED)

    # At home in Madrid, before rounds: the usual start, and he asks to join by video.
    dad = open_page("father", PHONE, is_mobile=True, timezone_id="Europe/Madrid")
    sign_in_page(dad, base, father.email)
    expect(dad.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    status = dad.locator("[data-rounds-status]")
    expect(status).to_contain_text(tr("es", "Rounds usually start around %(time)s.", time="")[:12])
    expect(dad.locator("#questions")).to_contain_text(QUESTION)
    dad.get_by_label(tr("es", "I'd like to join by video")).check()
    dad.get_by_role("button", name=tr("es", "Save my answer")).click()
    expect(dad.locator("[data-rounds-mine]")).to_contain_text(tr("es", "I'd like to join by video"))
    screenshot(dad, f"{shots}-family-before-es-360")

    mum = open_page("mother", PHONE, is_mobile=True)
    sign_in_page(mum, base, mother.email)
    expect(mum.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    mum_status = mum.locator("[data-rounds-status]")

    # The charge nurse, on a tablet on the rounding cart: sees the father's answer and the
    # interpreter's rendering need, starts rounds, and swaps beds 2 and 3 by dragging.
    cart = open_page("nurse", TABLET)
    sign_in_page(cart, base, nurse.email)
    cart.goto(f"{base}/staff/units/{unit}/rounds")
    row4 = cart.locator(f"#child-{child['4']}")
    expect(row4).to_contain_text("Joining by video: Luis Cruz")
    expect(row4).to_contain_text("Interpreter needed: Spanish")
    expect(row4).to_contain_text("1 open question")
    cart.get_by_role("button", name="Start rounds").click()
    expect(cart.locator(f"#child-{child['1']}")).to_contain_text("With the team now")
    expect(status).to_have_text(away("es", 3), timeout=DEADLINE)
    expect(dad.locator("[data-rounds-estimate]")).to_be_visible()
    expect(mum_status).to_have_text(away("en", 4), timeout=DEADLINE)
    cart.locator(f"#child-{child['3']}").drag_to(cart.locator(f"#child-{child['2']}"))
    expect(cart.locator(".queue--waiting > li").nth(0)).to_have_id(
        f"child-{child['3']}", timeout=DEADLINE
    )
    screenshot(cart, f"{shots}-queue-1024")

    # A video link for Mateo's family today: shown to the father only from "next".
    cart.locator(f"#link-{child['4']}").fill(JOIN_LINK)
    cart.locator(f"#child-{child['4']}").get_by_role("button", name=re.compile("Save")).click()
    expect(cart.locator(f"#link-{child['4']}")).to_have_value(JOIN_LINK)
    assert JOIN_LINK not in dad.content()

    def done_with_current():
        cart.locator(".queue-row--current").get_by_role("button", name="Done").click()

    done_with_current()
    expect(mum_status).to_have_text(away("en", 3), timeout=DEADLINE)
    done_with_current()
    expect(status).to_have_text(
        tr("es", "The team is coming to %(name)s next.", name="Mateo"), timeout=DEADLINE
    )
    join = dad.locator("[data-rounds-join-link]")
    expect(join).to_be_visible()
    expect(join).to_have_attribute("href", JOIN_LINK)
    screenshot(dad, f"{shots}-family-next-es-360")
    done_with_current()
    expect(status).to_have_text(
        tr("es", "The team is at %(name)s's bedside now.", name="Mateo"), timeout=DEADLINE
    )
    expect(mum_status).to_have_text("The team is coming to Lily next.", timeout=DEADLINE)
    done_with_current()
    expect(status).to_have_text(
        tr("es", "Rounds on %(name)s are done. The written update will follow.", name="Mateo"),
        timeout=DEADLINE,
    )
    expect(join).to_be_hidden()
    assert JOIN_LINK not in dad.content()

    # The clinician posts Mateo's update, ticking the father's question as answered in it.
    desk = open_page("clinician", DESK)
    sign_in_page(desk, base, clinician.email)
    desk.goto(f"{base}/staff/patients/{child['4']}")
    expect(desk.locator("#questions")).to_contain_text(RENDERED)
    desk.get_by_label("Serious but stable").check()
    desk.get_by_label("Summary in plain words").fill("Mateo breathed on his own for an hour today.")
    desk.locator("label", has_text=QUESTION).click()
    desk.get_by_role("button", name="Post update").click()
    expect(desk.locator(".notice--success")).to_contain_text("Update posted")
    screenshot(desk, f"{shots}-staff-child-questions-1280")

    expect(dad.locator("#feed .update--full")).to_contain_text(
        "Mateo breathed on his own", timeout=DEADLINE
    )
    answered = dad.locator("#questions .question").filter(has_text=QUESTION)
    expect(answered).to_contain_text(tr("es", "Answered in the update"), timeout=DEADLINE)
    screenshot(dad, f"{shots}-family-done-es-360")

    # The mother never saw anything of Mateo: not his name, bed, id, link or question.
    mum_text = mum.content()
    for secret in ("Mateo", "Cruz", QUESTION, JOIN_LINK, f"child-{child['4']}"):
        assert secret not in mum_text
    cart.get_by_role("button", name="End rounds").click()
    expect(status).to_have_text(tr("es", "Rounds are over for today."), timeout=DEADLINE)
    expect(mum_status).to_have_text("Rounds are over for today.", timeout=DEADLINE)
