"""In Chromium: tapping an ICU word opens its explanation, on a 320-px phone, in Arabic, at
200 % text, and for words that arrive later in a feed replaced live.

The page is made by the app itself (base layout, the ``terms`` filter, templates/_glossary.html,
static/js/glossary.js, the Content-Security-Policy header) on a route added for this test, and
served to Chromium through Flask's test client: no family page, server or database needed.
"""

import pytest
from flask import render_template_string, request
from playwright.sync_api import expect

from rounds import create_app
from rounds.glossary import register_glossary
from tests.support.browser import screenshot

pytestmark = pytest.mark.browser
SMALL_PHONE = {"width": 320, "height": 640}
ORIGIN = "http://rounds.test"

PAGE = """{% extends "base.html" %}
{% block body_class %}family{% endblock %}
{% block main_class %}page page--phone{% endblock %}
{% block content %}
<h1>Noah Chen</h1>
<div id="feed">{% include "feed.html" %}</div>
{% with term_ids=[] %}{% include "_glossary.html" %}{% endwith %}
{% endblock %}
{% block scripts %}<script src="{{ asset('js/glossary.js') }}" defer></script>{% endblock %}
"""
FEED = """<p class="update__summary">{{ summary|terms }}</p>
{% with with_dialog=False %}{% include "_glossary.html" %}{% endwith %}"""
SUMMARY = {
    "en": "Noah had a steady night on ECMO. His chest tube is draining less.",
    "ar": "قضى نوح ليلة هادئة على الإكمو. ويخرج من أنبوب الصدر سائل أقل.",
}
LATER = {"en": "The team started to wean the ventilator.", "ar": "بدأ الفريق الفطام من المنفسة."}


@pytest.fixture
def glossary_site(tmp_path):
    """The app with a page of words to tap; its database is never opened."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.db"})
    register_glossary(app)
    loader = app.jinja_loader
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_loader = ChoiceLoader([DictLoader({"page.html": PAGE, "feed.html": FEED}), loader])

    def language() -> str:
        return "ar" if request.accept_languages.best_match(["en", "ar"]) == "ar" else "en"

    @app.get("/glossary-page")
    def glossary_page():
        return render_template_string('{% include "page.html" %}', summary=SUMMARY[language()])

    @app.get("/glossary-feed")
    def glossary_feed():
        return render_template_string('{% include "feed.html" %}', summary=LATER[language()])

    return app


def open_page(browser, app, **context_options):
    """A phone-sized page whose every request is answered by ``app``."""
    client = app.test_client()
    context = browser.new_context(viewport=SMALL_PHONE, is_mobile=True, **context_options)
    problems = []

    def answer(route):
        path = route.request.url.removeprefix(ORIGIN)
        headers = {k: v for k, v in route.request.headers.items() if k.lower() != "host"}
        response = client.get(path, headers=headers)
        route.fulfill(
            status=response.status_code,
            headers={k: v for k, v in response.headers.items()},
            body=response.get_data(),
        )

    context.route(f"{ORIGIN}/**", answer)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{ORIGIN}/glossary-page")
    page.wait_for_load_state("load")
    return page, problems


def fits_the_screen(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"] + 0.5, box


def test_tapping_a_word_explains_it_and_escape_goes_back_to_the_word(browser, glossary_site):
    page, problems = open_page(browser, glossary_site)
    dialog = page.locator("#term-dialog")
    expect(dialog).to_be_hidden()
    word = page.locator("#feed button.term", has_text="ECMO")
    word.click()
    expect(dialog).to_be_visible()
    expect(page.get_by_role("dialog", name="ECMO")).to_be_visible()
    expect(dialog.locator(".term-dialog__text")).to_contain_text("heart and lungs")
    # Reading starts at the word; the close button is the next stop.
    expect(dialog.locator("h2")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Close")).to_be_focused()
    fits_the_screen(page, "#term-dialog")
    screenshot(page, "glossary-dialog-320")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(word).to_be_focused()
    assert problems == []


def test_the_keyboard_opens_a_word_and_the_close_button_closes_it(browser, glossary_site):
    page, problems = open_page(browser, glossary_site)
    word = page.locator("#feed button.term", has_text="chest tube")
    word.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#term-dialog")
    expect(dialog.locator("h2")).to_have_text("chest tube")
    page.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(word).to_be_focused()
    page.keyboard.press(" ")
    expect(dialog).to_be_visible()
    assert problems == []


def test_words_in_a_feed_replaced_live_open_too(browser, glossary_site):
    page, problems = open_page(browser, glossary_site)
    page.evaluate(
        """async () => {
            const response = await fetch("/glossary-feed");
            document.getElementById("feed").innerHTML = await response.text();
        }"""
    )
    word = page.locator("#feed button.term", has_text="wean")
    word.click()
    dialog = page.locator("#term-dialog")
    expect(dialog.locator("h2")).to_have_text("wean")
    expect(dialog.locator(".term-dialog__text")).to_contain_text("step by step")
    page.keyboard.press("Escape")
    expect(word).to_be_focused()
    assert page.locator("#term-dialog").count() == 1
    assert problems == []


def test_arabic_at_double_text_size_fits_a_small_phone(browser, glossary_site):
    page, problems = open_page(browser, glossary_site, locale="ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.locator("#feed button.term").first.click()
    dialog = page.locator("#term-dialog")
    expect(dialog.locator("h2")).to_have_text("الإكمو")
    expect(dialog.locator(".term-dialog__text")).to_contain_text("القلب والرئتين")
    fits_the_screen(page, "#term-dialog")
    expect(dialog.locator("h2")).to_be_in_viewport()  # not scrolled away to the close button
    fits_the_screen(page, "#term-dialog .term-dialog__close")
    close = page.locator("#term-dialog .term-dialog__close").bounding_box()
    assert close["height"] >= 44 and close["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    screenshot(page, "glossary-dialog-ar-200-percent-320")
    assert problems == []
