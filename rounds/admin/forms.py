"""The admin's forms: units, staff accounts, and the audit log search."""

import re
from datetime import date, datetime
from functools import cache
from zoneinfo import available_timezones

from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, PasswordInput, TextInput

from rounds.forms import BaseForm, strip, whole_number
from rounds.i18n import LANGUAGE_BY_CODE, LANGUAGES
from rounds.join.forms import JoinForm
from rounds.services.accounts import (
    DUPLICATE_EMAIL,
    DUPLICATE_UNIT,
    STAFF_ROLES,
    RoundsSettings,
    find_user_by_email,
    unit_name_taken,
)
from rounds.services.passwords import PASSPHRASE_MIN
from rounds.services.rounds_queue import JOIN_LINK

ROLE_NAMES = {
    "clinician": "Clinician",
    "nurse": "Nurse",
    "interpreter": "Interpreter",
    "admin": "Admin",
}
# Phone numbers as people write them: digits, spaces and + ( ) - . only, enough digits to dial.
PHONE_CHARACTERS = re.compile(r"[0-9+() .\-]+")
PHONE_MIN_DIGITS = 6
# Names zoneinfo lists that are not places: the machine's own setting and a placeholder.
NOT_PLACES = frozenset({"localtime", "Factory"})
# Dates the audit search accepts: wide enough for any record, narrow enough to compute with.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# When rounds usually start, on the 24-hour clock: "7:30" or "07:30" (kept as "07:30").
CLOCK_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
# What a unit's join link pattern may become once a code is put in (the queue's own check).
SAMPLE_CODE = "Ab3dE5gH7jK9"


class WholeNumberField(IntegerField):
    """A whole number from ``low`` to ``high``, typed in digits (a text box with a number
    keypad on phones); anything else is refused with ``message``, the typed text kept."""

    widget = TextInput()

    def __init__(self, label: str, low: int, high: int, message: str, **kwargs):
        super().__init__(label, render_kw={"inputmode": "numeric"}, **kwargs)
        self.low, self.high, self.message = low, high, message

    def process_formdata(self, valuelist):
        """Read ASCII digits only (no signs, decimals or other scripts' digits)."""
        if not valuelist:
            return
        text = valuelist[0].strip()
        if not text.isascii() or not text.isdigit() or len(text) > 6:
            self.data = None
            raise ValueError(self.message)
        self.data = int(text)

    def pre_validate(self, form):
        """Within the bounds (said once: an unreadable number already has its error)."""
        if not self.process_errors and not (
            self.data is not None and self.low <= self.data <= self.high
        ):
            raise ValidationError(self.message)


@cache
def time_zones() -> tuple[str, ...]:
    """Every time zone a unit can be in: UTC first, then the others by name."""
    return ("UTC", *sorted(available_timezones() - NOT_PLACES - {"UTC"}))


