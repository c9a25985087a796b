"""The unit's rounds: the live queue, each family member's answer, and families' questions.

The queue is not an update, so it has its own versioned state: a session per unit and day
(``version`` counts its changes), one place per child in it, and an append-only list of
the changes (who did what, when). Families see only their own child's place, as a count.
"""

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rounds.extensions import db
from rounds.models.patients import Patient
from rounds.models.people import Unit, User
from rounds.models.types import UTCDateTime, utcnow

# Where a child is in the queue: still to come, being seen, left for later, seen.
PLACE_STATES = ("waiting", "current", "skipped", "done")
# What a family member said about today's rounds.
ANSWER_CHOICES = ("bedside", "video", "call", "cannot")
# How a question was answered.
QUESTION_ANSWERS = ("update", "bedside", "call")


class RoundsSession(db.Model):
    """One unit's rounds on one day, from "start rounds" to "end rounds" (or the day's end,
    or hours without a change). At most one open session per unit."""

    __tablename__ = "rounds_sessions"
    __table_args__ = (
        Index(
            "uq_rounds_sessions_one_open",
            "unit_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_rounds_sessions_unit_day", "unit_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    day: Mapped[date] = mapped_column(Date)  # the unit's date when rounds started
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "ended" by staff, "day_over" at the unit's midnight, "idle" after hours without a change.
    end_reason: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])


class RoundsPlace(db.Model):
    """A child's place in one session's queue: its position and where the team is with it,
    and the family's join link for that day (per child: a unit-wide meeting would let a family
    hear other children's rounds)."""

    __tablename__ = "rounds_places"
    __table_args__ = (UniqueConstraint("session_id", "patient_id", name="uq_rounds_places_child"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("rounds_sessions.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    turn_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    join_link: Mapped[str] = mapped_column(String(300), default="", server_default="")

    patient: Mapped[Patient] = relationship()


class RoundsChange(db.Model):
    """One change to a session's queue, kept: its version, what, which child, who, when."""

    __tablename__ = "rounds_changes"
    __table_args__ = (UniqueConstraint("session_id", "version", name="uq_rounds_changes_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("rounds_sessions.id"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoundsAnswer(db.Model):
    """What one family member said about one child's rounds on one day (they may change it
    until the team reaches the child; a new day starts with no answer)."""

    __tablename__ = "rounds_answers"
    __table_args__ = (
        UniqueConstraint("user_id", "patient_id", "day", name="uq_rounds_answers_person_day"),
        Index("ix_rounds_answers_patient_day", "patient_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    day: Mapped[date] = mapped_column(Date)
    choice: Mapped[str] = mapped_column(String(10))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Question(db.Model):
    """A family member's question for the team at rounds, in their own language.

    Only the asker and staff see it. A question in another language than the team's waits
    for an interpreter's rendering, shown beside the original.
    """

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_patient_asked", "patient_id", "asked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(10))  # QUESTION_ANSWERS
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_update_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id"))
    rendering: Mapped[str] = mapped_column(Text, default="", server_default="")
    rendered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    patient: Mapped[Patient] = relationship()

    @property
    def is_open(self) -> bool:
        """Neither withdrawn nor answered."""
        return self.withdrawn_at is None and self.answer is None
