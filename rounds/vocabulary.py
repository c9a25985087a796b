"""The fixed, plain-language vocabularies families see: the status scale and body systems.

Codes are stored; the words here are what families read, translated when shown (lazily:
they are made once, at import, and speak each reader's language).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Status:
    """One step of the overall status scale: always a word and a colour."""

    code: str
    words: LazyString
    colour: str


STATUS_SCALE = (
    Status("critical", _l("Critical: needs the most support"), "red"),
    Status("serious", _l("Serious but stable"), "orange"),
    Status("improving", _l("Improving"), "blue"),
    Status("ready", _l("Getting ready to leave the ICU"), "green"),
    Status("comfort", _l("Comfort care"), "purple"),
)
STATUS_BY_CODE = {status.code: status for status in STATUS_SCALE}

BODY_SYSTEMS = (
    ("heart", _l("Heart and circulation")),
    ("breathing", _l("Breathing")),
    ("life_support", _l("ECMO and other life support")),
    ("brain", _l("Brain and comfort")),
    ("feeding", _l("Feeding")),
    ("kidneys", _l("Kidneys")),
    ("infection", _l("Infection")),
    ("lines", _l("Tubes and lines")),
)

# Stored in English (what staff read); shown to families in their language.
RELATIONSHIPS = {
    "Mother": _l("Mother"),
    "Father": _l("Father"),
    "Parent": _l("Parent"),
    "Legal guardian": _l("Legal guardian"),
    "Grandparent": _l("Grandparent"),
    "Aunt or uncle": _l("Aunt or uncle"),
    "Sibling": _l("Sibling"),
    "Other relative": _l("Other relative"),
}


def relationship_words(stored: str) -> str:
    """A stored relationship in the reader's language (as typed, if it is not one of ours)."""
    words = RELATIONSHIPS.get(stored)
    return str(words) if words is not None else stored


# How an author's role reads beside their first name on an update.
ROLE_WORDS = {
    "clinician": _l("clinician"),
    "nurse": _l("nurse"),
    "interpreter": _l("interpreter"),
    "admin": _l("administrator"),
}
