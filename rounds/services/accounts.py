"""Accounts and units: made by the demo data and the tests, and by admins on their screens."""

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from rounds import realtime
from rounds.extensions import db
from rounds.i18n import LANGUAGES
from rounds.models import StaffMembership, Unit, User
from rounds.permissions import census_unit_ids, followed_unit_ids
from rounds.services import committed
from rounds.services.audit import audit
from rounds.services.passwords import hash_password


def normalise_email(email: str) -> str:
    """Sign-in addresses compare without case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this sign-in address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass(frozen=True)
class RoundsSettings:
    """How a unit's rounds run, as its admin sets them (docs/operations.md says more).

    ``start``: when rounds usually start, "HH:MM" on the unit's clock; ``minutes_per_child``:
    where the day's estimates start; ``idle_hours``: rounds nobody ended end by themselves
    after this long without a change; ``join_link_pattern``: an https:// link with ``{code}``
    where a new random code goes, or ""; ``team_language``: questions in other languages go
    to an interpreter first.
    """

    start: str = "07:30"
    minutes_per_child: int = 10
    idle_hours: int = 3
    join_link_pattern: str = ""
    team_language: str = "en"

    @classmethod
    def of(cls, unit: Unit) -> "RoundsSettings":
        """A unit's settings now."""
        return cls(
            unit.rounds_start,
            unit.minutes_per_child,
            unit.rounds_idle_hours,
            unit.join_link_pattern,
            unit.team_language,
        )

    def apply_to(self, unit: Unit) -> None:
        """Set these on ``unit`` (in the current transaction)."""
        unit.rounds_start, unit.minutes_per_child = self.start, self.minutes_per_child
        unit.rounds_idle_hours, unit.join_link_pattern = self.idle_hours, self.join_link_pattern
        unit.team_language = self.team_language

    def changes_from(self, before: "RoundsSettings") -> list[str]:
        """What differs from ``before``, for the audit log (the link pattern by name only)."""
        words = (
            ("rounds start", before.start, self.start),
            ("minutes per child", before.minutes_per_child, self.minutes_per_child),
            ("idle hours", before.idle_hours, self.idle_hours),
            ("team language", before.team_language, self.team_language),
        )
        changed = [f"{label} {old} -> {new}" for label, old, new in words if old != new]
        if before.join_link_pattern != self.join_link_pattern:
            changed.append("join link pattern")
        return changed


def create_unit(
    name: str,
    phone: str,
    timezone: str = "UTC",
    city: str = "",
    rounds: RoundsSettings | None = None,
) -> Unit:
    """Add a unit (with ``rounds`` settings, else the usual ones)."""
    unit = Unit(name=name, phone=phone, timezone=timezone, city=city)
    (rounds or RoundsSettings()).apply_to(unit)
    db.session.add(unit)
    db.session.flush()
    audit("create_unit", None, target=f"unit:{unit.id}")
    db.session.commit()
    return unit


def add_user(
    email: str,
    name: str,
    password: str,
    staff_role: str | None = None,
    units: list[Unit] | tuple[Unit, ...] = (),
    language: str = "en",
    translates: list[str] | tuple[str, ...] = (),
) -> User:
    """Add an account, audited; staff are placed in ``units`` (and translate into the language
    codes ``translates``)."""
    user = _new_account(email, name, password, staff_role, units, language, translates)
    audit("create_user", None, target=f"user:{user.id}")
    return user


def _new_account(email, name, password, staff_role, units, language, translates=()) -> User:
    """An account (and its unit memberships) in the current transaction, not yet audited."""
    user = User(
        email=normalise_email(email),
        name=name,
        password_hash=hash_password(password),
        staff_role=staff_role,
        language=language,
        translates=translation_codes(translates),
    )
    db.session.add(user)
    db.session.flush()
    for unit in units:
        db.session.add(StaffMembership(user_id=user.id, unit_id=unit.id))
    return user


# Demo data and tests make accounts on their own.
create_user = committed(add_user)


# --- the admin screens: units and staff accounts, each change audited -----------------------

STAFF_ROLES = ("clinician", "nurse", "interpreter", "admin")


class AccountConflict(Exception):
    """A change an admin asked for that cannot be made; ``field`` is where the form says so."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


DUPLICATE_UNIT = "A unit with this name already exists. Choose another name."
DUPLICATE_EMAIL = "An account with this email address already exists."


def unit_name_taken(name: str, except_unit: Unit | None = None) -> bool:
    """Whether another unit has this name (compared without case: "picu" is "PICU")."""
    query = select(Unit.id).where(func.lower(Unit.name) == name.strip().lower())
    if except_unit is not None:
        query = query.where(Unit.id != except_unit.id)
    return db.session.scalar(query.limit(1)) is not None


def _commit_or_conflict(conflict: AccountConflict) -> None:
    """Commit; a unique constraint another request won meanwhile reads as ``conflict``."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise conflict from None


def add_unit(
    by: User,
    name: str,
    phone: str,
    timezone: str,
    city: str = "",
    rounds: RoundsSettings | None = None,
) -> Unit:
    """An admin adds a unit (with ``rounds`` settings, else the usual ones); audited as
    ``add_unit``. Commits."""
    if unit_name_taken(name):
        raise AccountConflict("name", DUPLICATE_UNIT)
    unit = Unit(name=name, phone=phone, timezone=timezone, city=city)
    (rounds or RoundsSettings()).apply_to(unit)
    db.session.add(unit)
    db.session.flush()
    audit("add_unit", by, target=f"unit:{unit.id}", detail=f"time zone {timezone}")
    _commit_or_conflict(AccountConflict("name", DUPLICATE_UNIT))
    return unit