class UnitForm(BaseForm):
    """Add or change a unit."""

    name = StringField(
        "Unit name",
        filters=[strip],
        validators=[DataRequired("Enter the unit's name."), Length(max=120)],
    )
    phone = StringField(
        "Phone number families call",
        filters=[strip],
        validators=[DataRequired("Enter the unit's phone number."), Length(max=40)],
    )
    city = StringField(
        "City (optional)",
        filters=[strip],
        validators=[Length(max=80)],
    )
    timezone = SelectField(
        "Time zone",
        choices=[SelectChoice(tz, tz.replace("_", " ")) for tz in time_zones()],
        default="UTC",
        validate_choice=False,  # checked below, in words
    )
    # Rounds. A field left out of a post keeps the unit's setting (the usual one for a new
    # unit): the form is read over the unit, and the defaults are the model's.
    rounds_start = StringField("Rounds usually start at", filters=[strip], default="07:30")
    minutes_per_child = WholeNumberField(
        "Minutes per child",
        1,
        60,
        "Enter the minutes per child as a whole number from 1 to 60.",
        default=10,
    )
    rounds_idle_hours = WholeNumberField(
        "Hours without a change before rounds end by themselves",
        1,
        12,
        "Enter the hours as a whole number from 1 to 12.",
        default=3,
    )
    join_link_pattern = StringField(
        "Join link pattern (optional)",
        filters=[strip],
        default="",
        validators=[Length(max=200)],
    )
    team_language = SelectField(
        "The team's language",
        choices=[SelectChoice(lang.code, lang.english_name) for lang in LANGUAGES],
        default="en",
        validate_choice=False,  # checked below, in words
    )

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit  # the unit being changed, None for a new one

    def validate_name(self, field):
        """Unit names are unique, without regard to case (the service checks again)."""
        if field.data and not field.errors and unit_name_taken(field.data, self.unit):
            raise ValidationError(DUPLICATE_UNIT)

    def validate_phone(self, field):
        """A number someone can dial, written the usual ways."""
        if field.errors or not field.data:
            return
        digits = sum(ch.isdigit() for ch in field.data)
        if not PHONE_CHARACTERS.fullmatch(field.data) or digits < PHONE_MIN_DIGITS:
            raise ValidationError("Enter a phone number, like +1 555 0100 (digits and spaces).")

    def validate_timezone(self, field):
        """One of the listed zones (the unit's times are shown in it)."""
        if field.data not in time_zones():
            raise ValidationError("Choose the unit's time zone from the list.")

    def validate_rounds_start(self, field):
        """A time on the 24-hour clock, kept as "07:30"."""
        found = CLOCK_TIME.fullmatch(field.data or "")
        hours, minutes = (int(part) for part in found.groups()) if found else (99, 99)
        if hours > 23 or minutes > 59:
            raise ValidationError("Enter a time on the 24-hour clock, like 07:30 or 14:00.")
        field.data = f"{hours:02d}:{minutes:02d}"

    def validate_join_link_pattern(self, field):
        """Empty, or an https:// link with {code} where each child's code goes, that the queue
        accepts once the code is in."""
        if field.errors or not field.data:
            return
        if not field.data.startswith("https://"):
            raise ValidationError("Enter a link that starts with https://, or leave it empty.")
        if "{code}" not in field.data:
            raise ValidationError(
                "Put {code} where each child's code goes, like "
                "https://meet.example.org/picu-{code}."
            )
        if not JOIN_LINK.fullmatch(field.data.replace("{code}", SAMPLE_CODE)):
            raise ValidationError("A link has no spaces, quotes or < > signs.")

    def validate_team_language(self, field):
        """One of the languages Rounds speaks."""
        if field.data not in LANGUAGE_BY_CODE:
            raise ValidationError("Choose the team's language from the list.")

    def rounds_settings(self) -> RoundsSettings:
        """The rounds settings of a validated form."""
        return RoundsSettings(
            self.rounds_start.data,
            self.minutes_per_child.data,
            self.rounds_idle_hours.data,
            self.join_link_pattern.data or "",
            self.team_language.data,
        )


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffRoleMixin:
    """A staff member's role and units, on the add and change forms."""

    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Choose a role")]
        + [SelectChoice(code, ROLE_NAMES[code]) for code in STAFF_ROLES],
        validate_choice=False,  # checked below, in words
    )
    units = CheckboxesField("Units", coerce=int, validate_choice=False)
    translates = CheckboxesField(
        "Translates into",
        choices=[
            SelectChoice(
                lang.code, lang.name if lang.code == "en" else f"{lang.english_name} · {lang.name}"
            )
            for lang in LANGUAGES
        ],
        validate_choice=False,  # checked below, in words
    )

    def set_unit_choices(self, units) -> None:
        """The units the admin may choose from (all of them, by name)."""
        self.units.choices = [SelectChoice(unit.id, unit.name) for unit in units]

    def validate_role(self, field):
        """One of the four staff roles."""
        if field.data not in STAFF_ROLES:
            raise ValidationError("Choose a role from the list.")

    def validate_units(self, field):
        """Real units; at least one for those who work with children, none for admins."""
        known = {choice.value for choice in field.choices}
        chosen = field.data or []
        if any(unit_id not in known for unit_id in chosen):
            raise ValidationError("Choose units from the list.")
        if self.role.data == "admin" and chosen:
            raise ValidationError("Admins work in no unit: clear the units or choose another role.")
        if self.role.data in ("clinician", "nurse", "interpreter") and not chosen:
            raise ValidationError("Choose at least one unit: staff see only their units' children.")

    def validate_translates(self, field):
        """Languages Rounds speaks; none for admins (they never see a child's updates)."""
        chosen = field.data or []
        if any(code not in LANGUAGE_BY_CODE for code in chosen):
            raise ValidationError("Choose languages from the list.")
        if self.role.data == "admin" and chosen:
            raise ValidationError(
                "Admins do not translate: clear the languages or choose another role."
            )


