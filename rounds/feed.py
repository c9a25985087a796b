"""Read-only queries: a child's updates as families and staff see them."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from rounds.extensions import db
from rounds.models import FamilyEvent, Patient, Update, UpdateRetraction, UpdateTranslation
from rounds.models.types import utcnow

# How long past the expected time before families are told the next update is late.
LATE_GRACE = timedelta(minutes=30)


@dataclass
class Thread:
    """An update with all its versions, newest first, and its retraction if any."""

    versions: list[Update]
    retraction: UpdateRetraction | None = None
    # The newest translation of the current version into the reader's language, if any
    # (only for a family's feed: staff read what the team wrote).
    translation: UpdateTranslation | None = None
    earlier: list[Update] = field(init=False)

    def __post_init__(self):
        self.earlier = self.versions[1:]

    @property
    def current(self) -> Update:
        """The newest version: what families read."""
        return self.versions[0]

    @property
    def original(self) -> Update:
        """The first version: when it was first posted."""
        return self.versions[-1]

    @property
    def is_corrected(self) -> bool:
        """Has at least one correction."""
        return len(self.versions) > 1


def threads_for(patient: Patient, include_retracted: bool) -> list[Thread]:
    """A child's update threads, newest first by when they were first posted."""
    updates = db.session.scalars(
        select(Update)
        .where(Update.patient_id == patient.id)
        .order_by(Update.version.desc())
        # Each update shows who wrote it: with the update, not one query per author later.
        .options(joinedload(Update.author))
    ).all()
    retractions = {
        r.update_id: r
        for r in db.session.scalars(
            select(UpdateRetraction)
            .join(Update, Update.id == UpdateRetraction.update_id)
            .where(Update.patient_id == patient.id)
        )
    }
    grouped: dict[int, list[Update]] = {}
    for update in updates:
        grouped.setdefault(update.thread_id, []).append(update)
    threads = [
        Thread(versions, retractions.get(thread_id)) for thread_id, versions in grouped.items()
    ]
    if not include_retracted:
        threads = [t for t in threads if t.retraction is None]
    threads.sort(key=lambda t: (t.original.created_at, t.original.id), reverse=True)
    return threads


def family_threads(patient: Patient, language: str | None = None) -> list[Thread]:
    """What a family sees: every update not retracted, newest first; with ``language``, each
    with the translation of its current version into that language, if there is one."""
    threads = threads_for(patient, include_retracted=False)
    if language is not None:
        translations = translations_of([t.current for t in threads], language)
        for thread in threads:
            thread.translation = translations.get((thread.current.id, language))
    return threads


def translations_of(
    updates: list[Update], language: str | None = None
) -> dict[tuple[int, str], UpdateTranslation]:
    """The newest translation of each of these versions, by (update id, language), in one
    query: into ``language`` only (a family's feed), or into every language (the staff
    history). A version without one is not in the answer."""
    wanted = [u.id for u in updates if language is None or u.language != language]
    if not wanted:
        return {}
    query = select(UpdateTranslation).where(UpdateTranslation.update_id.in_(wanted))
    if language is not None:
        query = query.where(UpdateTranslation.language == language)
    newest: dict[tuple[int, str], UpdateTranslation] = {}
    for translation in db.session.scalars(
        query.options(joinedload(UpdateTranslation.translator)).order_by(
            UpdateTranslation.created_at, UpdateTranslation.id
        )
    ):
        newest[(translation.update_id, translation.language)] = translation  # newest wins
    return newest


def translated_for(events: list[tuple[int, str, int, datetime]], language: str) -> set[int]:
    """Which "translated" events, as (seq, kind, update id, when), brought a translation into
    ``language``: a translation and its event share their moment (add_translation)."""
    asked = {(update_id, at) for _seq, kind, update_id, at in events if kind == "translated"}
    if not asked:
        return set()
    made = set(
        db.session.execute(
            select(UpdateTranslation.update_id, UpdateTranslation.created_at).where(
                UpdateTranslation.update_id.in_({update_id for update_id, _at in asked}),
                UpdateTranslation.language == language,
            )
        )
    )
    return {
        seq
        for seq, kind, update_id, at in events
        if kind == "translated" and (update_id, at) in made
    }


def current_seq(patient: Patient) -> int:
    """The child's newest event number, read from the database now (not a cached object)."""
    return db.session.scalar(select(Patient.last_event_seq).where(Patient.id == patient.id))


def family_snapshot(
    patient: Patient, language: str | None = None, attempts: int = 5
) -> tuple[int, list[Thread]]:
    """What a family sees (reading ``language``) and the event number it matches, read
    consistently.

    Read the number, then the updates, then the number again: if a post landed in between,
    read again. The page then neither misses an event nor announces one it already shows.
    """
    seq = current_seq(patient)
    for _ in range(attempts):
        threads = family_threads(patient, language)
        again = current_seq(patient)
        if again == seq:
            break
        seq = again
    return seq, threads


def latest_family_update(patient: Patient) -> Update | None:
    """The newest version of the newest update families can see."""
    threads = family_threads(patient)
    return threads[0].current if threads else None


def events_after(patient: Patient, after: int, upto: int | None = None) -> list[FamilyEvent]:
    """The child's family-visible events after number ``after`` (up to ``upto``), in order."""
    query = select(FamilyEvent).where(FamilyEvent.patient_id == patient.id, FamilyEvent.seq > after)
    if upto is not None:
        query = query.where(FamilyEvent.seq <= upto)
    return list(db.session.scalars(query.order_by(FamilyEvent.seq)))


def is_late(update: Update | None, now: datetime | None = None) -> bool:
    """The next update was expected more than a little while ago and has not come."""
    if update is None or update.next_update_at is None:
        return False
    return (now or utcnow()) > update.next_update_at + LATE_GRACE
