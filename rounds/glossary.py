"""The glossary: ICU words a family can tap in an update to read a plain explanation.

The words and their explanations live in ``rounds/data/glossary.json``, one entry per term
with all five languages. The file is read and checked once; a broken file stops the app at
start-up with a message that says what is wrong, not halfway through a family's page.

Matching is done on a "folded" copy of the text (accents and Arabic vowel marks dropped,
hamza forms of alef and the final ى unified) so that "sedacion" finds "sedación" and
"الاكسجين" finds "الأكسجين"; what is shown is always the text's own characters.
"""

import dataclasses
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cachetools import LRUCache
from flask import Flask, g
from markupsafe import Markup, escape

from rounds.i18n import LANGUAGES, current_language, language_named

GLOSSARY_PATH = Path(__file__).resolve().parent / "data" / "glossary.json"
LANGUAGE_CODES = tuple(language.code for language in LANGUAGES)
TERM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Arabic writes "and", "with", "for", "like" and "the" joined to the next word: والإكمو,
# بالأكسجين, للطفل (ل + ال). A word may carry them and still be the word.
ARABIC_PREFIX = "(?:[وف]?(?:[بك]?ال|لل|[بلك])?)"
TATWEEL = "\u0640"  # the Arabic stretching stroke: ـ
BUTTON = Markup(
    '<button type="button" class="term" data-term="{}" aria-haspopup="dialog">{}</button>'
)


class GlossaryError(ValueError):
    """The glossary file is missing something or contradicts itself."""


@dataclass(frozen=True)
class Term:
    """One glossary term in one language."""

    id: str
    language: str
    words: tuple[str, ...]  # how it appears in updates; the first is the one shown
    explain: str  # two or three short sentences for a worried parent
    plain: str  # what a clinician could write instead

    @property
    def display(self) -> str:
        """The word shown as the explanation's heading."""
        return self.words[0]


@dataclass(frozen=True)
class Glossary:
    """Every term in every language; each language's finder is compiled when first needed."""

    review: str
    terms: dict[str, dict[str, Term]]  # language -> id -> term, in the file's order
    # language -> (regex, group -> term). Compiling all five at start took 0.2 s of a
    # process's 1.7 s, and how soon a restarted process serves moves the reconnect storm
    # (bench/load.py); a process mostly needs one or two.
    finders: dict[str, tuple[re.Pattern, dict[str, Term]]] = dataclasses.field(default_factory=dict)

    def finder(self, language: str) -> tuple[re.Pattern, dict[str, Term]]:
        """The one regular expression that finds every word of ``language``'s terms."""
        if language not in self.finders:
            self.finders[language] = _finder(self.terms[language], language)
        return self.finders[language]


def fold_char(char: str) -> str:
    """A character without accents or marks ("é" -> "e", "أ" -> "ا"); "" for a bare mark."""
    if char == TATWEEL:
        return ""
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return "ي" if base == "ى" else base


def fold(text: str) -> str:
    """The text as the matcher reads it."""
    return "".join(fold_char(char) for char in text)


def is_abbreviation(word: str) -> bool:
    """Short all-capital words ("IV", "ECMO") match only in capitals: "iv" is not an IV."""
    return len(word) <= 4 and word.isupper()


def _word_pattern(word: str, language: str) -> str:
    parts = [re.escape(part) for part in fold(word).split()]
    body = r"\s+".join(parts)  # "chest  tube" and a line break inside a phrase still match
    if not is_abbreviation(word):
        body = f"(?i:{body})"
    return (ARABIC_PREFIX if language == "ar" else "") + body


def _finder(terms: dict[str, Term], language: str) -> tuple[re.Pattern, dict[str, Term]]:
    """One regular expression for all of a language's words, longest first, so "chest tube"
    wins over "tube" and "nasal cannula" over "cannula" where both start at the same place."""
    words = [(word, term) for term in terms.values() for word in term.words]
    words.sort(key=lambda pair: len(fold(pair[0])), reverse=True)
    groups, alternatives = {}, []
    for index, (word, term) in enumerate(words):
        groups[f"w{index}"] = term
        alternatives.append(f"(?P<w{index}>{_word_pattern(word, language)})")
    pattern = r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"
    return re.compile(pattern), groups


def _check(data: object) -> list[str]:
    """Everything wrong with the file's contents, as sentences."""
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        return ['the file must be an object with a "terms" list']
    problems, ids, owners = [], set(), {code: {} for code in LANGUAGE_CODES}
    if not isinstance(data.get("review"), str) or not data["review"].strip():
        problems.append('"review" must say who wrote the glossary and who reviewed it')
    for position, entry in enumerate(data["terms"], start=1):
        term_id = entry.get("id") if isinstance(entry, dict) else None
        name = f"term {position} ({term_id!r})"
        if not isinstance(term_id, str) or not TERM_ID.match(term_id):
            problems.append(f"{name}: id must be lowercase letters, digits and hyphens")
            continue
        if term_id in ids:
            problems.append(f"{name}: the id is used twice")
        ids.add(term_id)
        for code in LANGUAGE_CODES:
            text = entry.get(code)
            if not isinstance(text, dict):
                problems.append(f"{name}: no {code} entry")
                continue
            words = text.get("words")
            if not isinstance(words, list) or not words:
                problems.append(f"{name} {code}: words must be a non-empty list")
                words = []
            for field in ("explain", "plain"):
                if not isinstance(text.get(field), str) or not text[field].strip():
                    problems.append(f"{name} {code}: {field} is empty")
            for word in words:
                if not isinstance(word, str) or not word.strip() or word != word.strip():
                    problems.append(f"{name} {code}: {word!r} is not a clean word")
                    continue
                # One word, one meaning: otherwise which explanation it opens is a guess.
                owner = owners[code].setdefault(fold(word).casefold(), term_id)
                if owner != term_id:
                    problems.append(f"{name} {code}: {word!r} is also a word of {owner!r}")
        unknown = set(entry) - {"id", *LANGUAGE_CODES}
        if unknown:
            problems.append(f"{name}: unknown keys {sorted(unknown)}")
    return problems


