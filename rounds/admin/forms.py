"""The admin's forms: units, staff accounts, and the audit log search."""

import re
from datetime import date, datetime
from functools import cache
from zoneinfo import available_timezones

from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, PasswordInput

from rounds.forms import BaseForm, strip, whole_number
from rounds.i18n import LANGUAGE_BY_CODE, LANGUAGES
from rounds.join.forms import JoinForm
from rounds.services.accounts import (
    DUPLICATE_EMAIL,
    DUPLICATE_UNIT,
    STAFF_ROLES,
    find_user_by_email,
    unit_name_taken,
)
from rounds.services.passwords import PASSPHRASE_MIN

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
