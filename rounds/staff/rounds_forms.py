"""The forms of the rounds queue and of families' questions."""

from wtforms import IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from rounds.forms import LARGEST_ID, BaseForm, strip


class RoundsChangeForm(BaseForm):
    """One change to the queue, made on the version of it the screen showed."""

    version = IntegerField(
        "Queue version",
        validators=[InputRequired("The page is out of date."), NumberRange(0, LARGEST_ID)],
    )
    patient = IntegerField("Child", validators=[Optional(), NumberRange(1, LARGEST_ID)])
    position = IntegerField("Position", validators=[Optional(), NumberRange(1, 10_000)])
    link = StringField(
        "Join link",
        filters=[strip],
        validators=[Length(max=300)],
    )


class QuestionAnswerForm(BaseForm):
    """How a family's question was answered, outside an update."""

    how = RadioField(
        "How was it answered?",
        choices=[
            SelectChoice("bedside", "Answered at the bedside"),
            SelectChoice("call", "We will call you"),
        ],
        validators=[DataRequired("Choose how the question was answered.")],
    )


class RenderingForm(BaseForm):
    """An interpreter's rendering of a family's question, in the team's language."""

    rendering = TextAreaField(
        "In the team's language",
        filters=[strip],
        validators=[DataRequired("Write the question in the team's language."), Length(max=1000)],
    )
