"""Languages: which one each page speaks, the catalogs behind it, and the words scripts need.

Family-facing words live in gettext catalogs under ``rounds/translations`` (Flask-Babel).
Each family member chooses a language; staff screens are in English for now, with their
words marked for translation so a reviewed staff catalog can be added later.

A language is stored by its web code ("pt-BR"); Babel names the same locale "pt_BR".
"""

import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, render_template, request
from flask_babel import Babel, force_locale, get_locale, refresh
from flask_login import current_user
from markupsafe import Markup

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
# Where the words scripts show come from (see js_catalog).
SCRIPT_SOURCES = "static/js/"
# Anyone not signed in can choose a language on the pages they see (sign-in, join).
LANGUAGE_COOKIE = "rounds_lang"


@dataclass(frozen=True)
class Language:
    """A language families can read Rounds in."""

    code: str  # as stored and as in <html lang>: "pt-BR"
    name: str  # in the language itself, as its readers look for it
    english_name: str  # what staff read beside a family member's name
    direction: str = "ltr"

    @property
    def locale(self) -> str:
        """Babel's name for it: "pt_BR"."""
        return self.code.replace("-", "_")


LANGUAGES = (
    Language("en", "English", "English"),
    Language("es", "Español", "Spanish"),
    Language("ht", "Kreyòl ayisyen", "Haitian Creole"),
    Language("pt-BR", "Português (Brasil)", "Portuguese (Brazil)"),
    Language("ar", "العربية", "Arabic", "rtl"),
)
LANGUAGE_BY_CODE = {language.code: language for language in LANGUAGES}
LANGUAGE_BY_LOCALE = {language.locale: language for language in LANGUAGES}
DEFAULT = LANGUAGES[0]


def language_named(code: str | None) -> Language:
    """The language for a stored code ("pt-BR") or Babel locale ("pt_BR"); English if unknown."""
    if not code:
        return DEFAULT
    return LANGUAGE_BY_CODE.get(code) or LANGUAGE_BY_LOCALE.get(code) or DEFAULT


def current_language() -> Language:
    """The language of the page being made."""
    return LANGUAGE_BY_LOCALE.get(str(get_locale()), DEFAULT)


def suggest_language(code: str | None) -> None:
    """A language this page likely wants (an invitation's), unless the reader chose one."""
    g.suggested_language = code
    refresh()


def choose_locale() -> str:
    """The page's language: the family member's own, else the one they chose on our pages
    before signing in, else the view's suggestion (an invitation's language), else what the
    browser asks for, else English."""
    chosen = None
    if current_user and current_user.is_authenticated:
        # Staff screens are English until a reviewed staff catalog exists.
        chosen = "en" if current_user.staff_role else current_user.language
    if chosen is None:
        chosen = request.cookies.get(LANGUAGE_COOKIE) or g.get("suggested_language")
    if chosen not in LANGUAGE_BY_CODE:
        chosen = request.accept_languages.best_match(
            [language.code for language in LANGUAGES], default=DEFAULT.code
        )
    return language_named(chosen).locale


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> None:
    """Write each ``.mo`` from its ``.po`` when missing or older: the ``.po`` files are the
    source (reviewed by translators), the ``.mo`` files are built, never committed."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name)
        # Written aside, then moved into place: several processes may start at once.
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        os.replace(temporary, mo_path)


@cache
def _script_words(locale: str) -> dict:
    """The translated words of our scripts for one locale, read from its catalog."""
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return {}
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    words = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if not any(path.startswith(SCRIPT_SOURCES) for path, _line in message.locations):
            continue
        if isinstance(message.id, tuple):
            forms = [form for form in message.string if form]
            if forms:
                words[message.id[0]] = forms
        elif message.string:
            words[message.id] = message.string
    return words


def js_catalog() -> dict:
    """What the page's scripts need to speak its language: the words and plural categories.

    Scripts pick a plural form by the browser's ``Intl.PluralRules`` category, in the order
    gettext numbers the forms (zero, one, two, few, many, other; only those the language has).
    """
    language = current_language()
    tags = Locale.parse(language.locale).plural_form.tags
    order = [tag for tag in ("zero", "one", "two", "few", "many") if tag in tags] + ["other"]
    return {
        "lang": language.code,
        # Latin digits everywhere, as the server writes them (Babel's default for Arabic too).
        "intl": f"{language.code}-u-nu-latn",
        "plurals": order,
        "words": _script_words(language.locale),
    }


def register_i18n(app: Flask) -> None:
    """Flask-Babel with our locale choice, catalogs compiled, and the language in templates."""
    compile_catalogs()
    Babel(app, locale_selector=choose_locale, default_translation_directories=str(TRANSLATIONS_DIR))

    @app.context_processor
    def page_language():
        return {"page_language": current_language(), "LANGUAGES": LANGUAGES}


def render_in(code: str, template: str, **context) -> Markup:
    """A part of a page in another language: the invitation card a nurse prints is in the
    language of the relative it is for, whatever the page around it speaks."""
    language = language_named(code)
    with force_locale(language.locale):
        html = render_template(template, **context)
    # render_template's output is our own escaped template: safe to mark as such.
    wrapper = Markup('<div lang="{}" dir="{}">{}</div>')
    return wrapper.format(language.code, language.direction, Markup(html))  # noqa: S704
