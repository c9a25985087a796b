"""Pieces every form shares."""

from flask_wtf import FlaskForm


def strip(value):
    """Trim surrounding spaces from typed text."""
    return value.strip() if isinstance(value, str) else value


CSRF_EXPIRED = (
    "This page was open while you signed in again, so it could not be sent. "
    "Nothing was saved. Your text is still here: check it and send it again."
)


class BaseForm(FlaskForm):
    """A Flask-WTF form whose CSRF failure reads as plain words and keeps the typed text.

    Every POST in Rounds goes through one of these, so every form is CSRF-protected.
    """

    def validate(self, extra_validators=None) -> bool:
        """Validate, replacing WTForms' CSRF message with one a person can act on."""
        valid = super().validate(extra_validators)
        if not valid and self.meta.csrf and self.csrf_token.errors:
            self.csrf_token.errors = [CSRF_EXPIRED]
        return valid


class ConfirmForm(BaseForm):
    """A button that only needs CSRF protection (sign out, revoke)."""
