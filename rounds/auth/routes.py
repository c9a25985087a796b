"""Sign in and out; send each person to where their work is."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from rounds.auth.forms import SignInForm
from rounds.forms import ConfirmForm
from rounds.permissions import can_see_census
from rounds.services.accounts import find_user_by_email
from rounds.services.audit import record_sign_in, record_sign_out
from rounds.services.passwords import check_password, check_password_of_nobody

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "The email address or password is not right. Check them and try again."


def home_for(user) -> str:
    """Where a person lands after signing in."""
    if can_see_census(user):
        return url_for("staff.census")
    if user.staff_role == "admin":
        return url_for("admin.audit_log")
    return url_for("family.home")


def _safe_next(target: str | None) -> str | None:
    """A ``next`` URL only if it stays on this site (a path, no host, no scheme)."""
    if not target:
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
def sign_in():
    """Sign in with an email address and password."""
    form = SignInForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            check_password_of_nobody(form.password.data)
        if (
            user is not None
            and user.active
            and check_password(user.password_hash, form.password.data)
        ):
            joining = session.get("joining")  # an invitation being used on this phone
            session.clear()  # a new session on sign-in: no fixation
            if joining:
                session["joining"] = joining
            login_user(user)
            record_sign_in(user, succeeded=True)
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        record_sign_in(user, succeeded=False)
        form.password.errors = [SIGN_IN_FAILED]
    return render_template("auth/sign_in.html", form=form)


@bp.post("/signout")
@login_required
def sign_out():
    """Sign out of this browser."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("Please press Sign out again.", "info")
        return redirect(url_for("auth.index"))
    user = current_user._get_current_object()
    record_sign_out(user)
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.sign_in"))
