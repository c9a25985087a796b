"""The append-only audit log: who did what to which child, and when.

The database refuses UPDATE, DELETE and TRUNCATE on this table (see the first migration).
No health information goes in ``detail``: ids and reasons staff typed for the record only.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rounds.extensions import db
from rounds.models.people import User
from rounds.models.types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """One audited action."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_patient_at", "patient_id", "at"),
        Index("ix_audit_events_actor_at", "actor_id", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(String(400), default="")

    actor: Mapped[User | None] = relationship()
