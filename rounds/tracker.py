"""What the rounds queue says, read from the database (never replayed from pushes).

A family sees only its own child's place: a state and a count ("3 children away"), when the
current child's turn began and the minutes per child, from which its page works out (and
every 30 s works out again) when the team should come. Staff see the whole queue.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from sqlalchemy import func, select

from rounds.extensions import db
from rounds.feed import census_rows
from rounds.models import (
    AccessGrant,
    Patient,
    Question,
    RoundsAnswer,
    RoundsPlace,
    RoundsSession,
    Unit,
    User,
)
from rounds.models.types import utcnow
from rounds.timefmt import zone

# A family may change its answer for the next rounds until this long after the unit's usual
# start, when no rounds were held that day; after that, answers are for the next day.
ANSWERS_ROLL_OVER_AFTER = timedelta(hours=8)
# Minutes per child worked out from today's rounds stay within these bounds.
FEWEST_MINUTES, MOST_MINUTES = 2, 60
# The states a family sees. "coming" is "N children away"; "away" and "later" keep the page
# waiting; "none": the child is not in today's queue.
FAMILY_STATES = ("before", "coming", "next", "now", "done", "later", "over", "none")


def local_now(unit: Unit, now: datetime | None = None) -> datetime:
    """Now on the unit's clock."""
    return (now or utcnow()).astimezone(zone(unit.timezone))


def usual_start(unit: Unit) -> time:
    """When the unit's rounds usually start ("07:30"), 7:30 if the setting is unreadable."""
    try:
        hours, minutes = (int(part) for part in unit.rounds_start.split(":"))
        return time(hours, minutes)
    except (ValueError, AttributeError):
        return time(7, 30)


def usual_start_words(unit: Unit) -> str:
    """ "7:30": the usual start as families read it (24-hour, no leading zero)."""
    start = usual_start(unit)
    return f"{start.hour}:{start.minute:02d}"


def todays_session(unit: Unit, now: datetime | None = None) -> RoundsSession | None:
    """The unit's newest rounds of today (its day, its clock), running or over."""
    today = local_now(unit, now).date()
    return db.session.scalar(
        select(RoundsSession)
        .where(RoundsSession.unit_id == unit.id, RoundsSession.day == today)
        .order_by(RoundsSession.id.desc())
        .limit(1)
    )


def open_session(unit_id: int) -> RoundsSession | None:
    """The unit's rounds nobody has ended yet (perhaps over by themselves: ``is_live``)."""
    return db.session.scalar(
        select(RoundsSession).where(
            RoundsSession.unit_id == unit_id, RoundsSession.ended_at.is_(None)
        )
    )


def ends_by(session: RoundsSession, unit: Unit) -> datetime:
    """When rounds nobody ends are over by themselves: at the unit's next midnight, or after
    the unit's idle hours without a change, whichever comes first."""
    midnight = datetime.combine(
        session.day + timedelta(days=1), time(0, 0), tzinfo=zone(unit.timezone)
    )
    return min(midnight, session.changed_at + timedelta(hours=unit.rounds_idle_hours))


def is_live(session: RoundsSession | None, unit: Unit, now: datetime | None = None) -> bool:
    """Rounds under way: started, not ended, and not over by themselves."""
    if session is None or session.ended_at is not None:
        return False
    return (now or utcnow()) < ends_by(session, unit)


def places_of(session: RoundsSession) -> list[RoundsPlace]:
    """The session's queue, in order: the children still in the unit (a child discharged
    during rounds leaves it)."""
    return list(
        db.session.scalars(
            select(RoundsPlace)
            .join(Patient, Patient.id == RoundsPlace.patient_id)
            .where(RoundsPlace.session_id == session.id, Patient.discharged_at.is_(None))
            .order_by(RoundsPlace.position, RoundsPlace.id)
        )
    )


