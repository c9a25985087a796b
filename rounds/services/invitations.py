"""Invite a family member to follow a child, and let them in with the invitation.

A nurse or clinician makes an invitation; the family member opens its link (or QR code) or
types its short code on their phone. Both are random, stored only as keyed hashes (so a copy
of the database lets nobody in), single use, and expire. Using one gives its holder a grant
for the child, granted by whoever made the invitation.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy import update as sql_update

from rounds import realtime
from rounds.extensions import db
from rounds.models import AccessGrant, AccessRequest, Invitation, Patient, User
from rounds.models.types import utcnow
from rounds.permissions import open_grant
from rounds.services import committed
from rounds.services.accounts import add_user
from rounds.services.audit import audit
from rounds.services.passwords import hash_password
from rounds.services.sessions import end_every_record, open_record

# Eight characters a person can read aloud or off a card: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
TOKEN_BYTES = 32  # 256 bits in the link
TOKEN_LENGTH = 43  # characters of secrets.token_urlsafe(TOKEN_BYTES)


class InvitationClosed(Exception):
    """Used, cancelled, expired, or the child has left the unit."""


@dataclass
class NewInvitation:
    """What the nurse shows once: the secrets exist nowhere else."""

    invitation: Invitation
    token: str
    code: str

    @property
    def code_for_reading(self) -> str:
        """ "ABCD-EFGH": easier to read aloud and to type."""
        return f"{self.code[:4]}-{self.code[4:]}"


def _keyed_hash(kind: str, secret: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{secret}".encode(), hashlib.sha256).hexdigest()


def normalise_code(typed: str) -> str | None:
    """The code as stored, from what a person typed ("abcd efgh", "ABCD-EFGH"); None if it
    cannot be one."""
    code = "".join(ch for ch in typed.upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def add_invitation(
    by: User,
    patient: Patient,
    name: str,
    relationship: str,
    is_guardian: bool,
    language: str,
    contact: str = "",
    needs_bedside_check: bool = False,
    for_user: User | None = None,
    audit_as: User | None = None,
) -> NewInvitation:
    """Make an invitation for one family member; audited (as ``audit_as`` when a guardian
    makes the one a nurse approved). ``for_user``: a re-invitation, which gives that account
    a new passphrase."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    invitation = Invitation(
        patient_id=patient.id,
        invited_name=name,
        relationship_to_child=relationship,
        is_guardian=is_guardian,
        language=language,
        contact=contact,
        token_hash=_keyed_hash("token", token),
        code_hash=_keyed_hash("code", code),
        created_by_id=by.id,
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["INVITATION_HOURS"]),
        needs_bedside_check=needs_bedside_check,
        for_user_id=for_user.id if for_user is not None else None,
    )
    db.session.add(invitation)
    db.session.flush()
    action = "reinvite" if for_user is not None else "invite"
    audit(action, audit_as or by, patient.id, target=f"invitation:{invitation.id}")
    return NewInvitation(invitation, token, code)


create_invitation = committed(add_invitation)


def reinvite(by: User, grant: AccessGrant) -> NewInvitation:
    """A lost phone or a forgotten passphrase: a new invitation for the same person, which
    lets them choose a new passphrase. Their grants stay as they are."""
    return create_invitation(
        by,
        grant.patient,
        grant.user.name,
        grant.relationship_to_child,
        grant.is_guardian,
        grant.user.language,
        for_user=grant.user,
    )


def _open(where) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation).where(where))
    if invitation is None or not invitation.is_open() or not invitation.patient.is_admitted:
        return None
    return invitation


def open_by_token(token: str) -> Invitation | None:
    """The open invitation behind a link, if any."""
    return _open(Invitation.token_hash == _keyed_hash("token", token))


def open_by_code(typed: str) -> Invitation | None:
    """The open invitation behind a typed short code, if any."""
    code = normalise_code(typed)
    return None if code is None else _open(Invitation.code_hash == _keyed_hash("code", code))


def open_by_id(invitation_id: int) -> Invitation | None:
    """An invitation still open (for a redemption already under way)."""
    return _open(Invitation.id == invitation_id)


def open_invitations(patient: Patient) -> list[Invitation]:
    """The child's invitations not yet used, cancelled or expired, newest first."""
    invitations = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.patient_id == patient.id,
            Invitation.used_at.is_(None),
            Invitation.cancelled_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
    ).all()
    return list(invitations)


def cancel_invitation(by: User, invitation: Invitation) -> None:
    """Make an invitation unusable at once; audited. Cancelling a closed one does nothing."""
    if _cancel(by, invitation):
        db.session.commit()


def _cancel(by: User, invitation: Invitation) -> bool:
    """``cancel_invitation`` in the current transaction; False if it was already closed."""
    if invitation.used_at is not None or invitation.cancelled_at is not None:
        return False
    invitation.cancelled_at = utcnow()
    invitation.cancelled_by_id = by.id
    audit("cancel_invitation", by, invitation.patient_id, target=f"invitation:{invitation.id}")
    return True


