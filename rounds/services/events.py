"""A child's family-visible event sequence: numbered inside the writer's transaction, and
announced to the child's room only after that transaction commits.

Every service that changes what a family sees (posting, correcting, retracting, translating)
writes its event through these, so the sequence stays gapless and ordered whoever writes it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert
from sqlalchemy import update as sql_update

from rounds import realtime
from rounds.extensions import db
from rounds.models import FamilyEvent, Patient


def next_event_seq(patient_id: int) -> int:
    """Take the child's next event number inside the current transaction.

    An UPDATE ... RETURNING on the child's counter row: concurrent posts for one child
    queue on the row lock (PostgreSQL) or the write lock (SQLite) and never share a number,
    where MAX(seq)+1 would hand two of them the same one. Taken first, it also makes every
    other write for this child wait its turn, so checks made after it cannot race them.
    """
    return db.session.execute(TAKE_NEXT_SEQ, {"patient_id": patient_id}).scalar_one()


# On the table, built once: every post runs it, and the ORM's update of the model (with its
# session synchronisation) costs twice as much of the server's time. Nothing loaded is
# changed: a child loaded before still shows the number it was loaded with.
_PATIENTS = Patient.__table__
TAKE_NEXT_SEQ = (
    sql_update(_PATIENTS)
    .where(_PATIENTS.c.id == bindparam("patient_id"))
    .values(last_event_seq=_PATIENTS.c.last_event_seq + 1)
    .returning(_PATIENTS.c.last_event_seq)
)


@dataclass(frozen=True)
class EventWritten:
    """Event ``seq`` of child ``patient_id`` (in unit ``unit_id``), written in the current
    transaction and announced once it commits."""

    patient_id: int
    seq: int
    unit_id: int


def add_family_event(
    seq: int, patient: Patient, kind: str, update_id: int, at: datetime
) -> EventWritten:
    """Write event ``seq`` of ``kind`` about update ``update_id`` in the current transaction.

    A plain INSERT into the table, built once: every post writes one, and the ORM's insert
    of a model costs twice as much of the server's time.
    """
    written = EventWritten(patient.id, seq, patient.unit_id)
    db.session.execute(
        _INSERT_EVENT,
        {
            "patient_id": written.patient_id,
            "seq": seq,
            "kind": kind,
            "update_id": update_id,
            "created_at": at,
        },
    )
    return written


_INSERT_EVENT = insert(FamilyEvent.__table__)


def commit_and_publish(event: EventWritten) -> None:
    """Commit the transaction that wrote ``event``, then tell the child's rooms it exists."""
    db.session.commit()
    realtime.publish_family_event(event.patient_id, event.seq, event.unit_id)
