"""argon2id password hashing, with cost from the app's settings."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when no account matches, so a wrong address costs the same time as a
# wrong password and does not reveal which accounts exist.
_DUMMY_HASH: dict[str, str] = {}


def check_password_of_nobody(password: str) -> None:
    """Spend the time a real check would, for an address with no account."""
    key = "hash"
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not-a-real-password-for-timing")
    check_password(_DUMMY_HASH[key], password)


PASSPHRASE_MIN = 10
COMMON_PASSPHRASES_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passphrases.txt"


@cache
def _common_passphrases() -> frozenset[str]:
    lines = COMMON_PASSPHRASES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common_passphrase(passphrase: str) -> bool:
    """One of the passwords people choose most (a list of tens of thousands seen in leaks),
    ignoring case and surrounding spaces."""
    return passphrase.strip().lower() in _common_passphrases()
