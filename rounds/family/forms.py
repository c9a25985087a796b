"""The family's own forms."""

from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from rounds.forms import BaseForm, strip
from rounds.vocabulary import LANGUAGES, RELATIONSHIPS


class RelativeRequestForm(BaseForm):
    """A guardian asks for another relative to follow the child."""

    name = StringField(
        "Their full name",
        filters=[strip],
        validators=[DataRequired("Enter their name."), Length(max=120)],
    )
    relationship = SelectField(
        "Relationship to the child",
        choices=[SelectChoice(r, r) for r in RELATIONSHIPS],
        validators=[DataRequired("Choose the relationship.")],
    )
    language = SelectField(
        "Their language",
        choices=[SelectChoice(code, name) for code, name in LANGUAGES],
        default="en",
        validators=[DataRequired("Choose a language.")],
    )
    reason = TextAreaField(
        "Anything the nurse should know (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )
