"""The family's own forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

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
