"""Units and the one account table every person signs in with."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rounds.extensions import db
from rounds.models.types import UTCDateTime, utcnow

STAFF_ROLE_CHECK = "staff_role IN ('clinician', 'nurse', 'interpreter', 'admin')"


class Unit(db.Model):
    """An intensive care unit: the scope of a staff member's work."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    phone: Mapped[str] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Where the unit is, as families far away say it: "8:10 in Miami, 14:10 for you".
    city: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # Rounds, as the admin sets them: when they usually start ("7:30", the unit's clock), the
    # minutes per child an estimate starts from, the idle hours after which rounds nobody
    # ended end by themselves, the pattern of a child's join link ("{code}": a new random
    # code), and the language the team works in (questions in others go to interpreters).
    rounds_start: Mapped[str] = mapped_column(String(5), default="07:30", server_default="07:30")
    minutes_per_child: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    rounds_idle_hours: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    join_link_pattern: Mapped[str] = mapped_column(String(200), default="", server_default="")
    team_language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, db.Model):
    """Anyone who signs in: staff (with a role) and family members (with grants)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(STAFF_ROLE_CHECK, name="staff_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    staff_role: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10), default="en")
    # Staff only: the languages they may translate updates into, space-separated codes.
    translates: Mapped[str] = mapped_column(String(60), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Family only: the number the team calls when they ask for a call at rounds (staff see it).
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list[Unit]] = relationship(
        secondary="staff_memberships", order_by="Unit.name", viewonly=True
    )

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sign-in for a disabled account."""
        return self.active

    @property
    def first_name(self) -> str:
        """How staff appear to families: first name only."""
        return self.name.split()[0] if self.name else ""

    @property
    def translation_languages(self) -> list[str]:
        """The language codes this staff member translates into."""
        return (self.translates or "").split()

    @property
    def unit_ids(self) -> set[int]:
        """The units this staff member works in."""
        return {unit.id for unit in self.units}


class StaffMembership(db.Model):
    """A staff member belongs to a unit and acts only on children there."""

    __tablename__ = "staff_memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)


class UserSession(db.Model):
    """One signed-in browser. Its random token lives in the (signed) session cookie and only
    its hash here; a cookie whose session has ended signs nobody in, even if replayed."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
