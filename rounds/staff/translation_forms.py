"""The translation form: each written part of an update, in another language."""

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from rounds.forms import BaseForm, strip
from rounds.models import Update
from rounds.services.translations import TranslationFields
from rounds.staff.forms import (
    MILESTONES_MAX,
    NOTE_MAX,
    PLAN_MAX,
    SUMMARY_MAX,
    WATCH_MAX,
    WATCH_ROWS,
)
from rounds.vocabulary import BODY_SYSTEMS


# Translations run longer than the words they come from (Spanish and Portuguese by a quarter
# or more than English): the composer's limits, with room to spare.
def _with_room(limit: int) -> int:
    return limit * 3 // 2


TRANSLATE_THIS_TOO = "Translate “{part}” too: the family would miss it otherwise."


class TranslationForm(BaseForm):
    """A translation of one version of an update: each written part the original has.

    Status, times and names are not translated (Rounds shows them in the family's language);
    every part the team wrote must be, so the family misses nothing.
    """

    summary = TextAreaField(
        "Summary",
        filters=[strip],
        validators=[DataRequired("Translate the summary."), Length(max=_with_room(SUMMARY_MAX))],
    )
    plan = TextAreaField(
        "Today's plan and goals", filters=[strip], validators=[Length(max=_with_room(PLAN_MAX))]
    )
    milestones = TextAreaField(
        "Milestones", filters=[strip], validators=[Length(max=_with_room(MILESTONES_MAX))]
    )

    def __init__(self, *args, original: Update, **kwargs):
        super().__init__(*args, **kwargs)
        self.original = original

    def watch_rows(self):
        """(the original row, if field, then field) for each row the original has."""
        rows = (self.original.watch_for or [])[:WATCH_ROWS]
        return [
            (row, getattr(self, f"watch_if_{i}"), getattr(self, f"watch_then_{i}"))
            for i, row in enumerate(rows, start=1)
        ]

    def notes(self):
        """(label, the original note, field) for each body system the original wrote about."""
        return [
            (label, text, getattr(self, f"note_{code}"))
            for code, label, text in self.original.notes_in_order
        ]

    def required_parts(self):
        """(field, the part's name) for each part the original has: each must be translated."""
        parts = []
        if self.original.plan:
            parts.append((self.plan, "Today's plan and goals"))
        rows = self.watch_rows()
        for number, (_row, if_field, then_field) in enumerate(rows, start=1):
            row = f", row {number}" if len(rows) > 1 else ""
            parts += [(if_field, f"If{row}"), (then_field, f"Then{row}")]
        if self.original.milestones:
            parts.append((self.milestones, "Milestones"))
        parts += [(field, str(label)) for label, _text, field in self.notes()]
        return parts

    def validate(self, extra_validators=None) -> bool:
        """The usual checks, then: nothing the original says is left out."""
        valid = super().validate(extra_validators)
        for field, part in self.required_parts():
            if not field.data and not field.errors:
                field.errors = [*field.errors, TRANSLATE_THIS_TOO.format(part=part)]
                valid = False
        return valid

    def to_fields(self) -> TranslationFields:
        """The validated translation, with only the parts the original has."""
        return TranslationFields(
            summary=self.summary.data,
            body_notes={
                code: getattr(self, f"note_{code}").data
                for code, _label, _text in self.original.notes_in_order
            },
            plan=self.plan.data if self.original.plan else "",
            watch_for=[
                {"if": if_field.data, "then": then_field.data}
                for _row, if_field, then_field in self.watch_rows()
            ],
            milestones=self.milestones.data if self.original.milestones else "",
        )

    def fill_from(self, fields: TranslationFields) -> None:
        """Start from an earlier translation or a machine draft."""
        self.summary.data = fields.summary
        self.plan.data = fields.plan
        self.milestones.data = fields.milestones
        for code, _label in BODY_SYSTEMS:
            getattr(self, f"note_{code}").data = fields.body_notes.get(code, "")
        for i in range(1, WATCH_ROWS + 1):
            row = fields.watch_for[i - 1] if i <= len(fields.watch_for) else {}
            getattr(self, f"watch_if_{i}").data = row.get("if", "")
            getattr(self, f"watch_then_{i}").data = row.get("then", "")


for _code, _label in BODY_SYSTEMS:
    setattr(
        TranslationForm,
        f"note_{_code}",
        TextAreaField(_label, filters=[strip], validators=[Length(max=_with_room(NOTE_MAX))]),
    )
for _i in range(1, WATCH_ROWS + 1):
    setattr(
        TranslationForm,
        f"watch_if_{_i}",
        StringField("If", filters=[strip], validators=[Length(max=_with_room(WATCH_MAX))]),
    )
    setattr(
        TranslationForm,
        f"watch_then_{_i}",
        StringField("Then", filters=[strip], validators=[Length(max=_with_room(WATCH_MAX))]),
    )
