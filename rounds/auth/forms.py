"""Sign-in form."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from rounds.forms import BaseForm, strip


class SignInForm(BaseForm):
    """Email and password, for staff and family alike."""

    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[DataRequired("Enter your email address."), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=200)],
    )
