"""Running a unit's rounds: start, move, skip, bring back, done, end, and each child's join
link. Each is one transaction: the queue's version goes up by one (a screen that acted on an
older one is refused), the change is kept and audited, then every family hears its own
child's place and the unit's staff screens refresh.
"""

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy import update as sql_update

from rounds import realtime, tracker
from rounds.extensions import db
from rounds.models import Patient, RoundsChange, RoundsPlace, RoundsSession, Unit, User
from rounds.models.types import utcnow
from rounds.services import add_or_refuse
from rounds.services.audit import audit


class RoundsRefused(Exception):
    """A queue action that cannot be done now; ``message`` says why, for the screen."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


ALREADY_RUNNING = "Rounds are already under way on this unit."
NOT_RUNNING = "Rounds are not under way on this unit: start them first."
STALE = (
    "Someone else changed the queue a moment ago, so nothing was changed. "
    "The queue below is up to date: check it and try again."
)
NOT_IN_QUEUE = "That child is not in today's queue."
CHANGES = ("move", "skip", "bring_back", "done", "add", "end", "join_link")
# Only links a phone opens in a meeting app or the dialler.
JOIN_LINK = re.compile(r"(https://[^\s<>\"']{4,290}|tel:\+?[0-9][0-9 ().-]{3,40})")


def start_rounds(actor: User, unit: Unit, now: datetime | None = None) -> RoundsSession:
    """Start the unit's rounds for today: the queue in bed order, the first child current."""
    now = now or utcnow()
    earlier = tracker.open_session(unit.id)
    if earlier is not None:
        if tracker.is_live(earlier, unit, now):
            raise RoundsRefused(ALREADY_RUNNING)
        _close_by_itself(earlier, unit)
    session = RoundsSession(
        unit_id=unit.id,
        day=tracker.local_now(unit, now).date(),
        started_at=now,
        started_by_id=actor.id,
        version=1,
        changed_at=now,
    )
    add_or_refuse(session, RoundsRefused(ALREADY_RUNNING))  # another start won a moment ago
    for position, patient in enumerate(tracker.children_for_rounds(unit), start=1):
        db.session.add(
            RoundsPlace(
                session_id=session.id,
                patient_id=patient.id,
                position=position,
                state="current" if position == 1 else "waiting",
                turn_started_at=now if position == 1 else None,
            )
        )
    db.session.add(
        RoundsChange(session_id=session.id, version=1, kind="started", actor_id=actor.id, at=now)
    )
    audit("start_rounds", actor, None, target=f"unit:{unit.id}", detail=f"rounds:{session.id}")
    db.session.commit()
    publish(unit)
    return session


def _close_by_itself(session: RoundsSession, unit: Unit) -> None:
    """Record that rounds nobody ended were over by themselves (in the caller's transaction)."""
    over_at = tracker.ends_by(session, unit)
    midnight_first = over_at < session.changed_at + timedelta(hours=unit.rounds_idle_hours)
    session.ended_at = over_at
    session.end_reason = "day_over" if midnight_first else "idle"
    db.session.flush()


# A change moves the queue's version on by one, in the change's transaction.
_SESSIONS = RoundsSession.__table__
_BUMP_VERSION = (
    sql_update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("session_id"))
    .values(version=_SESSIONS.c.version + 1, changed_at=bindparam("now"))
    .returning(_SESSIONS.c.version)
)
# Only from the version the screen saw: of two staff acting at once on the same queue, the
# second finds no row and is refused, on both databases.
_NEXT_VERSION = _BUMP_VERSION.where(_SESSIONS.c.version == bindparam("seen"))


def change_rounds(
    actor: User,
    unit: Unit,
    seen_version: int,
    kind: str,
    patient_id: int | None = None,
    position: int | None = None,
    link: str = "",
    now: datetime | None = None,
) -> int:
    """One change to the unit's running rounds, made only if the queue is still at
    ``seen_version`` (what the screen showed). Returns the new version."""
    now = now or utcnow()
    if kind not in CHANGES:
        raise ValueError(kind)
    session = tracker.open_session(unit.id)
    if session is None or not tracker.is_live(session, unit, now):
        raise RoundsRefused(NOT_RUNNING)
    version = db.session.execute(
        _NEXT_VERSION, {"session_id": session.id, "seen": seen_version, "now": now}
    ).scalar()
    if version is None:
        db.session.rollback()
        raise RoundsRefused(STALE)
    places = tracker.places_of(session)
    if kind == "end":
        session.ended_at, session.ended_by_id, session.end_reason = now, actor.id, "ended"
    elif kind == "add":
        _add(session, places, patient_id, unit, now)
    else:
        place = next((p for p in places if p.patient_id == patient_id), None)
        if place is None:
            db.session.rollback()
            raise RoundsRefused(NOT_IN_QUEUE)
        _change_place(kind, place, places, position, link, unit, now)
    db.session.add(
        RoundsChange(
            session_id=session.id,
            version=version,
            kind=kind,
            patient_id=patient_id,
            actor_id=actor.id,
            at=now,
        )
    )
    audit(
        "rounds_" + kind,
        actor,
        patient_id,
        target=f"unit:{unit.id}",
        detail=f"rounds:{session.id} version {version}",
    )
    db.session.commit()
    publish(unit)
    return version


