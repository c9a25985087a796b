"""The update composer and the other staff forms."""

from datetime import datetime, timedelta

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from rounds.forms import BaseForm, strip
from rounds.i18n import LANGUAGE_BY_CODE, LANGUAGES
from rounds.models.types import utcnow
from rounds.services.updates import UpdateFields
from rounds.timefmt import zone
from rounds.vocabulary import BODY_SYSTEMS, RELATIONSHIPS, STATUS_SCALE

WATCH_ROWS = 3
SUMMARY_MAX = 1200
PLAN_MAX = 1200
MILESTONES_MAX = 600
WATCH_MAX = 300
NOTE_MAX = 800
MAX_AHEAD = timedelta(days=14)


class UpdateForm(BaseForm):
    """A structured rounds update, in families' words."""

    language = SelectField(
        "Written in",
        choices=[SelectChoice(lang.code, lang.english_name) for lang in LANGUAGES],
        default="en",
        validate_choice=False,  # checked below, in words
    )
    status = RadioField(
        "Overall status",
        choices=[SelectChoice(s.code, s.words) for s in STATUS_SCALE],
        validators=[DataRequired("Choose the overall status.")],
    )
    summary = TextAreaField(
        "Summary in plain words",
        filters=[strip],
        validators=[DataRequired("Write a short summary for the family."), Length(max=SUMMARY_MAX)],
    )
    plan = TextAreaField(
        "Today's plan and goals", filters=[strip], validators=[Length(max=PLAN_MAX)]
    )
    milestones = TextAreaField(
        "Milestones", filters=[strip], validators=[Length(max=MILESTONES_MAX)]
    )
    care_team = StringField("Care team today", filters=[strip], validators=[Length(max=300)])
    next_update_at = DateTimeLocalField(
        "Next update expected",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )

    def __init__(self, *args, unit_timezone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_timezone = unit_timezone

    def body_note_fields(self):
        """(field, label) for each body system, in the fixed order."""
        return [(getattr(self, f"note_{code}"), label) for code, label in BODY_SYSTEMS]

    def body_notes_open(self) -> bool:
        """Show the body-system notes unfolded when any has text or an error."""
        return any(field.data or field.errors for field, _label in self.body_note_fields())

    def watch_rows(self):
        """(if field, then field) pairs."""
        return [
            (getattr(self, f"watch_if_{i}"), getattr(self, f"watch_then_{i}"))
            for i in range(1, WATCH_ROWS + 1)
        ]

    def validate_language(self, field):
        """One of the languages Rounds speaks (families who read another get a translation)."""
        if field.data not in LANGUAGE_BY_CODE:
            raise ValidationError("Choose the language you wrote the update in.")

    def validate_next_update_at(self, field):
        """The next update is expected in the coming two weeks, not in the past."""
        if field.data is None:
            return
        moment = self.next_update_moment()
        now = utcnow()
        if moment < now - timedelta(minutes=5):
            raise ValidationError("Choose a time that has not passed yet.")
        if moment > now + MAX_AHEAD:
            raise ValidationError("Choose a time within the next two weeks.")

    def next_update_moment(self) -> datetime | None:
        """The typed local time, read in the unit's time zone."""
        if self.next_update_at.data is None:
            return None
        return self.next_update_at.data.replace(tzinfo=zone(self.unit_timezone))

    def validate(self, extra_validators=None) -> bool:
        """Check each if/then row is either empty or has both halves."""
        valid = super().validate(extra_validators)
        for if_field, then_field in self.watch_rows():
            if if_field.data and not then_field.data:
                then_field.errors = [*then_field.errors, "Say what the team will do."]
                valid = False
            elif then_field.data and not if_field.data:
                if_field.errors = [*if_field.errors, "Say what the team is watching for."]
                valid = False
        return valid

    def to_fields(self) -> UpdateFields:
        """The validated form as update content."""
        return UpdateFields(
            status=self.status.data,
            summary=self.summary.data,
            body_notes={code: getattr(self, f"note_{code}").data for code, _ in BODY_SYSTEMS},
            plan=self.plan.data or "",
            watch_for=[
                {"if": if_field.data, "then": then_field.data}
                for if_field, then_field in self.watch_rows()
                if if_field.data or then_field.data
            ],
            milestones=self.milestones.data or "",
            care_team=self.care_team.data or "",
            next_update_at=self.next_update_moment(),
            language=self.language.data,
        )

    def fill_from(self, fields: UpdateFields, *, with_next_update: bool = True) -> None:
        """Pre-fill the form (copy forward, correct)."""
        self.status.data = fields.status
        self.summary.data = fields.summary
        self.plan.data = fields.plan
        self.milestones.data = fields.milestones
        self.care_team.data = fields.care_team
        self.language.data = fields.language
        for code, _label in BODY_SYSTEMS:
            getattr(self, f"note_{code}").data = fields.body_notes.get(code, "")
        for i, (if_field, then_field) in enumerate(self.watch_rows()):
            row = fields.watch_for[i] if i < len(fields.watch_for) else {}
            if_field.data = row.get("if", "")
            then_field.data = row.get("then", "")
        if with_next_update and fields.next_update_at is not None:
            local = fields.next_update_at.astimezone(zone(self.unit_timezone))
            self.next_update_at.data = local.replace(tzinfo=None)


for _code, _label in BODY_SYSTEMS:
    setattr(
        UpdateForm,
        f"note_{_code}",
        TextAreaField(_label, filters=[strip], validators=[Length(max=NOTE_MAX)]),
    )
for _i in range(1, WATCH_ROWS + 1):
    setattr(
        UpdateForm,
        f"watch_if_{_i}",
        StringField("If", filters=[strip], validators=[Length(max=WATCH_MAX)]),
    )
    setattr(
        UpdateForm,
        f"watch_then_{_i}",
        StringField("Then", filters=[strip], validators=[Length(max=WATCH_MAX)]),
    )


class ReasonMixin:
    """A required reason, kept in the record."""

    reason = TextAreaField(
        "Reason",
        filters=[strip],
        validators=[DataRequired("Give a reason; it is kept in the record."), Length(max=300)],
    )


class CorrectionForm(UpdateForm, ReasonMixin):
    """A corrected version of an update, with the reason for the correction."""


class RetractForm(BaseForm, ReasonMixin):
    """Hide an update from the family, with the reason."""


class AdmitForm(BaseForm):
    """Admit a child to one of the staff member's units."""

    display_name = StringField(
        "Child's name",
        filters=[strip],
        validators=[DataRequired("Enter the child's name."), Length(max=120)],
    )
    bed = StringField(
        "Bed",
        filters=[strip],
        validators=[DataRequired("Enter the bed."), Length(max=20)],
    )
    unit_id = SelectField("Unit", coerce=int, validate_choice=True)


class GrantAccessForm(BaseForm):
    """Give a family member access to a child."""

    name = StringField(
        "Family member's full name",
        filters=[strip],
        validators=[DataRequired("Enter their name."), Length(max=120)],
    )
    email = EmailField(
        "Their email address",
        filters=[strip],
        validators=[
            DataRequired("Enter their email address."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            Length(max=254),
        ],
    )
    relationship = SelectField(
        "Relationship to the child",
        choices=[SelectChoice(r, r) for r in RELATIONSHIPS],
        validators=[DataRequired("Choose the relationship.")],
    )
    is_guardian = BooleanField("Parent or legal guardian")


class InviteForm(BaseForm):
    """Invite a family member: they join with a QR code, a link or a short code."""

    # Named apart from the email form's fields: both are on one page, each id once.
    invitee_name = StringField(
        "Family member's full name",
        filters=[strip],
        validators=[DataRequired("Enter their name."), Length(max=120)],
    )
    invitee_relationship = SelectField(
        "Relationship to the child",
        choices=[SelectChoice(r, r) for r in RELATIONSHIPS],
        validators=[DataRequired("Choose the relationship.")],
    )
    invitee_is_guardian = BooleanField("Parent or legal guardian")
    invitee_language = SelectField(
        "Their preferred language",
        choices=[
            SelectChoice(
                lang.code, f"{lang.english_name} ({lang.name})" if lang.code != "en" else lang.name
            )
            for lang in LANGUAGES
        ],
        default="en",
        validators=[DataRequired("Choose a language.")],
    )
    invitee_contact = StringField(
        "Phone or email (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=254)],
    )
    invitee_bedside_check = BooleanField(
        "Confirm who they are at the bedside before they see updates"
    )


class RestrictForm(BaseForm):
    """Safeguarding: new access to this child needs a second member of staff."""

    note = TextAreaField(
        "Why (kept in the record; families never see it)",
        filters=[strip],
        validators=[
            DataRequired("Say why, for example a court order or a safety concern."),
            Length(max=500),
        ],
    )
