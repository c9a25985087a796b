"""Pieces every form shares."""

import re

from flask import flash, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict

# C0 control characters other than tab, newline and carriage return: invisible, never typed
# on purpose, and PostgreSQL refuses NUL in text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value):
    """Trim surrounding spaces from typed text."""
    return value.strip() if isinstance(value, str) else value


CSRF_EXPIRED = (
    "This page was open while you signed in again, so it could not be sent. "
    "Nothing was saved. Your text is still here: check it and send it again."
)


def submitted_form_data():
    """What a browser form sent: form fields only, with invisible control characters removed.

    Flask-WTF would also read a JSON body as form data, whose numbers, lists and objects
    break the string validators; Rounds' forms are HTML forms, so JSON is ignored.
    """
    return ImmutableMultiDict(
        [(key, CONTROL_CHARACTERS.sub("", value)) for key, value in request.form.items(multi=True)]
    )


class BaseForm(FlaskForm):
    """A Flask-WTF form whose CSRF failure reads as plain words and keeps the typed text.

    Every POST in Rounds goes through one of these, so every form is CSRF-protected.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            """Read only HTML form fields from the request (see submitted_form_data)."""
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata  # given explicitly (None: render without request data)
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                return submitted_form_data()
            return None

    def validate(self, extra_validators=None) -> bool:
        """Validate, replacing WTForms' CSRF message with one a person can act on."""
        valid = super().validate(extra_validators)
        if not valid and self.meta.csrf and self.csrf_token.errors:
            self.csrf_token.errors = [CSRF_EXPIRED]
        return valid


class ConfirmForm(BaseForm):
    """A button that only needs CSRF protection (sign out, revoke)."""


def confirmed_press(button: str) -> bool:
    """A button's small confirm form went through; if not, the page says to press it again."""
    if ConfirmForm().validate_on_submit():
        return True
    flash(f"That did not go through. Press {button} again.", "warning")
    return False


# The largest id or number a database INTEGER column holds (PostgreSQL's, SQLite's too).
LARGEST_ID = 2**31 - 1


def whole_number(text: str | None, largest: int = LARGEST_ID) -> int | None:
    """A query-string number (ASCII digits only, within a database integer), else None."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= largest else None


def whole_numbers(text: str, most: int) -> set[int]:
    """Comma-separated query-string numbers ("3,7,12"), at most ``most`` of them; an empty set
    if any part is not a ``whole_number`` or there are too many."""
    parts = text.split(",", most)
    if len(parts) > most:
        return set()
    numbers = {whole_number(part) for part in parts}
    return set() if None in numbers else numbers
