"""Post, correct and retract rounds updates.

Each writes the update, the next family-visible event and an audit row in one transaction,
commits, then notifies the child's family room.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select

from rounds.extensions import db
from rounds.models import Patient, Question, Update, UpdateRetraction, User
from rounds.models.types import utcnow
from rounds.services import add_or_refuse
from rounds.services.audit import audit
from rounds.services.events import add_family_event, commit_and_publish, next_event_seq
from rounds.services.family_rounds import answer_in_transaction, tell_about


class UpdateConflict(Exception):
    """Someone else changed this update first (corrected or retracted it)."""


@dataclass
class UpdateFields:
    """The structured content of an update, as a clinician writes it."""

    status: str
    summary: str
    body_notes: dict[str, str] = field(default_factory=dict)
    plan: str = ""
    watch_for: list[dict[str, str]] = field(default_factory=list)
    milestones: str = ""
    care_team: str = ""
    next_update_at: datetime | None = None
    language: str = "en"  # what the team wrote it in (a code of rounds.i18n.LANGUAGES)

    @classmethod
    def from_update(cls, update: Update) -> "UpdateFields":
        """The fields of an existing update (for copy forward and corrections)."""
        return cls(
            status=update.status,
            summary=update.summary,
            body_notes=dict(update.body_notes or {}),
            plan=update.plan,
            watch_for=list(update.watch_for or []),
            milestones=update.milestones,
            care_team=update.care_team,
            next_update_at=update.next_update_at,
            language=update.language,
        )

    def as_columns(self) -> dict:
        """Column values for a new Update row."""
        return {
            "status": self.status,
            "summary": self.summary,
            "body_notes": {k: v for k, v in self.body_notes.items() if v},
            "plan": self.plan,
            "watch_for": [w for w in self.watch_for if w.get("if") or w.get("then")],
            "milestones": self.milestones,
            "care_team": self.care_team,
            "next_update_at": self.next_update_at,
            "language": self.language,
        }


def post_update(
    author: User,
    patient: Patient,
    fields: UpdateFields,
    at: datetime | None = None,
    answers: Sequence[Question] = (),
) -> int:
    """Post a new update for a child; the family is notified after it is saved. Returns the
    new update's id.

    ``answers``: open questions of this child's family the update answers (the clinician
    ticked them when posting), marked answered in it in the same transaction.
    ``at`` backdates the post (demo history only); it defaults to now. The child's counter row
    first (concurrent posts for one child queue on its lock), then the update, its event and
    the audit row, in one transaction on every database.
    """
    seq = next_event_seq(patient.id)
    written = {
        "patient_id": patient.id,
        "author_id": author.id,
        "version": 1,
        "created_at": at or utcnow(),
        **fields.as_columns(),
    }
    update_id = db.session.execute(_INSERT_UPDATE, written).scalar_one()
    event = add_family_event(seq, patient, "posted", update_id, written["created_at"])
    audit("post_update", author, patient.id, target=f"update:{update_id}")
    for question in answers:
        answer_in_transaction(author, question, "update", update_id, written["created_at"])
    commit_and_publish(event)
    for question in answers:
        tell_about(question)
    return update_id


# An insert into the table, built once: no object to track (the caller gets the id).
_UPDATES = Update.__table__
_INSERT_UPDATE = insert(_UPDATES).returning(_UPDATES.c.id)


def latest_version(update: Update) -> Update:
    """The newest version in an update's thread."""
    thread = update.thread_id
    return db.session.scalars(
        select(Update)
        .where((Update.id == thread) | (Update.original_id == thread))
        .order_by(Update.version.desc())
        .limit(1)
    ).one()


def is_retracted(update: Update) -> bool:
    """Whether the update's thread was retracted."""
    return (
        db.session.scalar(
            select(UpdateRetraction.id).where(UpdateRetraction.update_id == update.thread_id)
        )
        is not None
    )


def correct_update(
    author: User, update: Update, fields: UpdateFields, reason: str, at: datetime | None = None
) -> Update:
    """Add a corrected version; the earlier text stays, and families see it as a correction."""
    # The child's counter row first: every write for this child now waits its turn, so the
    # checks below cannot race a correction or retraction made at the same moment.
    seq = next_event_seq(update.patient_id)
    if latest_version(update).id != update.id or is_retracted(update):
        db.session.rollback()
        raise UpdateConflict
    correction = Update(
        patient_id=update.patient_id,
        author_id=author.id,
        original_id=update.thread_id,
        corrects_id=update.id,
        version=update.version + 1,
        correction_reason=reason,
        created_at=at or utcnow(),
        **fields.as_columns(),
    )
    add_or_refuse(correction, UpdateConflict())  # the same version corrected a moment ago
    event = add_family_event(seq, update.patient, "corrected", correction.id, correction.created_at)
    audit(
        "correct_update",
        author,
        update.patient_id,
        target=f"update:{correction.id}",
        detail=f"corrects update:{update.id}",
    )
    commit_and_publish(event)
    return correction


def retract_update(author: User, update: Update, reason: str) -> UpdateRetraction:
    """Hide an update and all its versions from the family at once, keeping the reason."""
    seq = next_event_seq(update.patient_id)  # waits its turn, as in correct_update
    if is_retracted(update):
        db.session.rollback()
        raise UpdateConflict
    retraction = UpdateRetraction(
        update_id=update.thread_id, retracted_by_id=author.id, reason=reason, created_at=utcnow()
    )
    add_or_refuse(retraction, UpdateConflict())
    event = add_family_event(seq, update.patient, "retracted", update.id, retraction.created_at)
    audit(
        "retract_update",
        author,
        update.patient_id,
        target=f"update:{update.thread_id}",
        detail=reason,
    )
    commit_and_publish(event)
    return retraction
