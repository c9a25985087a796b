"""Audit rows, written inside the caller's transaction."""

from sqlalchemy import insert

from rounds.extensions import db
from rounds.models import AuditEvent, User

# No object to track, built once: the ORM's insert of the model costs twice as much of the
# server's time, and every post and every family fetch after a push writes a row.
_INSERT = insert(AuditEvent.__table__)


def audit(
    action: str,
    actor: User | None,
    patient_id: int | None = None,
    target: str = "",
    detail: str = "",
) -> None:
    """Write an audit row in the current transaction (the caller commits).

    A plain INSERT into the table: every post, and every family fetch after a push
    (``record_view``), writes one before it answers.
    """
    db.session.execute(
        _INSERT,
        {
            "action": action,
            "actor_id": actor.id if actor is not None and actor.is_authenticated else None,
            "patient_id": patient_id,
            "target": target[:80],
            "detail": detail[:400],
        },
    )


def record_view(viewer: User, patient_id: int, what: str = "updates", client: str = "") -> None:
    """Audit that ``viewer`` read a child's information, and commit. ``client``: the address
    the read came from, for the record only.

    Every family fetch after a push comes here.
    """
    audit("view_" + what, viewer, patient_id, detail=f"from {client}" if client else "")
    db.session.commit()
