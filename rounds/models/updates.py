"""Rounds updates, their versions and retractions, and the family-visible event sequence.

Nothing here is edited or deleted: a correction is a new row that names the version it
corrects, a retraction is a row of its own, and database triggers refuse UPDATE and DELETE.
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rounds.extensions import db
from rounds.models.patients import Patient
from rounds.models.people import User
from rounds.models.types import UTCDateTime, utcnow
from rounds.vocabulary import BODY_SYSTEMS, STATUS_BY_CODE

STATUS_CHECK = "status IN ('critical', 'serious', 'improving', 'ready', 'comfort')"
EVENT_KIND_CHECK = "kind IN ('posted', 'corrected', 'retracted', 'translated')"


class Update(db.Model):
    """One version of a structured rounds update for one child.

    ``original_id`` is empty for a first version and names the first version for every
    correction; ``corrects_id`` names the version a correction replaces (each version can
    be corrected once, so two people correcting at once cannot both win).
    """

    __tablename__ = "updates"
    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="status"),
        UniqueConstraint("corrects_id", name="uq_updates_corrects_id"),
        Index("ix_updates_patient_created", "patient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    original_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id"), index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    correction_reason: Mapped[str | None] = mapped_column(String(300))

    status: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    body_notes: Mapped[dict] = mapped_column(JSON, default=dict)
    plan: Mapped[str] = mapped_column(Text, default="")
    watch_for: Mapped[list] = mapped_column(JSON, default=list)
    milestones: Mapped[str] = mapped_column(Text, default="")
    care_team: Mapped[str] = mapped_column(String(300), default="")
    next_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the team wrote it in (a code of rounds.i18n.LANGUAGES).
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    patient: Mapped[Patient] = relationship()

    @property
    def thread_id(self) -> int:
        """The id of the first version: what families and links follow across corrections."""
        return self.original_id or self.id

    @property
    def status_info(self):
        """The word and colour for this status."""
        return STATUS_BY_CODE[self.status]

    @property
    def notes_in_order(self) -> list[tuple[str, str, str]]:
        """Body-system notes that were written, as (code, label, text), in the fixed order."""
        notes = self.body_notes or {}
        return [(code, label, notes[code]) for code, label in BODY_SYSTEMS if notes.get(code)]

    @property
    def milestone_list(self) -> list[str]:
        """Milestones, one per line."""
        return [line.strip() for line in (self.milestones or "").splitlines() if line.strip()]


class UpdateTranslation(db.Model):
    """One version of an update in another language, by an interpreter or bilingual clinician.

    Only the words the team wrote are translated; status, times and names are not. A better
    translation is a new row: the newest for a version and language is what families read.
    A correction is a new version, so a translation of an earlier version is out of date.
    """

    __tablename__ = "update_translations"
    __table_args__ = (Index("ix_update_translations_update_language", "update_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id"))
    language: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text)
    body_notes: Mapped[dict] = mapped_column(JSON, default=dict)
    plan: Mapped[str] = mapped_column(Text, default="")
    watch_for: Mapped[list] = mapped_column(JSON, default=list)
    milestones: Mapped[str] = mapped_column(Text, default="")
    translator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    update: Mapped[Update] = relationship()
    translator: Mapped[User] = relationship()

    # Read the same way as the update it translates (the family card shows either).
    notes_in_order = Update.notes_in_order
    milestone_list = Update.milestone_list


class UpdateRetraction(db.Model):
    """An update (all its versions) hidden from families, with the reason why."""

    __tablename__ = "update_retractions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id"), unique=True)
    retracted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    retracted_by: Mapped[User] = relationship()


class FamilyEvent(db.Model):
    """One step in a child's family-visible sequence: 1, 2, 3 ... with no gaps."""

    __tablename__ = "family_events"
    __table_args__ = (
        UniqueConstraint("patient_id", "seq", name="uq_family_events_patient_seq"),
        CheckConstraint(EVENT_KIND_CHECK, name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
