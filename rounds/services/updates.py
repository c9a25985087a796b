"""Post, correct and retract rounds updates.

Each writes the update, the next family-visible event and an audit row in one transaction,
commits, then notifies the child's family room.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, bindparam, cast, insert, literal, select, true
from sqlalchemy.exc import IntegrityError

from rounds.extensions import db, on_postgresql
from rounds.models import AuditEvent, FamilyEvent, Patient, Update, UpdateRetraction, User
from rounds.models.types import utcnow
from rounds.services.audit import audit
from rounds.services.events import (
    TAKE_NEXT_SEQ,
    EventWritten,
    add_family_event,
    commit_and_publish,
    next_event_seq,
)


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
    author: User, patient: Patient, fields: UpdateFields, at: datetime | None = None
) -> int:
    """Post a new update for a child; the family is notified after it is saved. Returns the
    new update's id.

    ``at`` backdates the post (demo history only); it defaults to now. The family waits for
    all of this before their push: on PostgreSQL the counter row, the update, its event and
    the audit row are one statement (one round trip: one statement each, the ORM's inserts
    of models among them, took about three times as long); elsewhere the same four, in turn.
    """
    written = {
        "patient_id": patient.id,
        "author_id": author.id,
        "version": 1,
        "created_at": at or utcnow(),
        **fields.as_columns(),
    }
    if on_postgresql():
        update_id, seq = db.session.execute(_POST_IN_ONE, {**written, "audited_at": utcnow()}).one()
        event = EventWritten(patient.id, seq, patient.unit_id)
    else:
        seq = next_event_seq(patient.id)
        update_id = db.session.execute(_INSERT_UPDATE, written).scalar_one()
        event = add_family_event(seq, patient, "posted", update_id, written["created_at"])
        audit("post_update", author, patient.id, target=f"update:{update_id}")
    commit_and_publish(event)
    return update_id


_UPDATES, _EVENTS, _AUDIT = Update.__table__, FamilyEvent.__table__, AuditEvent.__table__
_INSERT_UPDATE = insert(_UPDATES).returning(_UPDATES.c.id)


def _post_in_one():
    """post_update's four writes as one PostgreSQL statement: the child's counter row (whose
    lock makes concurrent posts queue, as next_event_seq), the update, its event, the audit
    row. Each part is a data-modifying WITH query; the select at the end joins them so that
    every one is in the statement."""
    value = {
        column.name: bindparam(column.name, type_=column.type)
        for column in _UPDATES.columns
        if column.name not in NOT_IN_A_FIRST_VERSION
    }
    seq = TAKE_NEXT_SEQ.cte("seq")
    new = insert(_UPDATES).values(value).returning(_UPDATES.c.id, _UPDATES.c.created_at).cte("new")
    event = (
        insert(_EVENTS)
        .from_select(
            ["patient_id", "seq", "kind", "update_id", "created_at"],
            select(
                value["patient_id"],
                seq.c.last_event_seq,
                literal("posted"),
                new.c.id,
                new.c.created_at,
            ).select_from(seq.join(new, true())),
        )
        .returning(_EVENTS.c.seq)
        .cte("event")
    )
    audited = (
        insert(_AUDIT)
        .from_select(
            ["at", "action", "actor_id", "patient_id", "target", "detail"],
            select(
                bindparam("audited_at", type_=_AUDIT.c.at.type),
                literal("post_update"),
                value["author_id"],
                value["patient_id"],
                literal("update:") + cast(new.c.id, String),
                literal(""),
            ),
        )
        .returning(_AUDIT.c.id)
        .cte("audited")
    )
    return select(new.c.id, event.c.seq).select_from(new).join(event, true()).join(audited, true())


# Every other column is bound by name when the statement runs: a value missing is an error.
NOT_IN_A_FIRST_VERSION = ("id", "original_id", "corrects_id", "correction_reason")
_POST_IN_ONE = _post_in_one()


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
    db.session.add(correction)
    try:
        db.session.flush()
    except IntegrityError as error:  # someone corrected the same version a moment ago
        db.session.rollback()
        raise UpdateConflict from error
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
    db.session.add(retraction)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise UpdateConflict from error
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
