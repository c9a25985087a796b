"""Rounds' models, one module per aggregate."""

from rounds.models.audit import AuditEvent
from rounds.models.invitations import AccessRequest, Invitation
from rounds.models.patients import AccessGrant, Patient
from rounds.models.people import StaffMembership, Unit, User, UserSession
from rounds.models.rounds import (
    Question,
    RoundsAnswer,
    RoundsChange,
    RoundsPlace,
    RoundsSession,
)
from rounds.models.updates import FamilyEvent, Update, UpdateRetraction, UpdateTranslation

__all__ = [
    "AccessGrant",
    "AccessRequest",
    "AuditEvent",
    "FamilyEvent",
    "Invitation",
    "Patient",
    "Question",
    "RoundsAnswer",
    "RoundsChange",
    "RoundsPlace",
    "RoundsSession",
    "StaffMembership",
    "Unit",
    "Update",
    "UpdateRetraction",
    "UpdateTranslation",
    "User",
    "UserSession",
]