def accept_invitation(invitation_id: int, user: User) -> AccessGrant:
    """Someone signed in on this phone joins with an invitation: they may now see the child.
    Raises InvitationClosed when it is no longer open. Commits."""
    grant = _take_invitation(invitation_id, user)
    db.session.commit()
    return grant


def join_with_new_account(
    invitation_id: int, email: str, name: str, passphrase: str, language: str
) -> tuple[AccessGrant, str]:
    """A family member makes their account with an invitation: the account, the grant and a
    first session record, all in one commit (a closed invitation makes no account). Returns
    the grant and the session's token. Raises InvitationClosed."""
    user = add_user(email, name, passphrase, language=language)
    grant = _take_invitation(invitation_id, user)
    token = open_record(user)
    db.session.commit()
    return grant, token


def reset_passphrase(invitation_id: int, user: User, passphrase: str) -> tuple[AccessGrant, str]:
    """A re-invitation (lost phone, forgotten passphrase) used: a new passphrase, every earlier
    session of theirs ended (audited as ``reset_passphrase``), and a new one for this phone,
    in one commit; then their live connections elsewhere close. Their grants stay. Returns
    the grant and the new session's token. Raises InvitationClosed."""
    user.password_hash = hash_password(passphrase)
    grant = _take_invitation(invitation_id, user)
    end_every_record(user, user, "reset_passphrase", grant.patient_id)
    token = open_record(user)
    db.session.commit()
    realtime.disconnect_user(user.id)
    return grant, token


def _take_invitation(invitation_id: int, user: User) -> AccessGrant:
    """Use an invitation for ``user`` in the current transaction (the caller commits).

    Taking the invitation is one conditional UPDATE, so two phones opening the same link at
    the same moment cannot both get in. Raises InvitationClosed when it is no longer open,
    after rolling back whatever the transaction held.
    """
    now = utcnow()
    taken = db.session.execute(
        sql_update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_(None),
            Invitation.cancelled_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now, used_by_id=user.id)
        .returning(Invitation.patient_id, Invitation.created_by_id),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    patient = db.session.get(Patient, taken.patient_id) if taken is not None else None
    if patient is None or not patient.is_admitted:
        db.session.rollback()
        raise InvitationClosed
    invitation = db.session.get(Invitation, invitation_id)
    if invitation.for_user_id is not None and invitation.for_user_id != user.id:
        db.session.rollback()  # a re-invitation is for its own account only
        raise InvitationClosed
    grant = open_grant(user, patient.id)
    if grant is None:  # someone already following the child just uses up the invitation
        grant = AccessGrant.given(
            user.id,
            patient,
            invitation.relationship_to_child,
            invitation.is_guardian,
            taken.created_by_id,
            now,
            bedside_check=invitation.needs_bedside_check,
        )
        db.session.add(grant)
    audit("redeem_invitation", user, patient.id, target=f"invitation:{invitation_id}")
    return grant


# --- a guardian asks for another relative -------------------------------------------------


def request_access(
    guardian: User, patient: Patient, name: str, relationship: str, language: str, reason: str
) -> AccessRequest:
    """A guardian asks for a relative to follow the child; a nurse decides. Audited."""
    asked = AccessRequest(
        patient_id=patient.id,
        requested_by_id=guardian.id,
        invited_name=name,
        relationship_to_child=relationship,
        language=language,
        reason=reason,
        created_at=utcnow(),
    )
    db.session.add(asked)
    db.session.flush()
    audit("request_access", guardian, patient.id, target=f"request:{asked.id}")
    db.session.commit()
    return asked


def waiting_requests(patient: Patient) -> list[AccessRequest]:
    """The child's requests no nurse has decided yet, oldest first."""
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.patient_id == patient.id, AccessRequest.decided_at.is_(None))
            .order_by(AccessRequest.created_at)
        )
    )


def requests_by(guardian: User, patient: Patient) -> list[AccessRequest]:
    """What this guardian asked for this child, newest first."""
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(
                AccessRequest.patient_id == patient.id,
                AccessRequest.requested_by_id == guardian.id,
            )
            .order_by(AccessRequest.created_at.desc())
        )
    )


def decide_request(by: User, asked: AccessRequest, approved: bool) -> bool:
    """A nurse approves or declines; audited. False if it was already decided."""
    if asked.decided_at is not None:
        return False
    asked.decided_at = utcnow()
    asked.decided_by_id = by.id
    asked.approved = approved
    action = "approve_request" if approved else "decline_request"
    audit(action, by, asked.patient_id, target=f"request:{asked.id}")
    db.session.commit()
    return True


def invitation_for_request(guardian: User, asked: AccessRequest) -> NewInvitation:
    """The guardian makes the invitation a nurse approved, to pass on. Asking again makes a
    fresh one and cancels the one before (its secrets were shown once and may be lost)."""
    if asked.invitation is not None and asked.invitation.is_open():
        _cancel(guardian, asked.invitation)
    made = add_invitation(
        asked.decided_by,
        db.session.get(Patient, asked.patient_id),
        asked.invited_name,
        asked.relationship_to_child,
        False,
        asked.language,
        audit_as=guardian,
    )
    asked.invitation_id = made.invitation.id
    db.session.commit()
    return made
