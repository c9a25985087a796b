"""Give and take away a family member's access to a child."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from rounds import realtime
from rounds.extensions import db
from rounds.models import AccessGrant, AuditEvent, Patient, User
from rounds.models.types import utcnow
from rounds.permissions import open_grant
from rounds.services import add_or_refuse
from rounds.services.accounts import add_user, find_user_by_email
from rounds.services.audit import audit
from rounds.services.sessions import end_sessions

READABLE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes: l/1, o/0, i


class AccessError(Exception):
    """The grant cannot be made; the message says why, in words for the nurse."""


@dataclass
class GivenAccess:
    """What the nurse needs to see after giving access."""

    grant: AccessGrant
    family_user: User
    first_passphrase: str | None  # only for a new account: shown once, never stored


def new_passphrase() -> str:
    """A first passphrase a nurse can read out: four groups of four letters and digits."""
    return "-".join("".join(secrets.choice(READABLE_ALPHABET) for _ in range(4)) for _ in range(4))


def same_name(typed: str, known: str) -> bool:
    """Names match ignoring case and spacing."""
    return " ".join(typed.split()).casefold() == " ".join(known.split()).casefold()


def give_family_access(
    by: User, patient: Patient, name: str, email: str, relationship: str, is_guardian: bool
) -> GivenAccess:
    """Let a family member see a child; make their account if they have none. One transaction.

    An existing account is used only when the typed name matches it, so a mistyped address
    never hands a child to a stranger, and the page never reveals whose address it is.
    """
    family_user = find_user_by_email(email)
    passphrase = None
    if family_user is None:
        passphrase = new_passphrase()
        family_user = add_user(email, name, passphrase)
    elif not same_name(name, family_user.name):
        raise AccessError(
            "This email address belongs to an account with a different name. "
            "Check the address and the name with the family member."
        )
    elif open_grant(family_user, patient.id) is not None:
        raise AccessError("This person already has access to this child.")
    grant = AccessGrant.given(family_user.id, patient, relationship, is_guardian, by.id, utcnow())
    add_or_refuse(
        grant, AccessError("Someone gave this person access a moment ago. Check the list above.")
    )
    audit("grant_access", by, patient.id, target=f"user:{family_user.id}")
    db.session.commit()
    return GivenAccess(grant, family_user, passphrase)


def grant_family_access(
    by: User, patient: Patient, family_user: User, relationship: str, is_guardian: bool
) -> AccessGrant:
    """Give an existing account access to a child (demo data and tests)."""
    return give_family_access(
        by, patient, family_user.name, family_user.email, relationship, is_guardian
    ).grant


def revoke_family_access(by: User, grant: AccessGrant) -> None:
    """End a grant at once: that person's open pages stop receiving this child's updates."""
    if grant.revoked_at is not None:
        return
    # The database allows one active grant per person and child, so this is the only one.
    grant.revoked_at = utcnow()
    grant.revoked_by_id = by.id
    user_id, patient_id = grant.user_id, grant.patient_id
    action = "revoke_access" if grant.confirmed_at is not None else "decline_access"
    audit(action, by, patient_id, target=f"user:{user_id}")
    db.session.commit()
    realtime.end_patient_access(user_id, patient_id)


def confirm_family_access(by: User, grant: AccessGrant) -> None:
    """Let a waiting grant take effect: the nurse has seen the person at the bedside, or (for a
    restricted child) a second member of staff agrees. Audited."""
    if not grant.is_pending:
        return
    if grant.needs_second_staff and grant.granted_by_id == by.id:
        raise AccessError(
            "This child is restricted: a second member of staff must confirm access you gave."
        )
    grant.confirmed_at = utcnow()
    grant.confirmed_by_id = by.id
    audit("confirm_access", by, grant.patient_id, target=f"user:{grant.user_id}")
    db.session.commit()


def restrict_child(by: User, patient: Patient, note: str) -> None:
    """Safeguarding: from now on a new grant needs a second staff member. The note is kept on
    the child and in the audit log."""
    patient.restricted_at = utcnow()
    patient.restricted_by_id = by.id
    patient.restricted_note = note
    audit("restrict", by, patient.id, detail=note)
    db.session.commit()


def lift_restriction(by: User, patient: Patient) -> None:
    """New grants no longer need a second staff member. Audited."""
    if not patient.is_restricted:
        return
    patient.restricted_at = None
    patient.restricted_by_id = None
    patient.restricted_note = ""
    audit("lift_restriction", by, patient.id)
    db.session.commit()


def sign_out_everywhere(by: User, patient: Patient, family_user: User) -> None:
    """A lost phone: every session of this family member ends and their pages are cut off, in
    every process. Their grants stay; audited against the child it was done from."""
    end_sessions(by, family_user, patient_id=patient.id)


def last_looked(patient: Patient) -> dict[int, datetime]:
    """When each person last read this child's updates (from the audit log)."""
    rows = db.session.execute(
        select(AuditEvent.actor_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.patient_id == patient.id,
            AuditEvent.action.startswith("view_", autoescape=True),
        )
        .group_by(AuditEvent.actor_id)
    )
    return {actor_id: at for actor_id, at in rows if actor_id is not None}


ACCESS_ACTIONS = {
    "invite": "made an invitation",
    "reinvite": "made a new invitation (new passphrase)",
    "cancel_invitation": "cancelled an invitation",
    "redeem_invitation": "joined with an invitation",
    "grant_access": "gave access",
    "confirm_access": "confirmed access",
    "decline_access": "declined waiting access",
    "revoke_access": "removed access",
    "restrict": "restricted access to this child",
    "lift_restriction": "lifted the restriction",
    "request_access": "asked for access for a relative",
    "approve_request": "approved a request",
    "decline_request": "declined a request",
    "sign_out_everywhere": "signed a family member out everywhere",
}


def access_history(patient: Patient, limit: int = 50) -> list[AuditEvent]:
    """The newest access events of this child, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.patient_id == patient.id, AuditEvent.action.in_(ACCESS_ACTIONS))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
