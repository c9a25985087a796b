"""The glossary: ICU words in an update become buttons that open a plain explanation.

Most tests are about words and text only. The template tests use an app with no database
of its own: rendering a word never reads one.
"""

import json
import re

import pytest
from flask import render_template_string
from markupsafe import Markup

from rounds import create_app
from rounds.glossary import (
    GLOSSARY_PATH,
    LANGUAGE_CODES,
    GlossaryError,
    Term,
    explanations,
    fold,
    glossary,
    jargon,
    load_glossary,
    mark_terms,
    register_glossary,
    terms_in,
)

BUTTON = re.compile(
    r'<button type="button" class="term" data-term="([a-z0-9-]+)"[^>]*>(.*?)</button>'
)


def ids(text: str, language: str = "en") -> list[str]:
    """The ids of the terms found in ``text``."""
    return [term.id for term in terms_in(text, language)]


def buttons(html: str) -> list[tuple[str, str]]:
    """(term id, button text) of every term button in ``html``."""
    return BUTTON.findall(str(html))


# --- The file --------------------------------------------------------------------------------


def test_every_term_is_written_in_all_five_languages():
    data = json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))
    assert len(data["terms"]) >= 48
    assert "not yet reviewed" in data["review"]
    for entry in data["terms"]:
        for code in ("en", "es", "ht", "pt-BR", "ar"):
            text = entry[code]
            assert text["words"] and all(word.strip() for word in text["words"]), entry["id"]
            assert text["explain"].strip() and text["plain"].strip(), (entry["id"], code)


def test_the_terms_families_meet_most_are_there():
    known = set(glossary().terms["en"])
    for term_id in (
        "ecmo",
        "ventilator",
        "chest-tube",
        "central-line",
        "iv",
        "dialysis",
        "crrt",
        "sedation",
        "intubation",
        "extubation",
        "decannulation",
        "wean",
    ):
        assert term_id in known


def test_no_word_belongs_to_two_terms_in_one_language():
    for code in LANGUAGE_CODES:
        owners = {}
        for term in glossary().terms[code].values():
            for word in term.words:
                owner = owners.setdefault(fold(word).casefold(), term.id)
                assert owner == term.id, f"{code}: {word!r} is in {owner!r} and {term.id!r}"


def test_every_word_finds_its_own_term():
    for code in LANGUAGE_CODES:
        for term in glossary().terms[code].values():
            for word in term.words:
                assert ids(f"Today: {word}.", code) == [term.id], (code, word)


def test_explanations_are_short():
    for code in LANGUAGE_CODES:
        for term in glossary().terms[code].values():
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", term.explain) if s]
            assert 1 <= len(sentences) <= 3, (code, term.id, term.explain)
            assert len(term.explain) <= 420, (code, term.id)


def test_a_broken_file_stops_with_every_problem_named(tmp_path):
    good = {"words": ["ECMO"], "explain": "A machine.", "plain": "heart-lung machine"}
    data = {
        "review": "Fictional.",
        "terms": [
            {"id": "ecmo", **{code: good for code in LANGUAGE_CODES}},
            {"id": "ecmo", **{code: good for code in LANGUAGE_CODES if code != "ht"}},
            {"id": "Bad Id", "en": good},
            {"id": "vent", **{code: {**good, "plain": " "} for code in LANGUAGE_CODES}},
        ],
    }
    path = tmp_path / "glossary.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(GlossaryError) as raised:
        load_glossary(path)
    message = str(raised.value)
    assert "the id is used twice" in message
    assert "no ht entry" in message
    assert "id must be lowercase" in message
    assert "plain is empty" in message
    assert "'ECMO' is also a word of 'ecmo'" in message


def test_an_unreadable_file_says_so(tmp_path):
    path = tmp_path / "glossary.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(GlossaryError, match="cannot read the glossary"):
        load_glossary(path)


# --- Finding words ---------------------------------------------------------------------------


def test_only_whole_words_are_found():
    assert ids("We will prevent a relapse; she ate a satsuma.") == []
    assert ids("The preventilator check") == []
    assert ids("He is on the vent, sats are good.") == ["ventilator", "oxygen-saturation"]


