"""The fixed, plain-language vocabularies families see: the status scale and body systems.

Codes are stored; the words here are what families read (translated in a later issue).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    """One step of the overall status scale: always a word and a colour."""

    code: str
    words: str
    colour: str


STATUS_SCALE = (
    Status("critical", "Critical: needs the most support", "red"),
    Status("serious", "Serious but stable", "orange"),
    Status("improving", "Improving", "blue"),
    Status("ready", "Getting ready to leave the ICU", "green"),
    Status("comfort", "Comfort care", "purple"),
)
STATUS_BY_CODE = {status.code: status for status in STATUS_SCALE}

BODY_SYSTEMS = (
    ("heart", "Heart and circulation"),
    ("breathing", "Breathing"),
    ("life_support", "ECMO and other life support"),
    ("brain", "Brain and comfort"),
    ("feeding", "Feeding"),
    ("kidneys", "Kidneys"),
    ("infection", "Infection"),
    ("lines", "Tubes and lines"),
)

RELATIONSHIPS = (
    "Mother",
    "Father",
    "Parent",
    "Legal guardian",
    "Grandparent",
    "Aunt or uncle",
    "Sibling",
    "Other relative",
)

# Languages a family member can choose for Rounds' own words (code, name in that language).
LANGUAGES = (
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("pt", "Português"),
    ("ar", "العربية"),
    ("zh", "中文"),
    ("vi", "Tiếng Việt"),
)
