"""Joining with an invitation, on the family member's phone.

The link's token is exchanged at once for a short-lived "joining" state in the session and
the browser is sent on to a URL without it, so the token never sits in the history, a
Referer header or a log line after the first request. The short code leads to the same state.
"""

import logging
import re
import time

from flask import Blueprint, current_app, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rounds.auth.sessions import start_session
from rounds.extensions import limiter
from rounds.forms import ConfirmForm
from rounds.i18n import current_language, suggest_language
from rounds.join.forms import CodeForm, JoinForm, NewPassphraseForm
from rounds.services.accounts import find_user_by_email
from rounds.services.invitations import (
    TOKEN_LENGTH,
    InvitationClosed,
    accept_invitation,
    join_with_new_account,
    open_by_code,
    open_by_id,
    open_by_token,
    reset_passphrase,
)

bp = Blueprint("join", __name__, url_prefix="/join")

JOINING_SECONDS = 30 * 60
INVITATION_PATH = re.compile(r"/join/[A-Za-z0-9_-]{20,}")


class DropInvitationTokens(logging.Filter):
    """A request log line (Werkzeug's, in the embedded default) without the link's token.

    gunicorn's access log has its own (deploy/gunicorn.conf.py).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/join/" in message:
            record.msg, record.args = INVITATION_PATH.sub("/join/[invitation]", message), ()
        return True


def start_joining(invitation_id: int):
    """Remember the invitation for half an hour and go on to the welcome page."""
    session["joining"] = {"id": invitation_id, "until": time.time() + JOINING_SECONDS}
    response = redirect(url_for("join.welcome"))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def joining_invitation():
    """The invitation this browser is joining with, while it is still open."""
    joining = session.get("joining")
    if not isinstance(joining, dict) or joining.get("until", 0) < time.time():
        return None
    invitation_id = joining.get("id")
    return open_by_id(invitation_id) if isinstance(invitation_id, int) else None


def closed():
    """The same answer for a used, cancelled, expired or made-up invitation."""
    session.pop("joining", None)
    return render_template("join/closed.html"), 404


@bp.get(f"/<string(length={TOKEN_LENGTH}):token>")
def open_link(token: str):
    """The link in the QR code: swap the token for the joining state."""
    invitation = open_by_token(token)
    if invitation is None:
        body, status = closed()
        return body, status, {"Referrer-Policy": "no-referrer"}
    return start_joining(invitation.id)


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["INVITATION_CODE_LIMIT_PER_CLIENT"], methods=["POST"])
@limiter.shared_limit(
    lambda: current_app.config["INVITATION_CODE_LIMIT_GLOBAL"],
    scope="invitation-codes",
    key_func=lambda: "everyone",
    methods=["POST"],
)
def enter_code():
    """Type the short code from the invitation card."""
    form = CodeForm()
    if form.validate_on_submit():
        invitation = open_by_code(form.code.data)
        if invitation is not None:
            return start_joining(invitation.id)
        form.code.errors = [
            _(
                "This code does not work. Check it with the nurse: each code works once, "
                "for a few days."
            )
        ]
    return render_template("join/code.html", form=form), 400 if form.errors else 200


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["ADDRESS_IN_USE_LIMIT"],
    methods=["POST"],
    deduct_when=lambda _response: bool(g.get("address_in_use")),
)
def welcome():
    """What Rounds is, the consent, and a new account (or join with the one you have)."""
    invitation = joining_invitation()
    if invitation is None:
        return closed()
    if invitation.for_user_id is not None:
        return new_passphrase(invitation)
    # In the language the nurse wrote down for them, unless they chose another on the page.
    suggest_language(invitation.language)
    form = JoinForm(data={"name": invitation.invited_name, "language": current_language().code})
    if not current_user.is_authenticated and form.validate_on_submit():
        if find_user_by_email(form.email.data) is not None:
            # Says an address is taken (one cannot have two accounts), so trying addresses
            # is limited: only someone holding an open invitation gets this far at all.
            g.address_in_use = True
            form.email.errors = [
                _(
                    "This address cannot be used for a new account. If you already use "
                    "Rounds, sign in below instead."
                )
            ]
        else:
            try:
                grant, token = join_with_new_account(
                    invitation.id,
                    form.email.data,
                    form.name.data,
                    form.passphrase.data,
                    form.language.data,
                )
            except InvitationClosed:
                return closed()
            start_session(grant.user, token)  # a new session for the new account
            return after_joining(grant)
    status = 400 if form.errors else 200
    return (
        render_template(
            "join/welcome.html", invitation=invitation, form=form, accept_form=ConfirmForm()
        ),
        status,
    )


def after_joining(grant):
    """To the child's page; or, while a nurse still has to confirm, to the page that says so."""
    if grant.is_active:
        return redirect(url_for("family.child", patient_id=grant.patient_id))
    return redirect(url_for("family.home"))


def new_passphrase(invitation):
    """A re-invitation (lost phone, forgotten passphrase): a new passphrase for the account
    the family member has. Every session of theirs ends (a lost phone is signed out); their
    grants stay."""
    form = NewPassphraseForm()
    user = invitation.for_user
    suggest_language(user.language)
    if form.validate_on_submit():
        try:
            grant, token = reset_passphrase(invitation.id, user, form.passphrase.data)
        except InvitationClosed:
            return closed()
        start_session(user, token)
        return after_joining(grant)
    return (
        render_template("join/new_passphrase.html", invitation=invitation, user=user, form=form),
        400 if form.errors else 200,
    )


@bp.post("/accept")
@login_required
def accept():
    """Join with the account already signed in on this phone."""
    invitation = joining_invitation()
    if invitation is None:
        return closed()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("join.welcome"))
    try:
        grant = accept_invitation(invitation.id, current_user._get_current_object())
    except InvitationClosed:
        return closed()
    session.pop("joining", None)
    return after_joining(grant)
