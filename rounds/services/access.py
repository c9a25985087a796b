"""Grant and revoke a family member's access to a child."""

from rounds import realtime
from rounds.extensions import db
from rounds.models import AccessGrant, Patient, User
from rounds.models.types import utcnow
from rounds.permissions import active_grant
from rounds.services.audit import audit


class AccessError(Exception):
    """The grant cannot be made (e.g. the account is staff-only or already has access)."""


def grant_family_access(
    by: User, patient: Patient, family_user: User, relationship: str, is_guardian: bool
) -> AccessGrant:
    """Let a family member see a child, from now on."""
    if active_grant(family_user, patient.id) is not None:
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
    db.session.flush()
    audit("grant_access", by, patient.id, target=f"user:{family_user.id}")
    db.session.commit()
    return grant


def revoke_family_access(by: User, grant: AccessGrant) -> None:
    """End a grant at once: that person's open pages stop receiving this child's updates."""
    if grant.revoked_at is not None:
        return
    grant.revoked_at = utcnow()
    grant.revoked_by_id = by.id
    user_id, patient_id = grant.user_id, grant.patient_id
    audit("revoke_access", by, patient_id, target=f"user:{user_id}")
    db.session.commit()
    realtime.end_patient_access(user_id, patient_id)
