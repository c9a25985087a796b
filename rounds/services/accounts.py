"""Accounts and units (the admin screens for these arrive with the access issue)."""

from sqlalchemy import select

from rounds.extensions import db
from rounds.models import StaffMembership, Unit, User
from rounds.services.audit import audit
from rounds.services.passwords import hash_password


def normalise_email(email: str) -> str:
    """Sign-in addresses compare without case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this sign-in address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_unit(name: str, phone: str, timezone: str = "UTC") -> Unit:
    """Add a unit."""
    unit = Unit(name=name, phone=phone, timezone=timezone)
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
) -> User:
    """Add an account to the current transaction (the caller commits); audited."""
    user = User(
        email=normalise_email(email),
        name=name,
        password_hash=hash_password(password),
        staff_role=staff_role,
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    for unit in units:
        db.session.add(StaffMembership(user_id=user.id, unit_id=unit.id))
    audit("create_user", None, target=f"user:{user.id}")
    return user


def create_user(
    email: str,
    name: str,
    password: str,
    staff_role: str | None = None,
    units: list[Unit] | tuple[Unit, ...] = (),
    language: str = "en",
) -> User:
    """Add an account and commit; staff are placed in ``units``."""
    user = add_user(email, name, password, staff_role, units, language)
    db.session.commit()
    return user