def minutes_per_child(unit: Unit, places: list[RoundsPlace]) -> int:
    """How long the team has taken per child so far today, or the unit's default before any
    child is done."""
    taken = [
        (place.done_at - place.turn_started_at).total_seconds() / 60
        for place in places
        if place.state == "done" and place.done_at and place.turn_started_at
    ]
    if not taken:
        return unit.minutes_per_child
    return max(FEWEST_MINUTES, min(MOST_MINUTES, round(sum(taken) / len(taken))))


def rounds_day(unit: Unit, at: datetime) -> date:
    """The day of rounds something said at ``at`` (with no rounds running) is for: that day,
    until long after its usual start; then the next day's (an answer given the evening
    before)."""
    local = local_now(unit, at)
    window_ends = datetime.combine(local.date(), usual_start(unit), tzinfo=local.tzinfo)
    if local > window_ends + ANSWERS_ROLL_OVER_AFTER:
        return local.date() + timedelta(days=1)
    return local.date()


def session_answers_day(session: RoundsSession, unit: Unit) -> date:
    """The day whose answers a session uses: what a family answering just before it started
    answered for (rounds started late at night use the answers given for the next day)."""
    return rounds_day(unit, session.started_at)


# "today's session, not read yet" (None means "read: there is none")
_UNREAD = object()


def answers_day(unit: Unit, now: datetime | None = None, session=_UNREAD) -> date:
    """The day a family member's answer is for: the running rounds', else today's, unless
    today's rounds are over (or today's usual window has long passed); then tomorrow's.
    ``session``: today's session (or None), when the caller has just read it."""
    now = now or utcnow()
    if session is _UNREAD:
        session = todays_session(unit, now)
    if session is None:
        return rounds_day(unit, now)
    if is_live(session, unit, now):
        return session_answers_day(session, unit)
    return max(local_now(unit, now).date(), session_answers_day(session, unit)) + timedelta(days=1)


@dataclass
class Queue:
    """A unit's rounds as of now: today's session (if any), whether it runs, its places."""

    unit: Unit
    session: RoundsSession | None
    live: bool
    places: list[RoundsPlace] = field(default_factory=list)

    @cached_property
    def minutes(self) -> int:
        """Minutes per child for the estimates (read by every child's state of a change)."""
        return minutes_per_child(self.unit, self.places)

    @property
    def current(self) -> RoundsPlace | None:
        """The child the team is with now."""
        return next((place for place in self.places if place.state == "current"), None)


def queue_of(unit: Unit, now: datetime | None = None) -> Queue:
    """The unit's queue now."""
    session = todays_session(unit, now)
    live = is_live(session, unit, now)
    return Queue(unit, session, live, places_of(session) if session is not None else [])


def family_state(queue: Queue, patient_id: int) -> dict:
    """What one child's family sees of the queue: only this child's place, as a count.

    Never another child's name, bed, id or place: the count of children before this one is
    all that leaves the server.
    """
    unit = queue.unit
    state = {
        "patient": patient_id,
        "state": "before",
        "away": 0,
        "turn_started_at": None,
        "minutes_per_child": unit.minutes_per_child,
        "usual_start": usual_start_words(unit),
        "ends_by": None,
        # Which rounds and which change of them: a page keeps the newest it was told, so a
        # message that arrives late (a catch-up behind a push) never takes it back.
        "session": queue.session.id if queue.session is not None else 0,
        "version": queue.session.version if queue.session is not None else 0,
    }
    if queue.session is None:
        return state
    if not queue.live:
        state["state"] = "over"
        return state
    state["ends_by"] = ends_by(queue.session, unit).isoformat()
    place = next((p for p in queue.places if p.patient_id == patient_id), None)
    if place is None:
        state["state"] = "none"
        return state
    current = queue.current
    if place.state == "waiting":
        ahead = [
            p
            for p in queue.places
            if p.state in ("waiting", "current") and p.position < place.position
        ]
        if current is not None and current not in ahead:
            ahead.append(current)
        state["away"] = len(ahead)
        state["state"] = "next" if len(ahead) <= 1 else "coming"
        state["minutes_per_child"] = queue.minutes
        if current is not None and current.turn_started_at is not None:
            state["turn_started_at"] = current.turn_started_at.isoformat()
    else:
        state["state"] = {"current": "now", "done": "done", "skipped": "later"}[place.state]
    return state