def load_glossary(path: Path = GLOSSARY_PATH) -> Glossary:
    """Read and check a glossary file; raises GlossaryError naming every problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GlossaryError(f"cannot read the glossary {path}: {error}") from error
    problems = _check(data)
    if problems:
        raise GlossaryError(f"the glossary {path} is not valid:\n- " + "\n- ".join(problems))
    terms = {
        code: {
            entry["id"]: Term(
                id=entry["id"],
                language=code,
                words=tuple(entry[code]["words"]),
                explain=entry[code]["explain"].strip(),
                plain=entry[code]["plain"].strip(),
            )
            for entry in data["terms"]
        }
        for code in LANGUAGE_CODES
    }
    return Glossary(review=data["review"], terms=terms)


@cache
def glossary() -> Glossary:
    """The app's glossary, read once per process."""
    return load_glossary()


def _code(language: str | None) -> str:
    return language_named(language).code  # "pt_BR" and "pt-BR" alike; English if unknown


def _occurrences(text: str, language: str):
    """(start, end, term) of every glossary word in ``text``, left to right, not overlapping."""
    folded, origin = [], []
    for index, char in enumerate(text):
        for folded_char in fold_char(char):
            folded.append(folded_char)
            origin.append(index)
    pattern, groups = glossary().finder(_code(language))
    for match in pattern.finditer("".join(folded)):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        while end < len(text) and not fold_char(text[end]):  # marks on the last letter
            end += 1
        yield start, end, groups[match.lastgroup]


def terms_in(text: str, language: str) -> list[Term]:
    """The glossary terms found in ``text``, each once, in the order they first appear."""
    found: dict[str, Term] = {}
    for _start, _end, term in _occurrences(str(text or ""), language):
        found.setdefault(term.id, term)
    return list(found.values())


def _mark(text, language: str) -> tuple[Markup, tuple[str, ...]]:
    if isinstance(text, Markup):  # already HTML: words inside tags must not be touched
        return text, ()
    return _marked("" if text is None else str(text), language)


# A family's feed is made again for each new event and holds the same texts every time;
# finding their words is most of making it (py-spy, bench/load.py). The same text in the
# same language always comes out the same. Kept by size, not count: a long update weighs a
# hundred short ones, and a process's memory must not grow with the stays it has served.
MARKED_CACHE_BYTES = 4_000_000
_marked_cache = LRUCache(MARKED_CACHE_BYTES, getsizeof=lambda found: 2 * len(found[0]) + 128)
_marked_lock = threading.Lock()  # LRUCache is not safe for threads by itself


def _marked(text: str, language: str) -> tuple[Markup, tuple[str, ...]]:
    key = (text, language)
    with _marked_lock:
        found = _marked_cache.get(key)
    if found is None:
        found = _find_and_mark(text, language)
        with _marked_lock:
            if _marked_cache.getsizeof(found) <= MARKED_CACHE_BYTES:
                _marked_cache[key] = found
    return found


def marks_cached_bytes() -> int:
    """What the kept marks hold, about, in bytes."""
    with _marked_lock:
        return _marked_cache.currsize


def _find_and_mark(text: str, language: str) -> tuple[Markup, tuple[str, ...]]:
    pieces, marked, last = [], [], 0
    for start, end, term in _occurrences(text, language):
        if term.id in marked:
            continue
        marked.append(term.id)
        pieces += [escape(text[last:start]), BUTTON.format(term.id, text[start:end])]
        last = end
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces), tuple(marked)


def mark_terms(text: str, language: str) -> Markup:
    """``text`` made safe for HTML, with the first occurrence of each glossary word as a
    button that opens its explanation. Markup (already HTML) is returned unchanged."""
    return _mark(text, language)[0]


def explanations(term_ids, language: str) -> list[tuple[str, str, str]]:
    """(id, word shown, explanation) for each known id, in order, each once."""
    terms = glossary().terms[_code(language)]
    chosen = dict.fromkeys(term_id for term_id in term_ids if term_id in terms)
    return [(term_id, terms[term_id].display, terms[term_id].explain) for term_id in chosen]


def jargon(language: str) -> list[dict]:
    """Each term's words and the plain words a clinician could write instead."""
    return [
        {"id": term.id, "words": list(term.words), "plain": term.plain}
        for term in glossary().terms[_code(language)].values()
    ]


def marked_terms() -> list[str]:
    """The ids the ``terms`` filter has marked so far while making this page."""
    return list(g.get("glossary_marked", ()))


def _terms_filter(text, language: str | None = None) -> Markup:
    """``{{ text|terms }}`` in the page's language, or ``{{ text|terms('es') }}``."""
    marked, ids = _mark(text, language or current_language().code)
    if ids:
        seen = g.setdefault("glossary_marked", {})
        seen.update(dict.fromkeys(ids))
    return marked


def _explanations_global(term_ids, language: str | None = None):
    return explanations(term_ids or (), language or current_language().code)


def register_glossary(app: Flask) -> None:
    """The ``terms`` filter and the ``glossary_explanations`` and ``glossary_marked_terms``
    globals; reads the glossary now, so a broken file stops the app at start-up."""
    glossary()
    app.jinja_env.filters["terms"] = _terms_filter
    app.jinja_env.globals["glossary_explanations"] = _explanations_global
    app.jinja_env.globals["glossary_marked_terms"] = marked_terms
