"""The words of Rounds' gettext catalogs, read from the same source the app reads."""

from babel.messages.pofile import read_po

from rounds.i18n import TRANSLATIONS_DIR


def tr(locale: str, msgid: str, **values) -> str:
    """What the catalog says for ``msgid``: the test reads the same source as the app."""
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        text = read_po(source, locale=locale)[msgid].string
    assert text, f"{locale} has no translation of {msgid!r}"
    return text % values if values else text