def link_shown(state: dict) -> bool:
    """A join link is shown only while the team is coming next or at the bedside."""
    return state["state"] in ("next", "now")


def answer_in(user: User, patient: Patient, days) -> RoundsAnswer | None:
    """A family member's newest answer for this child on any of ``days``."""
    return db.session.scalar(
        select(RoundsAnswer)
        .where(
            RoundsAnswer.user_id == user.id,
            RoundsAnswer.patient_id == patient.id,
            RoundsAnswer.day.in_(list(days)),
        )
        .order_by(RoundsAnswer.answered_at.desc())
        .limit(1)
    )


def personal_state(user: User, patient: Patient, queue: Queue, state: dict) -> dict:
    """What only this person sees: their own answer, and the join link when they asked to
    join by video and the team is coming next or at the bedside."""
    if queue.live:
        days = session_days(queue.session, queue.unit)
    else:
        days = (answers_day(queue.unit, session=queue.session),)
    answer = answer_in(user, patient, days)
    link = None
    if answer is not None and answer.choice == "video" and link_shown(state):
        place = next((p for p in queue.places if p.patient_id == patient.id), None)
        link = (place.join_link or None) if place is not None else None
    return {
        "patient": patient.id,
        "answer": answer.choice if answer is not None else None,
        "join_link": link,
        "may_change": state["state"] not in ("now", "done"),
    }


def session_days(session: RoundsSession, unit: Unit) -> tuple[date, date]:
    """The days whose answers a session uses: its own and the next. Answers given after the
    usual window (the evening before, or after rounds ended and before they were started
    again) are for the next day's rounds; rounds started then are those rounds."""
    return session.day, session.day + timedelta(days=1)


def _newest_answers(rows) -> list:
    """Of several answers per person and child (on the two days a session uses), the newest."""
    newest = {}
    for row in rows:
        answer = row[0]
        key = (answer.user_id, answer.patient_id)
        if key not in newest or answer.answered_at > newest[key][0].answered_at:
            newest[key] = row
    return list(newest.values())


def _in_force_with_answer():
    """The join from an answer to its person's grant in force for that child."""
    return (
        (AccessGrant.user_id == RoundsAnswer.user_id)
        & (AccessGrant.patient_id == RoundsAnswer.patient_id)
        & AccessGrant.revoked_at.is_(None)
        & AccessGrant.confirmed_at.is_not(None)
    )


def video_askers(queue: Queue) -> dict[int, list[int]]:
    """Who asked to join each child's rounds by video for this session, and still holds a
    grant in force for the child: {child: [person, ...]}."""
    if queue.session is None:
        return {}
    rows = db.session.execute(
        select(RoundsAnswer)
        .join(AccessGrant, _in_force_with_answer())
        .where(
            RoundsAnswer.patient_id.in_([p.patient_id for p in queue.places]),
            RoundsAnswer.day.in_(session_days(queue.session, queue.unit)),
        )
    )
    askers: dict[int, list[int]] = {}
    for (answer,) in _newest_answers(rows):
        if answer.choice == "video":
            askers.setdefault(answer.patient_id, []).append(answer.user_id)
    return askers


@dataclass
class FamilyAnswerRow:
    """One family member's answer, as staff see it on the queue."""

    name: str
    relationship: str
    choice: str
    phone: str
    language: str