def change_unit(
    by: User,
    unit: Unit,
    name: str,
    phone: str,
    timezone: str,
    city: str | None = None,
    rounds: RoundsSettings | None = None,
) -> list[str]:
    """An admin changes a unit's name, phone, city, time zone or (unless None) its rounds
    settings; audited as ``change_unit`` with what changed (field names, zones and settings;
    never the phone number or the link pattern). Commits; returns what changed."""
    if unit_name_taken(name, except_unit=unit):
        raise AccountConflict("name", DUPLICATE_UNIT)
    city = unit.city if city is None else city
    fields = (("name", unit.name, name), ("phone", unit.phone, phone), ("city", unit.city, city))
    changed = [label for label, old, new in fields if old != new]
    if unit.timezone != timezone:
        changed.append(f"time zone {unit.timezone} -> {timezone}")
    before = RoundsSettings.of(unit)
    rounds = before if rounds is None else rounds
    changed += rounds.changes_from(before)
    if not changed:
        return []
    unit.name, unit.phone, unit.timezone, unit.city = name, phone, timezone, city
    rounds.apply_to(unit)
    audit("change_unit", by, target=f"unit:{unit.id}", detail="; ".join(changed))
    _commit_or_conflict(AccountConflict("name", DUPLICATE_UNIT))
    return changed


def translation_codes(codes) -> str:
    """Language codes as ``User.translates`` keeps them: known codes only, in Rounds' order,
    space-separated."""
    chosen = set(codes or ())
    return " ".join(language.code for language in LANGUAGES if language.code in chosen)


def _unit_ids_text(unit_ids) -> str:
    return ",".join(str(i) for i in sorted(unit_ids)) or "none"


def add_staff(
    by: User,
    name: str,
    email: str,
    password: str,
    staff_role: str,
    units: list[Unit],
    translates: list[str] | tuple[str, ...] = (),
) -> User:
    """An admin adds a staff account in ``units``, translating into ``translates``; audited
    as ``add_staff`` (the role, unit ids and language codes, never the name or address).
    Commits."""
    if find_user_by_email(email) is not None:
        raise AccountConflict("email", DUPLICATE_EMAIL)
    user = _new_account(email, name, password, staff_role, units, "en", translates)
    audit(
        "add_staff",
        by,
        target=f"user:{user.id}",
        detail=f"role {staff_role}; units {_unit_ids_text(u.id for u in units)}; "
        f"translates {user.translates or 'none'}",
    )
    _commit_or_conflict(AccountConflict("email", DUPLICATE_EMAIL))
    return user


def change_staff(
    by: User,
    user: User,
    staff_role: str,
    units: list[Unit],
    translates: list[str] | tuple[str, ...] | None = None,
) -> list[str]:
    """An admin changes a staff member's role, units and (unless None) the languages they
    translate into; audited as ``change_staff``.

    Their next page already follows the change (every request reads role and units), and
    their open pages leave the rooms of units they no longer see, in every process.
    Commits; returns what changed (role codes, unit ids and language codes only).
    """
    before_role, before_units = user.staff_role, user.unit_ids
    after_units = {unit.id for unit in units}
    changed = []
    if staff_role != before_role:
        changed.append(f"role {before_role} -> {staff_role}")
    after_translates = user.translates if translates is None else translation_codes(translates)
    if after_translates != (user.translates or ""):
        changed.append(f"translates {user.translates or 'none'} -> {after_translates or 'none'}")
    if after_units - before_units:
        changed.append(f"units added {_unit_ids_text(after_units - before_units)}")
    if before_units - after_units:
        changed.append(f"units removed {_unit_ids_text(before_units - after_units)}")
    if not changed:
        return []
    user.staff_role = staff_role
    user.translates = after_translates
    if before_units - after_units:
        db.session.execute(
            delete(StaffMembership).where(
                StaffMembership.user_id == user.id,
                StaffMembership.unit_id.in_(before_units - after_units),
            )
        )
    for unit_id in sorted(after_units - before_units):
        db.session.add(StaffMembership(user_id=user.id, unit_id=unit_id))
    audit("change_staff", by, target=f"user:{user.id}", detail="; ".join(changed))
    db.session.commit()
    db.session.refresh(user)
    _follow_unit_rooms(user, before_role, before_units)
    return changed


def _follow_unit_rooms(user: User, before_role: str | None, before_units: set[int]) -> None:
    """Move a staff member's open connections to the unit rooms they may now follow.

    Rooms are otherwise chosen only when a socket connects; without this, a nurse taken off
    a unit would keep hearing that unit's notifications until their page reconnects.
    """
    was = census_unit_ids(before_role, before_units)
    now = followed_unit_ids(user)
    if was != now:
        realtime.move_unit_rooms(user.id, leave=was - now, join=now - was)


def choose_language(user: User, code: str) -> None:
    """A family member's language: Rounds' own words, and updates once translated into it.
    Audited (the language code only)."""
    if user.language == code:
        return
    user.language = code
    audit("choose_language", user, target=f"user:{user.id}", detail=f"language {code}")
    db.session.commit()