def _refuse(message: str):
    db.session.rollback()
    raise RoundsRefused(message)


def _change_place(kind, place, places, position, link, unit, now) -> None:
    """Apply a change to one child's place (the caller keeps and audits it)."""
    if kind == "move":
        if place.state != "waiting" or position is None:
            _refuse("Only a child still waiting can be moved.")
        places.remove(place)
        places.insert(max(0, min(len(places), position - 1)), place)
    elif kind == "skip":
        if place.state not in ("waiting", "current"):
            _refuse("Only a child still to be seen can be left for later.")
        place.state, place.turn_started_at = "skipped", None
    elif kind == "bring_back":
        if place.state != "skipped":
            _refuse("That child was not left for later.")
        place.state = "waiting"
        places.remove(place)
        after = max((i for i, p in enumerate(places) if p.state in ("current", "done")), default=-1)
        places.insert(after + 1, place)
    elif kind == "done":
        if place.state != "current":
            _refuse("Only the child the team is with now can be marked done.")
        place.state, place.done_at = "done", now
    elif kind == "join_link":
        place.join_link = join_link_for(unit, link)
    _renumber(places, now)


def _add(session, places, patient_id, unit, now) -> None:
    """Add a child of the unit who is not in the queue (comfort care, admitted since) last."""
    patient = db.session.get(Patient, patient_id) if patient_id is not None else None
    if patient is None or patient.unit_id != unit.id or not patient.is_admitted:
        _refuse("That child is not in this unit.")
    if any(p.patient_id == patient_id for p in places):
        _refuse("That child is already in the queue.")
    place = RoundsPlace(
        session_id=session.id, patient_id=patient_id, position=len(places) + 1, state="waiting"
    )
    db.session.add(place)
    places.append(place)
    _renumber(places, now)


def _renumber(places: list[RoundsPlace], now: datetime) -> None:
    """Positions 1, 2, 3 ... in list order; if nobody is current, the first child waiting
    is (the team moves on by itself after "done" or "skip")."""
    for position, place in enumerate(places, start=1):
        place.position = position
    if not any(p.state == "current" for p in places):
        waiting = next((p for p in places if p.state == "waiting"), None)
        if waiting is not None:
            waiting.state, waiting.turn_started_at = "current", now


def leave_rounds(by: User, patient: Patient, now: datetime) -> bool:
    """A child discharged during rounds leaves the queue, in the discharge's transaction (the
    caller flushed ``discharged_at``): if the team was with them, it moves on to the next
    child, and the families behind them are one child nearer. True if the queue changed
    (the caller publishes after its commit)."""
    session = tracker.open_session(patient.unit_id)
    unit = patient.unit
    if session is None or not tracker.is_live(session, unit, now):
        return False
    place = db.session.scalar(
        select(RoundsPlace).where(
            RoundsPlace.session_id == session.id, RoundsPlace.patient_id == patient.id
        )
    )
    if place is None:
        return False
    # Whatever a screen saw: a discharge is not an action on the queue.
    version = db.session.execute(_BUMP_VERSION, {"session_id": session.id, "now": now}).scalar()
    if place.state == "current":
        place.state, place.done_at = "done", now
    _renumber(tracker.places_of(session), now)  # the discharged child is no longer among them
    db.session.add(
        RoundsChange(
            session_id=session.id,
            version=version,
            kind="left",
            patient_id=patient.id,
            actor_id=by.id,
            at=now,
        )
    )
    return True


def join_link_for(unit: Unit, link: str) -> str:
    """The link typed or pasted, if it is an ``https:`` or ``tel:`` link; a new one from the
    unit's pattern if none was given; refused otherwise."""
    link = (link or "").strip()
    if not link:
        if "{code}" not in unit.join_link_pattern:
            _refuse("This unit has no join link pattern: paste a link.")
        link = unit.join_link_pattern.replace("{code}", secrets.token_urlsafe(9))
    if not JOIN_LINK.fullmatch(link):
        _refuse("A join link must start with https:// or tel: (and have no spaces).")
    return link


def publish(unit: Unit) -> None:
    """After a commit: each child's family hears its own place, each person who asked to
    join by video their own link (or none), and the unit's staff screens refresh."""
    states, personal = tracker.publication(unit)
    realtime.publish_rounds(unit.id, states, personal)


def session_changes(session: RoundsSession) -> list[RoundsChange]:
    """A session's changes in order: the record of who did what."""
    return list(
        db.session.scalars(
            select(RoundsChange)
            .where(RoundsChange.session_id == session.id)
            .order_by(RoundsChange.version)
        )
    )
