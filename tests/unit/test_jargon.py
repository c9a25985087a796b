"""The composer's jargon lists: the glossary's words win, plainer words in English and Spanish."""

from rounds.plain_words import PLAIN_WORDS, jargon_for_composer, merge_jargon
from tests.support.jargon import plain_for


def test_glossary_wins_over_our_shorthand():
    reviewed = [{"words": ["ECMO", "Afebril"], "plain": "reviewed words"}]
    ours = [
        {"words": ["afebril", "febril"], "plain": "ours"},
        {"words": ["ecmo"], "plain": "ours too"},
    ]
    merged = merge_jargon(reviewed, ours)
    assert merged == [
        {"words": ["ECMO", "Afebril"], "plain": "reviewed words"},
        {"words": ["febril"], "plain": "ours"},
    ]


def test_composer_gets_english_and_spanish_jargon_with_plain_words():
    data = jargon_for_composer()
    assert set(data) == {"en", "es"}
    for language in ("en", "es"):
        assert len(PLAIN_WORDS[language]) >= 15
        assert all(term["words"] and term["plain"] for term in data[language])
    # The glossary's ICU words, and our clinician shorthand beside them.
    assert plain_for("en", "ECMO") == "heart-lung machine"
    assert plain_for("en", "PRN") == "only when needed"
    assert plain_for("es", "ECMO") == "máquina de corazón y pulmón"
    assert plain_for("es", "si precisa") == "solo cuando lo necesite"
