"""The catalogs: every family-facing word translated into every language, and in step with
the code. Fails on a missing, fuzzy or untranslated entry, on placeholders that differ from
the English, and on a catalog that is out of date with the templates, Python or scripts
(run scripts/i18n.sh, then translate what it added)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from rounds.i18n import LANGUAGES, TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in LANGUAGES if language.code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TAG = re.compile(r"<[^>]+>")
# Words that are rightly the same in a language as in English: (locale, English).
SAME_AS_ENGLISH = {
    ("es", "Error:"),
}
# Arabic (and other languages) may say "two minutes" in one word: the number is implied.
NUMBER_MAY_BE_IMPLIED = "num"


def catalog(locale: str):
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def messages(locale: str):
    return [message for message in catalog(locale) if message.id]


def marked_in_code() -> set[str]:
    """Every word the code marks for translation, found as scripts/i18n.sh finds them."""
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _path, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def in_code():
    return marked_in_code()


def test_the_code_marks_the_family_words(in_code):
    # A canary for the extraction itself: templates, Python and scripts are all read.
    assert "Latest update" in in_code  # a template
    assert "Serious but stable" in in_code  # Python (the status scale)
    assert "Live · checked at %(time)s" in in_code  # a script
    assert len(in_code) > 150


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_the_catalog_is_in_step_with_the_code(language, in_code):
    in_catalog = {m.id[0] if isinstance(m.id, tuple) else m.id for m in messages(language.locale)}
    missing = sorted(in_code - in_catalog)
    gone = sorted(in_catalog - in_code)
    assert not missing, f"run scripts/i18n.sh: {language.code} lacks {missing[:5]}"
    assert not gone, f"run scripts/i18n.sh: {language.code} still has {gone[:5]}"
    assert not catalog(language.locale).obsolete


def untranslated(cat) -> list:
    """Entries left empty (any plural form) or marked fuzzy."""
    problems = []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(("fuzzy", message.id))
        if not all(s.strip() for s in strings):
            problems.append(("untranslated", message.id))
    return problems


def just_the_english(cat) -> list:
    """Entries whose translation is the English itself (unless rightly so)."""
    return [
        message.id
        for message in cat
        if message.id
        and not isinstance(message.id, tuple)
        and message.string == message.id
        and (str(cat.locale), message.id) not in SAME_AS_ENGLISH
    ]


def placeholders_or_tags_differ(cat) -> list:
    """Entries whose %(name)s placeholders or HTML tags are not the English's."""
    problems = []
    for message in cat:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        tags = sorted(TAG.findall(ids[-1]))
        for text in strings:
            have = set(PLACEHOLDER.findall(text))
            if have - wanted or (wanted - have) - {NUMBER_MAY_BE_IMPLIED}:
                problems.append(("placeholders", message.id, text))
            if sorted(TAG.findall(text)) != tags:
                problems.append(("tags", message.id, text))
    return problems


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_every_entry_is_translated_and_not_fuzzy(language):
    assert not untranslated(catalog(language.locale))


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_no_translation_is_just_the_english(language):
    assert not just_the_english(catalog(language.locale))


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_placeholders_and_tags_match_the_english(language):
    assert not placeholders_or_tags_differ(catalog(language.locale))


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_plural_entries_have_every_form_the_language_needs(language):
    cat = catalog(language.locale)
    for message in messages(language.locale):
        if isinstance(message.id, tuple):
            assert len(message.string) == cat.num_plurals, message.id


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_each_catalog_says_it_needs_a_medical_translator(language):
    header = catalog(language.locale).header_comment
    assert "NEEDS REVIEW BY A QUALIFIED MEDICAL TRANSLATOR" in header


def test_the_checks_catch_made_up_faults():
    # Not vacuous: each check finds the fault it is for in a catalog made to have it.
    from babel.messages.catalog import Catalog

    bad = Catalog(locale="es")
    bad.add("Latest update", "")
    bad.add("Improving", "Mejorando", flags=["fuzzy"])
    bad.add("Bed %(bed)s", "Cama")
    bad.add("Breathing", "Breathing")
    bad.add("You are signed in as <strong>%(name)s</strong>.", "Usted es %(name)s.")
    assert untranslated(bad) == [("untranslated", "Latest update"), ("fuzzy", "Improving")]
    assert just_the_english(bad) == ["Breathing"]
    assert [problem[:2] for problem in placeholders_or_tags_differ(bad)] == [
        ("placeholders", "Bed %(bed)s"),
        ("tags", "You are signed in as <strong>%(name)s</strong>."),
    ]
