"""Session records: one opened at each sign-in, ended at sign-out, all of a person's ended
at once ("sign out everywhere", a disabled account, a new passphrase).

The browser's cookie holds a random token; the database keeps only its hash (``UserSession``),
so a cookie whose record has ended signs nobody in, even if replayed. What lives in the
browser's session (the token, the time limits) is rounds.auth.sessions' business: these
services only write records and audit rows, and are called from a request or a worker alike.
"""

import hashlib
import secrets

from sqlalchemy import update

from rounds import realtime
from rounds.extensions import db
from rounds.models import User, UserSession
from rounds.models.types import utcnow
from rounds.services.audit import audit


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_record(user: User) -> str:
    """A new session record for ``user`` in the current transaction; returns its token (the
    caller commits, then hands the token to the browser)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash(token), started_at=utcnow()))
    return token


def sign_in(user: User, client: str = "") -> str:
    """A successful sign-in: a new session record and its audit row, committed together.
    Returns the token for the browser's cookie. ``client``: the address, for the audit row."""
    token = open_record(user)
    audit("sign_in", user, detail=_from(client))
    db.session.commit()
    return token


def record_failed_sign_in(user: User | None, client: str = "") -> None:
    """Audit a failed sign-in (never the address typed, never the password)."""
    audit("sign_in_failed", user, detail=_from(client))
    db.session.commit()


def sign_out(user: User, token: str | None) -> None:
    """Sign-out in one browser: the record of its ``token`` ends, audited."""
    if token is not None:
        end_records(UserSession.token_hash == token_hash(token))
    audit("sign_out", user)
    db.session.commit()


def end_records(*which) -> None:
    """End the open session records ``which`` selects, in the current transaction."""
    db.session.execute(
        update(UserSession).where(*which, UserSession.ended_at.is_(None)).values(ended_at=utcnow())
    )


def end_every_record(by: User | None, user: User, action: str, patient_id: int | None) -> None:
    """End every session record of ``user`` and audit it as ``action``, in the current
    transaction. After the commit, ``realtime.disconnect_user`` closes their live sockets."""
    end_records(UserSession.user_id == user.id)
    audit(action, by, patient_id, target=f"user:{user.id}")


def end_sessions(
    by: User | None,
    user: User,
    action: str = "sign_out_everywhere",
    patient_id: int | None = None,
) -> None:
    """Sign ``user`` out everywhere: every session ends and their live connections close in
    every process. Audited as ``action`` (against the child it was done from, if any)."""
    end_every_record(by, user, action, patient_id)
    db.session.commit()
    realtime.disconnect_user(user.id)


def set_account_active(by: User | None, user: User, active: bool) -> None:
    """Disable an account (every session ends, every connection closes) or enable it again."""
    if user.active == active:
        return
    user.active = active
    if active:
        audit("enable_account", by, target=f"user:{user.id}")
        db.session.commit()
    else:
        end_sessions(by, user, action="disable_account")


def _from(client: str) -> str:
    return f"from {client}" if client else ""