class AddStaffForm(BaseForm, StaffRoleMixin):
    """A new staff account."""

    name = StringField(
        "Full name",
        filters=[strip],
        validators=[DataRequired("Enter their full name."), Length(max=120)],
    )
    email = EmailField(
        "Work email address (they sign in with it)",
        filters=[strip],
        validators=[
            DataRequired("Enter their email address."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            Length(max=254),
        ],
    )
    # Shown back when the form is refused: it is a first password the admin hands over
    # (not their own), and an empty field would silently mean "make one for me".
    password = PasswordField(
        "First password (optional)",
        widget=PasswordInput(hide_value=False),
        validators=[
            Optional(),
            Length(
                min=PASSPHRASE_MIN,
                message=f"Use at least {PASSPHRASE_MIN} characters, for example three words.",
            ),
            Length(max=200),
        ],
    )
    # The join form's rule, not a copy: the passwords everyone tries first are refused.
    validate_password = JoinForm.validate_passphrase

    def validate_email(self, field):
        """One account per address (said with every other error; the service checks again)."""
        if field.data and not field.errors and find_user_by_email(field.data) is not None:
            raise ValidationError(DUPLICATE_EMAIL)


class ChangeStaffForm(BaseForm, StaffRoleMixin):
    """A staff member's role and units."""


class DayField(DateField):
    """A date typed or picked as YYYY-MM-DD, refused in plain words otherwise."""

    def process_formdata(self, valuelist):
        """Read the date; say what was expected if it cannot be read or is out of range."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a date like 2026-11-16 (year-month-day).") from None
        if self.data is not None and not FIRST_DAY <= self.data <= LAST_DAY:
            self.data = None
            raise ValueError(f"Choose a date between {FIRST_DAY} and {LAST_DAY}.")


class AuditSearchForm(BaseForm):
    """Filters for the audit log, read from the address (a search changes nothing)."""

    class Meta:
        csrf = False

    action = SelectField("What happened", validate_choice=False)
    person = StringField(
        "Who did it (email address)",
        filters=[strip],
        validators=[
            Optional(),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            Length(max=254),
        ],
    )
    child = StringField("Child's number", filters=[strip], validators=[Length(max=10)])
    start = DayField("From", validators=[Optional()])
    end = DayField("To (including that day)", validators=[Optional()])
    zone = SelectField("Dates and times in", default="UTC", validate_choice=False)

    def set_choices(self, actions, zones) -> None:
        """The actions present in the log, and UTC or a unit's time zone."""
        self.action.choices = [SelectChoice("", "Any action")] + [
            SelectChoice(action, action.replace("_", " ")) for action in actions
        ]
        self.zone.choices = [SelectChoice(tz, label) for tz, label in zones]

    def validate_action(self, field):
        """An action the log holds (or any)."""
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError("Choose an action from the list.")

    def validate_zone(self, field):
        """UTC or one of the units' zones."""
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Choose a time zone from the list.")

    def validate_child(self, field):
        """A child's number, as the census and the log show it."""
        if field.data and not field.errors and whole_number(field.data) is None:
            raise ValidationError("Enter the child's number in digits only, like 42.")

    def validate_end(self, field):
        """A range that runs forwards."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")

    def child_id(self) -> int | None:
        """The child asked about, if any."""
        return whole_number(self.child.data)


def day_start(day: date, tz) -> datetime:
    """Midnight at the start of ``day`` in the zone."""
    return datetime.combine(day, datetime.min.time(), tzinfo=tz)
