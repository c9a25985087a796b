"""Clinician-speak families may not know, with plainer words, for the composer's checker.

The ICU terms (ECMO, intubated...) come from the glossary families read (``rounds.glossary``).
This short list adds the everyday shorthand of notes and handovers that is not an ICU
term ("PRN", "titrated", "stable on current settings"). Both are advice shown beside the
composer (static/js/readability.js): nothing here ever stops a post.
"""

import unicodedata

from flask import Flask

from rounds.glossary import jargon

# Reading levels are measured for these languages only (readability.js).
MEASURED_LANGUAGES = ("en", "es")

PLAIN_WORDS: dict[str, list[dict]] = {
    "en": [
        {"words": ["baseline"], "plain": "usual for your child"},
        {"words": ["PRN", "p.r.n."], "plain": "only when needed"},
        {"words": ["PO"], "plain": "by mouth"},
        {"words": ["BID", "TID", "QID"], "plain": "two, three or four times a day"},
        {"words": ["q2h", "q4h", "q6h", "q8h"], "plain": "every few hours"},
        {"words": ["ambulating"], "plain": "walking"},
        {"words": ["ins and outs", "intake and output"], "plain": "what goes in and comes out"},
        {
            "words": ["hemodynamically stable", "haemodynamically stable"],
            "plain": "heart and blood pressure are steady",
        },
        {"words": ["stable on current settings"], "plain": "steady with the same support"},
        {"words": ["titrate", "titrating", "titrated"], "plain": "adjust little by little"},
        {"words": ["unremarkable"], "plain": "normal"},
        {"words": ["tolerating feeds"], "plain": "taking milk without problems"},
        {"words": ["labs"], "plain": "blood tests"},
        {"words": ["emesis"], "plain": "vomiting"},
        {"words": ["lethargic"], "plain": "very sleepy"},
        {"words": ["prognosis"], "plain": "what we expect to happen"},
        {"words": ["status post", "s/p"], "plain": "after"},
        {"words": ["in the setting of"], "plain": "because of"},
    ],
    "es": [
        {"words": ["dieta absoluta"], "plain": "sin comer ni beber"},
        {"words": ["PRN", "si precisa"], "plain": "solo cuando lo necesite"},
        {"words": ["VO", "vía oral"], "plain": "por la boca"},
        {"words": ["c/4h", "c/6h", "c/8h"], "plain": "cada pocas horas"},
        {"words": ["deambula", "deambulación"], "plain": "camina"},
        {"words": ["balance hídrico"], "plain": "lo que entra y sale de líquidos"},
        {"words": ["evolución favorable"], "plain": "va mejorando"},
        {
            "words": ["hemodinámicamente estable"],
            "plain": "el corazón y la presión están estables",
        },
        {
            "words": ["estable con los parámetros actuales"],
            "plain": "estable con el mismo apoyo",
        },
        {"words": ["titulación", "titular la dosis"], "plain": "ajustar poco a poco"},
        {"words": ["sin hallazgos patológicos", "anodino"], "plain": "normal"},
        {"words": ["tolera la alimentación"], "plain": "toma la leche sin problemas"},
        {"words": ["analítica", "analíticas"], "plain": "análisis de sangre"},
        {"words": ["emesis"], "plain": "vómito"},
        {"words": ["letárgico", "letárgica"], "plain": "muy dormido"},
        {"words": ["pronóstico"], "plain": "lo que esperamos que pase"},
        {"words": ["en el contexto de"], "plain": "por"},
    ],
}


def _same_word(word: str) -> str:
    """A word as the checker compares it: without accents or case."""
    stripped = unicodedata.normalize("NFD", word)
    return "".join(c for c in stripped if not unicodedata.combining(c)).casefold().strip()


def merge_jargon(glossary_terms: list[dict], extra: list[dict]) -> list[dict]:
    """The glossary's terms, then ours for words it does not already explain."""
    known = {_same_word(word) for term in glossary_terms for word in term["words"]}
    merged = [{"words": list(term["words"]), "plain": term["plain"]} for term in glossary_terms]
    for term in extra:
        words = [word for word in term["words"] if _same_word(word) not in known]
        if words:
            merged.append({"words": words, "plain": term["plain"]})
            known.update(_same_word(word) for word in words)
    return merged


def jargon_for_composer() -> dict[str, list[dict]]:
    """Jargon and plainer words for the composer's checker: {"en": [...], "es": [...]}."""
    return {
        language: merge_jargon(jargon(language), PLAIN_WORDS[language])
        for language in MEASURED_LANGUAGES
    }


def register_plain_words(app: Flask) -> None:
    """Let templates call ``jargon_for_composer()`` (templates/staff/_readability.html)."""
    app.jinja_env.globals["jargon_for_composer"] = jargon_for_composer
