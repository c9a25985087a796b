"""Sign in and out; send each person to where their work is."""

import hashlib
import unicodedata
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from werkzeug.exceptions import HTTPException

from rounds.auth.forms import SignInForm
from rounds.auth.sessions import session_token, start_session
from rounds.extensions import limiter
from rounds.forms import ConfirmForm
from rounds.i18n import LANGUAGE_BY_CODE, LANGUAGE_COOKIE
from rounds.models import User
from rounds.permissions import can_administer, can_see_census
from rounds.services import sessions as session_records
from rounds.services.accounts import find_user_by_email, normalise_email
from rounds.services.passwords import check_password, check_password_of_nobody

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = _l("The email address or password is not right. Check them and try again.")
# Forms whose typed text survives a session that ran out: shown again, saved after signing in.
# Never a sign-in form (a password on a page).
KEEPS_TEXT = frozenset(
    {
        "staff.post",
        "staff.correct",
        "staff.retract",
        "staff.invite",
        "staff.grant_access",
        "staff.restrict",
        "family.relatives",
        "admin.units",
        "admin.unit",
    }
)
KEPT_PREFIX = "kept-"
NOT_KEPT = frozenset({"csrf_token", "action"})


def _account_and_address() -> str:
    """Failed sign-ins count per account and address together (the account as a hash: no
    address typed ends up in Redis)."""
    email = normalise_email(request.form.get("email", ""))[:254]
    return f"{get_remote_address()}|{hashlib.sha256(email.encode()).hexdigest()[:24]}"


def _failed(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def sign_in_limits(view):
    """Only failed sign-ins count: per account and address, and per address overall."""
    view = limiter.shared_limit(
        lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
        scope="sign-in-account",
        key_func=_account_and_address,
        methods=["POST"],
        deduct_when=_failed,
    )(view)
    return limiter.shared_limit(
        lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"],
        scope="sign-in-address",
        methods=["POST"],
        deduct_when=_failed,
    )(view)


def authenticate(form: SignInForm) -> User | None:
    """The account whose address and password were typed, if both are right and the account
    is in use. Failures are audited and counted; the answer never tells which part was wrong."""
    user = find_user_by_email(form.email.data)
    if user is None:
        check_password_of_nobody(form.password.data)
    elif user.active and check_password(user.password_hash, form.password.data):
        return user
    g.sign_in_failed = True
    session_records.record_failed_sign_in(user, client=request.remote_addr)
    form.password.errors = [SIGN_IN_FAILED]
    return None


def home_for(user) -> str:
    """Where a person lands after signing in."""
    if can_see_census(user):
        return url_for("staff.census")
    if can_administer(user):
        return url_for("admin.audit_log")
    return url_for("family.home")


# Characters no address of ours holds: controls (C0, DEL, C1), invisible format marks, lone
# surrogates, and spaces and line breaks of every kind. A Location header refuses CR and LF
# (a 500), and browsers and urlsplit silently drop tabs and newlines, so the path followed
# would not be the path checked.
NOT_IN_AN_ADDRESS = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def _safe_next(target: str | None) -> str | None:
    """A ``next`` URL only if it stays on this site (a path, no host, no scheme) and holds no
    control character, space or line break; otherwise no ``next`` at all."""
    if not target or any(unicodedata.category(ch) in NOT_IN_AN_ADDRESS for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.get("/")
def index():
    """Send a signed-in person to their home; others to sign in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.sign_in"))


@bp.get("/health")
def health():
    """Liveness check for proxies and tests."""
    return {"ok": True}


@bp.route("/signin", methods=["GET", "POST"])
@sign_in_limits
def sign_in():
    """Sign in with an email address and password."""
    form = SignInForm()
    user = signed_in_with(form)
    if user is not None:
        return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/sign_in.html", form=form)


def signed_in_with(form: SignInForm) -> User | None:
    """The person a sent sign-in form names, signed in on a new session (audited); None if
    the form was not sent or is wrong (the error is then beside the password)."""
    if not form.validate_on_submit():
        return None
    user = authenticate(form)
    if user is not None:
        # The record and its audit row in one commit; then the browser's fresh session.
        start_session(user, session_records.sign_in(user, client=request.remote_addr))
    return user


def kept_target(path: str | None) -> str | None:
    """``path`` if it is a form whose text is kept across signing in again."""
    path = _safe_next(path)
    if path is None:
        return None
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(path, method="POST")
    except HTTPException:
        return None
    return path if endpoint in KEEPS_TEXT else None


def kept_fields(form, prefix: str = "") -> list[tuple[str, str]]:
    """The typed fields of a form (those named ``prefix``...), without its CSRF token."""
    fields = []
    for name, value in form.items(multi=True):
        if name.startswith(prefix) and name[len(prefix) :] not in NOT_KEPT:
            fields.append((name[len(prefix) :], value))
    return fields


def signed_out_while_typing():
    """The answer to an update form sent after the session ran out: nothing saved, the text
    shown again, and a sign-in that leads to saving it."""
    return (
        render_template(
            "auth/continue.html",
            form=SignInForm(formdata=None),
            target=request.path,
            kept=kept_fields(request.form),
        ),
        401,
    )


@bp.post("/signin/continue")
@sign_in_limits
def sign_in_to_continue():
    """Sign in again with the text of an unsaved form kept; then offer to save it."""
    target = kept_target(request.args.get("next"))
    if target is None:
        return redirect(url_for("auth.sign_in"))
    kept = kept_fields(request.form, prefix=KEPT_PREFIX)
    form = SignInForm()
    if signed_in_with(form) is not None:
        return render_template("auth/continue.html", target=target, kept=kept, form=None)
    return render_template("auth/continue.html", form=form, target=target, kept=kept), 401


@bp.post("/signout")
@login_required
def sign_out():
    """Sign out of this browser."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Please press Sign out again."), "info")
        return redirect(url_for("auth.index"))
    session_records.sign_out(current_user._get_current_object(), session_token())
    logout_user()
    session.clear()  # this browser only; its session record has ended too
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/language/<code>")
def choose_language(code: str):
    """Before signing in: the language of our pages, kept in a cookie for a year.

    Not a secret and changes nothing stored, so a plain link will do (and works without
    script on any phone). A signed-in family member chooses in their settings instead.
    """
    target = _safe_next(request.args.get("next")) or url_for("auth.sign_in")
    response = redirect(target)
    if code in LANGUAGE_BY_CODE:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response
