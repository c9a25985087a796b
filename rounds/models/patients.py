"""Children in a unit and the grants that let family members see them."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rounds.extensions import db
from rounds.models.people import Unit, User
from rounds.models.types import UTCDateTime, utcnow


class Patient(db.Model):
    """A child admitted to a unit. ``last_event_seq`` numbers the family-visible events."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    bed: Mapped[str] = mapped_column(String(20))
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Safeguarding (a court order, a custody dispute, a safety concern): while set, a new
    # grant needs a second staff member's confirmation.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restricted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    restricted_note: Mapped[str] = mapped_column(String(500), default="", server_default="")

    unit: Mapped[Unit] = relationship()
    restricted_by: Mapped[User | None] = relationship(foreign_keys=[restricted_by_id])

    @property
    def is_admitted(self) -> bool:
        """Still in the unit."""
        return self.discharged_at is None

    @property
    def is_restricted(self) -> bool:
        """New grants need a second staff member's confirmation."""
        return self.restricted_at is not None


class AccessGrant(db.Model):
    """A family member may see a child while the grant is confirmed and not revoked.

    A grant waits (``confirmed_at`` empty) while a nurse checks the person at the bedside,
    or, for a restricted child, until a second staff member confirms it.
    """

    __tablename__ = "access_grants"
    __table_args__ = (
        Index("ix_access_grants_user_patient", "user_id", "patient_id"),
        # At most one active grant per person and child: two nurses giving access at once
        # cannot leave a second grant behind when one is revoked.
        Index(
            "uq_access_grants_one_active",
            "user_id",
            "patient_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    relationship_to_child: Mapped[str] = mapped_column(String(40))
    is_guardian: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    needs_second_staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    patient: Mapped[Patient] = relationship()
    granted_by: Mapped[User] = relationship(foreign_keys=[granted_by_id])

    @classmethod
    def given(
        cls,
        user_id: int,
        patient: Patient,
        relationship: str,
        is_guardian: bool,
        granted_by_id: int,
        at: datetime,
        bedside_check: bool = False,
    ) -> "AccessGrant":
        """A new grant, confirmed at once unless it must wait: for a bedside check, or (for a
        restricted child) for a second member of staff."""
        waits = bedside_check or patient.is_restricted
        return cls(
            user_id=user_id,
            patient_id=patient.id,
            relationship_to_child=relationship,
            is_guardian=is_guardian,
            granted_by_id=granted_by_id,
            granted_at=at,
            confirmed_at=None if waits else at,
            needs_second_staff=patient.is_restricted,
        )

    @property
    def is_active(self) -> bool:
        """Confirmed and not revoked."""
        return self.revoked_at is None and self.confirmed_at is not None

    @property
    def is_pending(self) -> bool:
        """Waiting for a nurse's confirmation, not revoked."""
        return self.revoked_at is None and self.confirmed_at is None
