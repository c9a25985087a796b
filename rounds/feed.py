"""Read-only queries: a child's updates as families and staff see them."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

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

    @property
    def key(self) -> str:
        """Its place in a feed as text that sorts as the feed does (newest last): when it was
        first posted, then its id, as the database orders them."""
        first = self.original
        return f"{first.created_at.astimezone(UTC):%Y%m%d%H%M%S%f}-{first.id:012d}"

    def state(self, compact: bool, day: str) -> str:
        """What its card shows, in a few characters: a page that has a card of this state
        has this very card (its version, its translation, its form, and "today" as of ``day``)."""
        translation = self.translation.id if self.translation else 0
        return f"{self.current.id}.{translation}.{'c' if compact else 'f'}.{day}"


# The reads of every feed made, built once with the child bound when run (a feed is made after
# every post and, in a reconnect storm, for every child on every process): building a select
# and working out its cache key costs the server more than the database's answer.
_CHILD = bindparam("patient_id")
_UPDATES = (
    select(Update)
    .where(Update.patient_id == _CHILD)
    .order_by(Update.version.desc())
    # Each update shows who wrote it: with the update, not one query per author later.
    .options(joinedload(Update.author))
)
_RETRACTIONS = (
    select(UpdateRetraction)
    .join(Update, Update.id == UpdateRetraction.update_id)
    .where(Update.patient_id == _CHILD)
)
_SEQ = select(Patient.last_event_seq).where(Patient.id == _CHILD)
_EVENTS_AFTER = (
    select(FamilyEvent)
    .where(FamilyEvent.patient_id == _CHILD, FamilyEvent.seq > bindparam("after"))
    .order_by(FamilyEvent.seq)
)
_EVENTS_BETWEEN = _EVENTS_AFTER.where(FamilyEvent.seq <= bindparam("upto"))


# The staff history and the family's feed, a page at a time: a long stay (an ECMO run of
# weeks, a hundred versions) would otherwise read and render every version on every visit.
HISTORY_PAGE = 10
FAMILY_PAGE = 10


def history_page(
    patient: Patient, before: Update | None = None, size: int = HISTORY_PAGE
) -> tuple[list[Thread], bool]:
    """Up to ``size`` of a child's update threads, retracted ones included, newest first by
    when they were first posted, and whether there are earlier ones. ``before``: the first
    version of the last thread already shown (a keyset cursor: later posts never shift it)."""
    ids, more = first_version_ids(patient, before, size, include_retracted=True)
    return threads_by_id(ids), more


def family_page(
    patient: Patient, language: str | None = None, before: Update | None = None, size=FAMILY_PAGE
) -> tuple[list[Thread], bool]:
    """What a family sees, a page at a time: up to ``size`` of the updates not retracted,
    newest first (after ``before``, as in ``history_page``), each with the translation of its
    current version into ``language``, and whether there are earlier ones."""
    ids, more = first_version_ids(patient, before, size, include_retracted=False)
    return threads_by_id(ids, language), more


def first_version_ids(
    patient: Patient, before: Update | None, size: int, include_retracted: bool
) -> tuple[list[int], bool]:
    """The first versions (thread ids) of up to ``size`` threads in feed order after
    ``before``, and whether there are more."""
    first = select(Update.id).where(Update.patient_id == patient.id, Update.original_id.is_(None))
    if not include_retracted:
        first = first.where(~exists().where(UpdateRetraction.update_id == Update.id))
    if before is not None:
        first = first.where(
            or_(
                Update.created_at < before.created_at,
                (Update.created_at == before.created_at) & (Update.id < before.id),
            )
        )
    ids = list(
        db.session.scalars(
            first.order_by(Update.created_at.desc(), Update.id.desc()).limit(size + 1)
        )
    )
    return ids[:size], len(ids) > size


def threads_by_id(thread_ids: list[int], language: str | None = None) -> list[Thread]:
    """These threads, in this order, with their versions and retraction; with ``language``,
    each with the translation of its current version into that language, if there is one."""
    if not thread_ids:
        return []
    versions = db.session.scalars(
        select(Update)
        .where(or_(Update.id.in_(thread_ids), Update.original_id.in_(thread_ids)))
        .order_by(Update.version.desc())
        .options(joinedload(Update.author))
    )
    grouped: dict[int, list[Update]] = {thread_id: [] for thread_id in thread_ids}
    for update in versions:
        grouped[update.thread_id].append(update)
    retractions = {
        r.update_id: r
        for r in db.session.scalars(
            select(UpdateRetraction)
            .where(UpdateRetraction.update_id.in_(thread_ids))
            .options(joinedload(UpdateRetraction.retracted_by))
        )
    }
    threads = [Thread(grouped[t], retractions.get(t)) for t in thread_ids if grouped[t]]
    if language is not None:
        translations = translations_of([t.current for t in threads], language)
        for thread in threads:
            thread.translation = translations.get((thread.current.id, language))
    return threads


def thread_ids_of(update_ids) -> dict[int, int]:
    """The thread (first version's id) of each of these versions, by version id."""
    wanted = set(update_ids)
    if not wanted:
        return {}
    rows = db.session.execute(select(Update.id, Update.original_id).where(Update.id.in_(wanted)))
    return {update_id: original_id or update_id for update_id, original_id in rows}


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


def translated_for(events: list[FamilyEvent], language: str) -> set[int]:
    """The seqs of the "translated" events among ``events`` that brought a translation into
    ``language``: a translation and its event share their moment (add_translation)."""
    asked = {(e.update_id, e.created_at) for e in events if e.kind == "translated"}
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
    return {e.seq for e in events if e.kind == "translated" and (e.update_id, e.created_at) in made}


def current_seq(patient: Patient) -> int:
    """The child's newest event number, read from the database now (not a cached object)."""
    return db.session.scalar(_SEQ, {"patient_id": patient.id})


def family_snapshot(
    patient: Patient, language: str | None = None, before: Update | None = None, attempts: int = 5
) -> tuple[int, list[Thread], bool]:
    """A page of what a family sees (reading ``language``; see ``family_page``) and the event
    number it matches, read consistently.

    Read the number, then the updates, then the number again: if a post landed in between,
    read again. The page then neither misses an event nor announces one it already shows.
    """
    seq = current_seq(patient)
    for _ in range(attempts):
        read_before = seq
        threads, more = family_page(patient, language, before)
        again = current_seq(patient)
        if again == seq:
            break
        seq = again
    else:  # still moving: claim no more than the number read before these updates
        seq = read_before
    return seq, threads, more


def latest_family_update(patient: Patient) -> Update | None:
    """The newest version of the newest update families can see."""
    threads, _more = family_page(patient, size=1)
    return threads[0].current if threads else None


def events_after(patient: Patient, after: int, upto: int | None = None) -> list[FamilyEvent]:
    """The child's family-visible events after number ``after`` (up to ``upto``), in order."""
    bound = {"patient_id": patient.id, "after": after, "upto": upto}
    return list(db.session.scalars(_EVENTS_AFTER if upto is None else _EVENTS_BETWEEN, bound))


def is_late(update: Update | None, now: datetime | None = None) -> bool:
    """The next update was expected more than a little while ago and has not come."""
    if update is None or update.next_update_at is None:
        return False
    return (now or utcnow()) > update.next_update_at + LATE_GRACE


# The census: each admitted child with the newest version of their newest update that families
# can see, all in one query (a thread's place is its first version's, as in threads_for).
_FIRST = aliased(Update)
_NEWEST_THREAD = (
    select(_FIRST.id)
    .where(
        _FIRST.patient_id == Patient.id,
        _FIRST.original_id.is_(None),
        ~exists().where(UpdateRetraction.update_id == _FIRST.id),
    )
    .order_by(_FIRST.created_at.desc(), _FIRST.id.desc())
    .limit(1)
    .correlate(Patient)
    .scalar_subquery()
)
_VERSION = aliased(Update)
_CURRENT_OF_NEWEST = (
    select(_VERSION.id)
    .where(or_(_VERSION.id == _NEWEST_THREAD, _VERSION.original_id == _NEWEST_THREAD))
    .order_by(_VERSION.version.desc())
    .limit(1)
    .correlate(Patient)
    .scalar_subquery()
)
_CENSUS = (
    select(Patient, Update)
    .outerjoin(Update, Update.id == _CURRENT_OF_NEWEST)
    .where(Patient.discharged_at.is_(None))
    .order_by(Patient.unit_id, Patient.bed, Patient.id)
)


def census_rows(unit_ids, patient_ids=None) -> list[tuple[Patient, Update | None]]:
    """Every child still in these units (or those of ``patient_ids`` still there), with what
    ``latest_family_update`` would give for each, by bed: one query for any number of rows."""
    statement = _CENSUS.where(Patient.unit_id.in_(list(unit_ids)))
    if patient_ids is not None:
        statement = statement.where(Patient.id.in_(list(patient_ids)))
    return [(patient, update) for patient, update in db.session.execute(statement)]
