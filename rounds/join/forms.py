"""The family member's forms for joining with an invitation."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from rounds.family.forms import language_choices
from rounds.forms import BaseForm, strip
from rounds.services.passwords import PASSPHRASE_MIN, is_common_passphrase


class CodeForm(BaseForm):
    """The short code from the invitation card."""

    code = StringField(
        _l("Invitation code"),
        filters=[strip],
        validators=[DataRequired(_l("Type the code from your invitation card.")), Length(max=20)],
    )


class JoinForm(BaseForm):
    """A new Rounds account for the invited family member."""

    name = StringField(
        _l("Your full name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
    )
    email = EmailField(
        _l("Your email address (you sign in with it)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter an email address like name@example.org."), check_deliverability=False),
            Length(max=254),
        ],
    )
    passphrase = PasswordField(
        _l("Choose a passphrase"),
        validators=[
            DataRequired(_l("Choose a passphrase.")),
            Length(
                min=PASSPHRASE_MIN,
                max=200,
                message=_l(
                    "Use at least %(count)s characters, for example three words.",
                    count=PASSPHRASE_MIN,
                ),
            ),
        ],
    )
    passphrase_again = PasswordField(
        _l("Type the passphrase again"),
        validators=[
            DataRequired(_l("Type the passphrase again.")),
            EqualTo("passphrase", _l("The two passphrases are not the same.")),
        ],
    )
    language = SelectField(
        _l("Your language"),
        choices=language_choices(),
        validators=[DataRequired(_l("Choose a language."))],
    )
    consent = BooleanField(
        _l("I have read this and want to receive updates"),
        validators=[DataRequired(_l("Tick the box to agree, or ask the nurse first."))],
    )

    def validate_passphrase(self, field):
        """Refuse the passphrases everyone tries first."""
        if field.data and is_common_passphrase(field.data):
            raise ValidationError(_l("This passphrase is too easy to guess. Try three words."))


class NewPassphraseForm(BaseForm):
    """A re-invitation: a new passphrase for the account the family member already has."""

    passphrase = JoinForm.passphrase
    passphrase_again = JoinForm.passphrase_again
    validate_passphrase = JoinForm.validate_passphrase
