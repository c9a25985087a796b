"""The composer's plain-language check: a reading level that follows the typing, the words
families may not know with plainer ones, in English and Spanish, and never a block on posting.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.browser import SCREENSHOTS, screenshot
from tests.support.jargon import plain_for

DESK = {"width": 1280, "height": 900}
TABLET = {"width": 800, "height": 1100}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

HARD_ENGLISH = (
    "Noah remains stable on current settings on veno-arterial ECMO and is hemodynamically "
    "stable, with continuous infusions titrated to maintain adequate cardiac output, "
    "while he stays NPO in anticipation of a possible cardiac catheterization procedure "
    "tomorrow afternoon, pending the results of additional laboratory investigations."
)
PLAIN_ENGLISH = (
    "Noah slept well. His heart is doing its job with help from the machine. "
    "He cannot eat today. We will check his blood again tonight."
)
PLAIN_SPANISH = (
    "Noah durmió bien. Su corazón late fuerte. Hoy no puede comer. "
    "Esta tarde vamos a ver su sangre otra vez."
)
HARD_SPANISH = (
    "La ventilación mecánica invasiva permite mantener una oxigenación adecuada mientras "
    "tratamos la insuficiencia respiratoria, y el paciente permanece afebril, estable con los "
    "parámetros actuales y hemodinámicamente estable."
)


# --- The jargon lists ----------------------------------------------------------------------


# --- In Chromium ---------------------------------------------------------------------------


@pytest.fixture
def composer(browser, live_server, ward):
    """Noah's page at a desk, signed in as his clinician."""
    page = browser.new_context(viewport=DESK).new_page()
    base = live_server.url
    page.goto(base + "/signin")
    page.get_by_label("Email address").fill(ward.clinician.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/staff/patients/{ward.noah}")
    expect(page.locator("[data-readability]")).to_be_visible()
    return page


def level_of(page):
    return page.locator("[data-readability-level]")


def shown_grade(page) -> int:
    """The grade the meter shows ("about grade 5" → 5; "college level" → 13)."""
    text = page.locator("[data-readability-text]").text_content()
    if "college level" in text or "university level" in text:
        return 13
    match = re.search(r"about grade (\d+)(?:–(\d+))?", text)
    assert match, text
    return int(match.group(2) or match.group(1))


def expect_jargon(page, word: str, plain: str) -> None:
    """The meter lists ``word → plain`` (a screen reader hears "word: try plain")."""
    item = page.locator("[data-readability-jargon-list] li").filter(
        has=page.locator(".readability__word", has_text=re.compile(f"^{re.escape(word)}$"))
    )
    expect(item.locator(".readability__plain")).to_have_text(plain)
    expect(item).to_have_text(f"{word} → : try {plain}")


def choose_language(page, code: str) -> None:
    """Pick the composer's "Written in" language."""
    page.get_by_label("Written in").select_option(code)


@pytest.mark.browser
def test_formulas_match_hand_counted_reference_texts(composer):
    measure = "(args) => window.RoundsReadability[args[0]](...args.slice(1))"

    def js(*args):
        return composer.evaluate(measure, list(args))

    english = {
        "table": 2, "little": 2, "make": 1, "wanted": 2, "turned": 1, "changes": 2,
        "oxygen": 3, "pneumonia": 4, "ventilator": 4, "medication": 4, "being": 2, "the": 1,
    }  # fmt: skip
    assert {word: js("syllables", word, "en") for word in english} == english
    spanish = {
        "día": 2, "ciudad": 2, "poeta": 3, "país": 2, "corazón": 3, "respiración": 4,
        "hoy": 1, "oxígeno": 4, "aéreo": 4, "guitarra": 3, "y": 1, "Uruguay": 3, "leído": 3,
    }  # fmt: skip
    assert {word: js("syllables", word, "es") for word in spanish} == spanish

    # 6 words, 1 sentence, 6 syllables: 0.39·6 + 11.8·1 − 15.59 = −1.45
    assert js("grade", "The cat sat on the mat.", "en") == pytest.approx(-1.45)
    # 17 words, 2 sentences, 24 syllables: 0.39·8.5 + 11.8·24/17 − 15.59 = 4.3838
    two = (
        "Her breathing tube will stay in place today. "
        "The doctors will check her oxygen levels each morning."
    )
    assert js("counts", two, "en") == {
        "words": 17, "sentences": 2, "syllables": 24, "longSentences": 0,
    }  # fmt: skip
    assert js("grade", two, "en") == pytest.approx(4.3838, abs=1e-4)

    # 8 words, 2 sentences, 15 syllables: 206.84 − 0.60·187.5 − 1.02·4 = 90.26 → grade 4
    easy = "Su corazón late bien. Hoy respira con ayuda."
    assert js("fernandezHuerta", easy) == pytest.approx(90.26)
    assert js("grade", easy, "es") == 4
    # 14 words, 1 sentence, 46 syllables: 206.84 − 0.60·328.57 − 1.02·14 = −4.58 → university
    hard = (
        "La ventilación mecánica invasiva permite mantener una oxigenación adecuada "
        "mientras tratamos la insuficiencia respiratoria."
    )
    assert js("fernandezHuerta", hard) == pytest.approx(-4.5829, abs=1e-3)
    assert js("spanishGradeFor", 65) == {"grade": 8, "label": "about grade 7–8"}
    assert js("spanishGradeFor", 29.9)["label"] == "university level"


@pytest.mark.browser
def test_meter_follows_the_typing_and_names_the_jargon(composer):
    page = composer
    # Announced politely: the level, and the jargon list (not the counts, which change often).
    expect(page.locator("[data-readability] [aria-live=polite]")).to_have_count(2)
    expect(level_of(page)).to_have_attribute("data-state", "none")

    page.get_by_label("Summary in plain words").fill(HARD_ENGLISH)
    expect(level_of(page)).to_have_attribute("data-state", "hard")
    expect(level_of(page)).to_contain_text("Hard to read")
    expect(level_of(page)).to_contain_text("aim for grade 6 or lower")
    assert shown_grade(page) >= 9
    expect(page.locator("[data-readability-counts]")).to_contain_text(
        "1 sentence · 1 long sentence (over 20 words)"
    )
    for word in ("NPO", "stable on current settings", "hemodynamically stable", "titrated"):
        expect_jargon(page, word, plain_for("en", word))
    expect_jargon(page, "ECMO", plain_for("en", "ECMO"))
    # WCAG 2.2 AA (axe-core) on the meter with everything showing.
    axe = Axe().run(page, context="[data-readability]", options=AXE_OPTIONS).response
    assert axe["passes"] and axe["violations"] == [], axe["violations"]
    screenshot(page, "staff-composer-readability-1280")
    page.set_viewport_size(TABLET)
    screenshot(page, "staff-composer-readability-800")
    page.set_viewport_size(DESK)

    page.get_by_label("Summary in plain words").fill(PLAIN_ENGLISH)
    expect(level_of(page)).to_have_attribute("data-state", "good")
    expect(level_of(page)).to_contain_text("Easy to read")
    assert shown_grade(page) <= 6
    expect(page.locator("[data-readability-jargon]")).to_be_hidden()

    # Every family-facing field counts, the watch-for rows and body-system notes too.
    page.get_by_label("If").first.fill("He gets a fever")
    page.get_by_label("Then").first.fill("we will give him medicine PRN")
    expect_jargon(page, "PRN", plain_for("en", "PRN"))
    page.get_by_text("Notes by body system (optional)").click()
    page.get_by_label("Feeding").fill("He stays NPO.")
    expect_jargon(page, "NPO", plain_for("en", "NPO"))

    # Languages without a formula say so, and list nothing.
    choose_language(page, "ht")
    expect(level_of(page)).to_contain_text(
        "Reading level is measured for English and Spanish text only."
    )
    expect(page.locator("[data-readability-jargon]")).to_be_hidden()


@pytest.mark.browser
def test_spanish_is_measured_with_a_spanish_formula(composer):
    page = composer
    choose_language(page, "es")
    page.get_by_label("Summary in plain words").fill(HARD_SPANISH)
    expect(level_of(page)).to_have_attribute("data-state", "hard")
    expect(page.locator("[data-readability-counts]")).to_contain_text("Fernández-Huerta ease")
    for word in ("afebril", "hemodinámicamente estable", "estable con los parámetros actuales"):
        expect_jargon(page, word, plain_for("es", word))
    page.get_by_label("Summary in plain words").fill(PLAIN_SPANISH)
    expect(level_of(page)).to_have_attribute("data-state", "good")
    assert shown_grade(page) <= 6
    page.locator("[data-readability]").screenshot(
        path=str(SCREENSHOTS / "staff-readability-spanish-good.png")
    )
    expect(page.locator("[data-readability-jargon]")).to_be_hidden()


@pytest.mark.browser
def test_hard_text_still_posts_and_errors_are_measured_on_load(composer):
    page = composer
    # A validation error re-renders the form: the meter measures it at once.
    page.get_by_label("Today's plan and goals").fill(HARD_ENGLISH)
    page.get_by_role("button", name="Post update").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose the overall status.")
    expect(level_of(page)).to_have_attribute("data-state", "hard")
    expect_jargon(page, "NPO", plain_for("en", "NPO"))

    page.get_by_label("Critical: needs the most support").check()
    page.get_by_label("Summary in plain words").fill(HARD_ENGLISH)
    expect(level_of(page)).to_have_attribute("data-state", "hard")
    page.get_by_role("button", name="Post update").click()
    expect(page.locator(".notice--success")).to_contain_text("Update posted")
