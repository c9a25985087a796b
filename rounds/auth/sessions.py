"""The browser's side of a session: a fresh one at each sign-in, holding the token of its
server-side record, and the idle and absolute time limits.

The records themselves (opened, ended, all of a person's ended at once) are written by
rounds.services.sessions. Staff (anyone with a staff role, also when they follow their own
child) are signed out after 30 minutes without activity and 12 hours after signing in; family
members after 14 days without activity.
"""

import time

from flask import current_app, g, session
from flask_login import login_user
from sqlalchemy import bindparam, select

from rounds.extensions import db
from rounds.models import User, UserSession
from rounds.services.sessions import token_hash

TOKEN_KEY = "sid"  # noqa: S105 - the session key the token is kept under, not a secret

# Kept across the new session a sign-in starts: an invitation being used on this phone.
SURVIVES_SIGN_IN = ("joining",)
# "seen" is written at most this often: a push brings every family phone here at once, and
# each write is a new cookie.
SEEN_GRANULARITY = 60


def start_session(user: User, token: str) -> None:
    """Sign ``user`` in on a fresh browser session (no fixation) holding ``token``, the token of
    the record rounds.services.sessions opened: nothing from before survives but an
    invitation under way."""
    kept = {key: session[key] for key in SURVIVES_SIGN_IN if key in session}
    session.clear()
    session.update(kept)
    # The CSRF token Flask-WTF cached for this request belongs to the session just cleared: a
    # form on the page this request renders must carry the new session's.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    session[TOKEN_KEY] = token
    login_user(user, remember=False)
    now = int(time.time())
    session["started"] = session["seen"] = now
    session["staff"] = user.staff_role is not None
    # A family member's cookie outlives the browser (their idle limit is days); a staff
    # member's ends with it, and there is no "remember me" for staff.
    session.permanent = not session["staff"]


def session_expired() -> bool:
    """Whether this browser's session has run past its limits; notes the activity if not."""
    started, seen = session.get("started"), session.get("seen")
    if not isinstance(started, int) or not isinstance(seen, int):
        return True  # from before these limits, or made up
    config = current_app.config
    now = int(time.time())
    if session.get("staff", True):
        idle_limit = config["STAFF_IDLE_MINUTES"] * 60
        if now - started > config["STAFF_ABSOLUTE_HOURS"] * 3600:
            return True
    else:
        idle_limit = config["FAMILY_IDLE_DAYS"] * 86400
    if now - seen > idle_limit:
        return True
    if now - seen >= SEEN_GRANULARITY:
        session["seen"] = now
    return False


def note_expired() -> None:
    """Remember, for this request, that a session ended by its time limit (not signed out)."""
    g.session_expired = True


def was_expired() -> bool:
    """Whether this request came with a session that ran out."""
    return bool(g.get("session_expired"))


def signed_in_user(user_id: int) -> User | None:
    """The account this browser's session record belongs to, if the record is still open.
    One query: the account and its session together."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or len(token) > 100:
        return None
    return db.session.scalar(_SIGNED_IN, {"user_id": user_id, "token_hash": token_hash(token)})


# Built once, as every request runs it: building a select and working out its cache key cost
# more of the server's time than the database's answer (py-spy, bench/request_cost.py).
_SIGNED_IN = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.ended_at.is_(None),
    )
)


def session_token() -> str | None:
    """The token of this browser's session record, if it holds one."""
    token = session.get(TOKEN_KEY)
    return token if isinstance(token, str) else None
