"""Give and take away a family member's access to a child."""

import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from rounds import realtime
from rounds.extensions import db
from rounds.models import AccessGrant, Patient, User
from rounds.models.types import utcnow
from rounds.permissions import active_grant
from rounds.services.accounts import add_user, find_user_by_email
from rounds.services.audit import audit

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
    elif active_grant(family_user, patient.id) is not None:
        raise AccessError("This person already has access to this child.")
    grant = AccessGrant(
        user_id=family_user.id,
        patient_id=patient.id,
        relationship_to_child=relationship,
        is_guardian=is_guardian,
        granted_by_id=by.id,
        granted_at=utcnow(),
    )
    db.session.add(grant)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same person given access a moment ago
        db.session.rollback()
        raise AccessError(
            "Someone gave this person access a moment ago. Check the list above."
        ) from error
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
    audit("revoke_access", by, patient_id, target=f"user:{user_id}")
    db.session.commit()
    realtime.end_patient_access(user_id, patient_id)
