"""Invitations: how a nurse lets a family member in, by QR code, link or short code.

The link's token and the short code are stored only as keyed hashes; each invitation is used
once, expires, and can be cancelled.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rounds.extensions import db
from rounds.models.patients import Patient
from rounds.models.people import User
from rounds.models.types import UTCDateTime, utcnow


class Invitation(db.Model):
    """One family member invited to follow one child."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    invited_name: Mapped[str] = mapped_column(String(120))
    relationship_to_child: Mapped[str] = mapped_column(String(40))
    is_guardian: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(10), default="en")
    contact: Mapped[str] = mapped_column(String(254), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The grant waits until a nurse has seen the person at the bedside.
    needs_bedside_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A re-invitation (lost phone, forgotten passphrase): the account gets a new passphrase.
    for_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    for_user: Mapped[User | None] = relationship(foreign_keys=[for_user_id])

    def is_open(self, now: datetime | None = None) -> bool:
        """Not used, not cancelled, not expired."""
        return (
            self.used_at is None
            and self.cancelled_at is None
            and (now or utcnow()) < self.expires_at
        )


class AccessRequest(db.Model):
    """A guardian asks for another relative to follow the child; a nurse decides.

    Once approved, the guardian makes the invitation and passes it on (a grandparent abroad
    has no nurse at hand).
    """

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invited_name: Mapped[str] = mapped_column(String(120))
    relationship_to_child: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10), default="en")
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved: Mapped[bool | None] = mapped_column(Boolean)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    invitation: Mapped[Invitation | None] = relationship()

    @property
    def is_waiting(self) -> bool:
        """No nurse has decided yet."""
        return self.decided_at is None
