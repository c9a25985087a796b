"""The family member's forms for joining with an invitation."""

from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from rounds.forms import BaseForm, strip
from rounds.services.passwords import PASSPHRASE_MIN, is_common_passphrase
from rounds.vocabulary import LANGUAGES


class CodeForm(BaseForm):
    """The short code from the invitation card."""

    code = StringField(
        "Invitation code",
        filters=[strip],
        validators=[DataRequired("Type the code from your invitation card."), Length(max=20)],
    )


class JoinForm(BaseForm):
    """A new Rounds account for the invited family member."""

    name = StringField(
        "Your full name",
        filters=[strip],
        validators=[DataRequired("Enter your name."), Length(max=120)],
    )
    email = EmailField(
        "Your email address (you sign in with it)",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            Length(max=254),
        ],
    )
    passphrase = PasswordField(
        "Choose a passphrase",
        validators=[
            DataRequired("Choose a passphrase."),
            Length(
                min=PASSPHRASE_MIN,
                max=200,
                message=f"Use at least {PASSPHRASE_MIN} characters, for example three words.",
            ),
        ],
    )
    passphrase_again = PasswordField(
        "Type the passphrase again",
        validators=[
            DataRequired("Type the passphrase again."),
            EqualTo("passphrase", "The two passphrases are not the same."),
        ],
    )
    language = SelectField(
        "Your language",
        choices=[SelectChoice(code, name) for code, name in LANGUAGES],
        validators=[DataRequired("Choose a language.")],
    )
    consent = BooleanField(
        "I have read this and want to receive updates",
        validators=[DataRequired("Tick the box to agree, or ask the nurse first.")],
    )

    def validate_passphrase(self, field):
        """Refuse the passphrases everyone tries first."""
        if field.data and is_common_passphrase(field.data):
            raise ValidationError("This passphrase is too easy to guess. Try three words.")


class NewPassphraseForm(BaseForm):
    """A re-invitation: a new passphrase for the account the family member already has."""

    passphrase = JoinForm.passphrase
    passphrase_again = JoinForm.passphrase_again
    validate_passphrase = JoinForm.validate_passphrase
