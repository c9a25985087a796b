"""The family's own forms."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from rounds.forms import BaseForm, strip
from rounds.i18n import LANGUAGES
from rounds.vocabulary import RELATIONSHIPS


def language_choices() -> list[SelectChoice]:
    """Each language named in itself: a reader finds their own whatever the page speaks."""
    return [SelectChoice(lang.code, lang.name, render_kw={"lang": lang.code}) for lang in LANGUAGES]


class RelativeRequestForm(BaseForm):
    """A guardian asks for another relative to follow the child."""

    name = StringField(
        _l("Their full name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter their name.")), Length(max=120)],
    )
    relationship = SelectField(
        _l("Relationship to the child"),
        choices=[SelectChoice(stored, words) for stored, words in RELATIONSHIPS.items()],
        validators=[DataRequired(_l("Choose the relationship."))],
    )
    language = SelectField(
        _l("Their language"),
        choices=language_choices(),
        default="en",
        validators=[DataRequired(_l("Choose a language."))],
    )
    reason = TextAreaField(
        _l("Anything the nurse should know (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )


class LanguageForm(BaseForm):
    """A family member's own language: Rounds' words, and the updates when translated."""

    language = SelectField(
        _l("Your language"),
        choices=language_choices(),
        validators=[DataRequired(_l("Choose a language."))],
    )


# A number someone can dial, written the usual ways (as the admin's unit phone).
PHONE_CHARACTERS = re.compile(r"\+?[0-9() .\-]+")
PHONE_MIN_DIGITS = 6


class RoundsAnswerForm(BaseForm):
    """A family member says how they will take part in the next rounds of their child."""

    choice = RadioField(
        _l("Will you be there for rounds?"),
        choices=[
            SelectChoice("bedside", _l("I'll be at the bedside")),
            SelectChoice("video", _l("I'd like to join by video")),
            SelectChoice("call", _l("Please call me")),
            SelectChoice("cannot", _l("I can't make it today")),
        ],
        validators=[DataRequired(_l("Choose one answer."))],
    )
    phone = StringField(
        _l("The number the team should call"),
        filters=[strip],
        validators=[Length(max=40)],  # required for a first call: validate_phone
    )

    def __init__(self, *args, known_phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.known_phone = known_phone

    def validate_phone(self, field):
        """Asked the first time someone wants a call; a number a phone can dial."""
        if self.choice.data != "call" or field.errors:
            return
        if not field.data and not self.known_phone:
            raise ValidationError(_l("Enter the number the team should call."))
        digits = sum(ch.isdigit() for ch in field.data or "")
        if field.data and (not PHONE_CHARACTERS.fullmatch(field.data) or digits < PHONE_MIN_DIGITS):
            raise ValidationError(_l("Enter a phone number, like +1 555 0100."))


class QuestionForm(BaseForm):
    """A question for the team at the next rounds, in the asker's words and language."""

    text = TextAreaField(
        _l("Your question for the care team"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write your question.")),
            Length(max=500, message=_l("Your question is longer than 500 characters.")),
        ],
    )
