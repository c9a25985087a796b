"""The composer's plainer words for a term, as tests look them up."""

from rounds.plain_words import jargon_for_composer


def plain_for(language: str, word: str) -> str:
    """The plainer words the composer offers for ``word``."""
    for term in jargon_for_composer()[language]:
        if word in term["words"]:
            return term["plain"]
    raise AssertionError(f"{word!r} is not in the {language} jargon")