def staff_answers(patient_ids: list[int], days) -> dict[int, list[FamilyAnswerRow]]:
    """Each child's family answers for ``days`` (the newest per person), by child: family
    members with a grant in force only."""
    rows = db.session.execute(
        select(RoundsAnswer, User, AccessGrant.relationship_to_child)
        .join(User, User.id == RoundsAnswer.user_id)
        .join(AccessGrant, _in_force_with_answer())
        .where(RoundsAnswer.patient_id.in_(patient_ids), RoundsAnswer.day.in_(list(days)))
    )
    answers: dict[int, list[FamilyAnswerRow]] = {}
    for answer, user, relationship in sorted(_newest_answers(rows), key=lambda row: row[1].name):
        answers.setdefault(answer.patient_id, []).append(
            FamilyAnswerRow(user.name, relationship, answer.choice, user.phone, user.language)
        )
    return answers


def family_languages_of(patient_ids: list[int]) -> dict[int, list[str]]:
    """The languages each child's family members (grants in force) read, by child."""
    rows = db.session.execute(
        select(AccessGrant.patient_id, User.language)
        .join(User, User.id == AccessGrant.user_id)
        .where(
            AccessGrant.patient_id.in_(patient_ids),
            AccessGrant.revoked_at.is_(None),
            AccessGrant.confirmed_at.is_not(None),
        )
        .distinct()
    )
    languages: dict[int, list[str]] = {}
    for patient_id, language in rows:
        languages.setdefault(patient_id, []).append(language)
    return {pid: sorted(codes) for pid, codes in languages.items()}


def open_question_counts(patient_ids: list[int]) -> dict[int, int]:
    """How many open questions each child's family has for the team."""
    rows = db.session.execute(
        select(Question.patient_id, func.count())
        .where(
            Question.patient_id.in_(patient_ids),
            Question.withdrawn_at.is_(None),
            Question.answer.is_(None),
        )
        .group_by(Question.patient_id)
    )
    return dict(rows.all())


def unit_children(unit_id: int) -> list[int]:
    """The children in the unit now (each one's family hears how the queue stands)."""
    return list(
        db.session.scalars(
            select(Patient.id).where(Patient.unit_id == unit_id, Patient.discharged_at.is_(None))
        )
    )


def publication(unit: Unit) -> tuple[list[dict], list[tuple[int, dict]]]:
    """What a queue change tells: each child's state (to that child's room), and to each
    person who asked to join by video, their own join link or none (to that person only)."""
    queue = queue_of(unit)
    in_queue = {place.patient_id for place in queue.places}
    states = {
        pid: family_state(queue, pid) for pid in sorted(in_queue | set(unit_children(unit.id)))
    }
    personal = []
    for patient_id, user_ids in video_askers(queue).items():
        state = states[patient_id]
        place = next(p for p in queue.places if p.patient_id == patient_id)
        link = (place.join_link or None) if link_shown(state) else None
        for user_id in user_ids:
            mine = {"patient": patient_id, "answer": "video", "join_link": link}
            personal.append(
                (user_id, {**mine, "may_change": state["state"] not in ("now", "done")})
            )
    return list(states.values()), personal


@dataclass
class StaffRow:
    """One child on the staff's queue screen."""

    patient: Patient
    latest_status: str | None
    place: RoundsPlace | None
    answers: list[FamilyAnswerRow]
    languages: list[str]
    interpreter: list[str]  # the family's languages that are not the team's
    open_questions: int
    expected_at: datetime | None  # when the team should reach this child, by the estimate

    @property
    def wants_video(self) -> bool:
        """Someone in the family asked to join by video."""
        return any(answer.choice == "video" for answer in self.answers)