def test_short_capitals_match_only_in_capitals():
    assert ids("A new IV in his hand.") == ["iv"]
    assert ids("Stage iv, or Iv.") == []
    assert ids("Still on ECMO.") == ["ecmo"]
    assert ids("ecmo") == []


def test_other_words_match_in_any_case():
    assert ids("CHEST TUBE out. Chest Tube.") == ["chest-tube"]
    assert ids("Extubated this morning") == ["extubation"]


def test_the_longest_word_wins():
    assert ids("A nasal cannula gives a little oxygen.") == ["nasal-cannula"]
    assert ids("high-flow nasal cannula at 8 liters") == ["high-flow"]
    assert ids("Her central venous catheter is clean.") == ["central-line"]
    assert ids("The chest tube is draining; the tube by her mouth is out.") == ["chest-tube"]


def test_each_term_is_listed_once_in_order_of_first_appearance():
    found = terms_in("ECMO flows, sedation is light, and ECMO day 3.", "en")
    assert [term.id for term in found] == ["ecmo", "sedation"]
    assert isinstance(found[0], Term)
    assert found[0].display == "ECMO"
    assert found[0].language == "en"


def test_words_split_by_a_line_break_still_match():
    assert ids("Her chest\ntube is out.") == ["chest-tube"]


def test_accented_letters_are_letters_and_accents_are_optional():
    assert ids("La sedación se bajó y la sedacion sigue.", "es") == ["sedation"]
    assert ids("Sedação mantida, hipotensão resolvida.", "pt-BR") == ["sedation", "hypotension"]
    assert ids("Cateter ok, cateterização amanhã.", "pt-BR") == ["catheter"]
    assert ids("Li gen lafyèv.", "ht") == ["fever"]
    assert ids("IVé", "es") == []
    # Letters written as a base and a combining accent (as some phones send them).
    decomposed = "La sedacio\u0301n sigue."
    assert ids(decomposed, "es") == ["sedation"]
    assert buttons(mark_terms(decomposed, "es")) == [("sedation", "sedacio\u0301n")]


def test_arabic_words_are_found_with_the_letters_joined_to_them():
    text = "طفلك على الإكمو منذ يومين، والإكمو يعمل جيدًا. ويُعطى بالهيبارين وللإكمو مؤكسج."
    assert ids(text, "ar") == ["ecmo", "heparin", "oxygenator"]
    marked = mark_terms(text, "ar")
    assert buttons(marked) == [
        ("ecmo", "الإكمو"),
        ("heparin", "بالهيبارين"),
        ("oxygenator", "مؤكسج"),
    ]


def test_arabic_matches_without_hamza_and_with_vowel_marks():
    assert ids("على الاكمو", "ar") == ["ecmo"]
    marked = mark_terms("على الإِكْمو اليوم", "ar")
    assert buttons(marked) == [("ecmo", "الإِكْمو")]
    assert ids("لا حمية خاصة", "ar") == []  # حمى (fever) is not inside حمية (diet)


def test_language_codes_are_read_like_the_rest_of_rounds():
    text = "Ela está no ventilador."
    assert ids(text, "pt_BR") == ids(text, "pt-BR") == ["ventilator"]
    assert ids("On ECMO.", "fr") == ["ecmo"]  # an unknown language reads as English


# --- Marking words in text ------------------------------------------------------------------


def test_the_first_occurrence_of_each_term_becomes_a_button():
    marked = mark_terms("ECMO day 2. Extubated? Not yet. ECMO flows are steady.", "en")
    assert isinstance(marked, Markup)
    assert buttons(marked) == [("ecmo", "ECMO"), ("extubation", "Extubated")]
    assert str(marked).count("ECMO") == 2
    assert 'aria-haspopup="dialog"' in marked


def test_marked_text_is_escaped_and_runs_nothing():
    text = "<script>alert('x')</script> on \"ECMO\" & <img src=x onerror=alert(1)> IV's"
    marked = str(mark_terms(text, "en"))
    assert "<script" not in marked and "<img" not in marked
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in marked
    assert "&#34;" in marked and "&amp;" in marked
    assert buttons(marked) == [("ecmo", "ECMO"), ("iv", "IV")]


def test_a_word_made_of_markup_stays_text():
    marked = str(mark_terms('IV<b>"', "en"))
    assert marked.endswith("&lt;b&gt;&#34;")


