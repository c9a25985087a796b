"""The only code that writes.

Each service writes and audits in one transaction, commits, and only then publishes to
live connections, so a notification never announces something that was not saved. A part
that another service also needs inside its own transaction (an account made while joining,
an invitation made while replacing one) is written without committing, and its committing
service is made from it with ``committed``.
"""

from functools import wraps

from sqlalchemy.exc import IntegrityError

from rounds.extensions import db


def committed(add):
    """The service that does ``add`` in the current transaction, then commits."""

    @wraps(add)
    def service(*args, **kwargs):
        made = add(*args, **kwargs)
        db.session.commit()
        return made

    service.__doc__ = f"{add.__doc__}\n\n    Commits (``{add.__name__}`` does not)."
    return service


def add_or_refuse(row, refusal: Exception) -> None:
    """Add ``row`` and write it now. If another request won a unique constraint meanwhile (the
    same version corrected, the same person given access, a moment ago), nothing of this
    transaction is kept and ``refusal`` is raised."""
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise refusal from error