def staff_queue(
    unit: Unit, now: datetime | None = None
) -> tuple[Queue, list[StaffRow], list[StaffRow]]:
    """The queue as staff see it: the children in it, in order (or, before rounds, the
    children rounds would start with), and the children left out of it."""
    now = now or utcnow()
    queue = queue_of(unit, now)
    rows = census_rows([unit.id])
    latest = {patient.id: (patient, update) for patient, update in rows}
    ids = list(latest)
    if queue.live:
        days = session_days(queue.session, unit)
    else:
        days = (answers_day(unit, now, session=queue.session),)
    answers = staff_answers(ids, days)
    languages = family_languages_of(ids)
    questions = open_question_counts(ids)
    minutes = queue.minutes
    current = queue.current

    def row(patient_id: int, place: RoundsPlace | None, away: int = 0) -> StaffRow:
        patient, update = latest[patient_id]
        codes = languages.get(patient_id, [])
        expected = None
        if place is not None and place.state == "waiting" and current is not None:
            expected = expected_at(current.turn_started_at, minutes, away, now)
        return StaffRow(
            patient=patient,
            latest_status=update.status if update is not None else None,
            place=place,
            answers=answers.get(patient_id, []),
            languages=codes,
            interpreter=[code for code in codes if code != unit.team_language],
            open_questions=questions.get(patient_id, 0),
            expected_at=expected,
        )

    if queue.live:
        in_queue, away = [], 0
        for place in queue.places:
            if place.patient_id not in latest:  # discharged since rounds started
                continue
            if place.state == "waiting":
                away += 1
            in_queue.append(row(place.patient_id, place, away))
        placed = {place.patient_id for place in queue.places}
        left_out = [row(pid, None) for pid in ids if pid not in placed]
        return queue, in_queue, left_out
    first = [patient.id for patient in children_for_rounds(unit, rows)]
    return (
        queue,
        [row(pid, None) for pid in first],
        [row(pid, None) for pid in ids if pid not in set(first)],
    )


def bed_order(bed: str) -> tuple:
    """ "2" before "10", "B3" after "A12": beds as a unit numbers them."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.findall(r"\d+|\D+", bed)
    )


def children_for_rounds(unit: Unit, rows=None) -> list[Patient]:
    """The children rounds start with: everyone in the unit by bed, except children on
    comfort care (their team talks with the family at their own pace)."""
    rows = census_rows([unit.id]) if rows is None else rows  # (child, latest update)
    children = [patient for patient, latest in rows if not (latest and latest.status == "comfort")]
    return sorted(children, key=lambda patient: (bed_order(patient.bed), patient.id))


# Estimates are said to the nearest 5 minutes: anything finer promises too much.
ROUND_TO_MINUTES = 5


def expected_at(turn_started_at: datetime | None, minutes: int, away: int, now: datetime):
    """When the team should reach a child ``away`` children on, to the nearest 5 minutes:
    the current child's turn ends ``minutes`` after it began (or now, if the team is
    behind), then one turn per child still ahead. None before any child's turn began."""
    if turn_started_at is None:
        return None
    turn_end = max(turn_started_at + timedelta(minutes=minutes), now)
    return to_five_minutes(turn_end + timedelta(minutes=minutes * max(0, away - 1)))


def estimate(state: dict, now: datetime | None = None) -> tuple[datetime, int] | None:
    """A waiting child's family's estimate (``expected_at``), and in about how many minutes
    (to the nearest 5). static/js/family-rounds.js works this out again every 30 s in the
    same way."""
    if state["state"] not in ("coming", "next") or not state["turn_started_at"]:
        return None
    now = now or utcnow()
    began = datetime.fromisoformat(state["turn_started_at"])
    expected = expected_at(began, state["minutes_per_child"], state["away"], now)
    minutes = round((expected - now).total_seconds() / 60 / ROUND_TO_MINUTES)
    return expected, max(0, minutes) * ROUND_TO_MINUTES


def to_five_minutes(moment: datetime) -> datetime:
    """The nearest 5 minutes (halves up, as the page's Math.round does)."""
    step = ROUND_TO_MINUTES * 60
    return datetime.fromtimestamp(math.floor(moment.timestamp() / step + 0.5) * step, tz=UTC)


def usual_start_at(unit: Unit, now: datetime | None = None) -> datetime:
    """Today's usual start, as a moment (families far away see it in their own time too)."""
    local = local_now(unit, now)
    return datetime.combine(local.date(), usual_start(unit), tzinfo=local.tzinfo)