def test_html_is_left_as_it_is():
    html = Markup('<a href="/ecmo" title="ECMO">ECMO</a>')
    assert mark_terms(html, "en") is html


def test_nothing_to_mark():
    assert mark_terms(None, "en") == Markup("")
    assert mark_terms("", "en") == Markup("")
    assert mark_terms("A calm night.", "en") == Markup("A calm night.")
    assert terms_in(None, "en") == []


# --- Explanations and jargon -----------------------------------------------------------------


def test_explanations_follow_the_order_asked_once_each():
    found = explanations(["iv", "nope", "ecmo", "iv"], "es")
    assert [(term_id, word) for term_id, word, _ in found] == [
        ("iv", "vía intravenosa"),
        ("ecmo", "ECMO"),
    ]
    assert found[1][2].startswith("La ECMO es una máquina")


def test_jargon_gives_the_composer_words_and_plain_words():
    english = {term["id"]: term for term in jargon("en")}
    assert english["ventilator"]["plain"] == "breathing machine"
    assert "breathing machine" not in english["ventilator"]["words"]
    spanish = jargon("es")
    assert len(spanish) == len(glossary().terms["es"])
    assert all(term["words"] and term["plain"] for term in spanish)


# --- In templates ----------------------------------------------------------------------------


@pytest.fixture
def page_app(tmp_path):
    """The app with the glossary's filter; its database is never opened."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.db"})
    register_glossary(app)
    return app


def render(app, source: str, headers: dict | None = None, **context) -> str:
    """``source`` rendered as part of a request."""
    with app.app_context(), app.test_request_context("/", headers=headers or {}):
        return render_template_string(source, **context)


def test_the_filter_marks_words_in_the_page_language(page_app):
    html = render(page_app, "<p>{{ text|terms }}</p>", text="On ECMO <b>today</b>")
    assert buttons(html) == [("ecmo", "ECMO")]
    assert "&lt;b&gt;today&lt;/b&gt;" in html
    spanish = render(
        page_app,
        "{{ text|terms }}",
        headers={"Accept-Language": "es"},
        text="Tiene una vía central.",
    )
    assert buttons(spanish) == [("central-line", "vía central")]


def test_the_filter_takes_a_language(page_app):
    html = render(page_app, "{{ text|terms('pt-BR') }}", text="Com dreno de tórax.")
    assert buttons(html) == [("chest-tube", "dreno de tórax")]


def test_the_partial_explains_the_words_marked_on_the_page(page_app):
    source = "<p>{{ a|terms }}</p><p>{{ b|terms }}</p>{% include '_glossary.html' %}"
    html = render(page_app, source, a="ECMO and an IV.", b="Chest tube out; ECMO steady.")
    sources = re.findall(r'data-term-explain="([a-z-]+)" data-word="([^"]+)"', html)
    assert sources == [("ecmo", "ECMO"), ("iv", "IV"), ("chest-tube", "chest tube")]
    assert 'class="term-sources" hidden' in html
    assert html.count('id="term-dialog"') == 1
    assert 'aria-labelledby="term-dialog-title"' in html
    assert ">Close</button>" in html


def test_the_partial_can_leave_out_the_dialog_or_be_told_the_terms(page_app):
    only_sources = "{% with with_dialog=False %}{% include '_glossary.html' %}{% endwith %}"
    html = render(page_app, "{{ 'On ECMO'|terms }}" + only_sources)
    assert 'data-term-explain="ecmo"' in html and "term-dialog" not in html
    told = "{% with term_ids=['iv'] %}{% include '_glossary.html' %}{% endwith %}"
    html = render(page_app, told)
    assert 'data-term-explain="iv"' in html and 'id="term-dialog"' in html
    dialog_only = render(
        page_app, "{% with term_ids=[] %}{% include '_glossary.html' %}{% endwith %}"
    )
    assert "term-sources" not in dialog_only and 'id="term-dialog"' in dialog_only


def test_arabic_explanations_read_right_to_left(page_app):
    source = (
        "{{ text|terms('ar') }}"
        "{% with glossary_language='ar' %}{% include '_glossary.html' %}{% endwith %}"
    )
    html = render(page_app, source, text="على الإكمو")
    assert 'data-term-explain="ecmo" data-word="الإكمو" lang="ar" dir="rtl"' in html
