"""A family's part in rounds: saying whether they will be there, and questions for the team.

Each is one transaction (written, audited, committed), then the person's own open pages and
the unit's staff screens hear of it. Question text is never in an audit row or a log line.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rounds import realtime, tracker
from rounds.extensions import db
from rounds.models import Patient, Question, RoundsAnswer, Update, User
from rounds.models.rounds import ANSWER_CHOICES, QUESTION_ANSWERS
from rounds.models.types import utcnow
from rounds.services.audit import audit

# Open questions one person may have for one child at a time.
MOST_OPEN_QUESTIONS = 5
QUESTION_LENGTH = 500


class FamilyRoundsRefused(Exception):
    """Something a family member cannot do now; ``message`` says why (family words)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def answer_rounds(
    user: User, patient: Patient, choice: str, phone: str = "", now: datetime | None = None
) -> None:
    """Say, for the next rounds of this child, whether this person will be at the bedside,
    would like to join by video, would like a call (at ``phone``, kept for the team), or
    cannot make it. Refused once the team has reached the child today."""
    if choice not in ANSWER_CHOICES:
        raise ValueError(choice)
    now = now or utcnow()
    unit = patient.unit
    queue = tracker.queue_of(unit, now)
    day = tracker.answers_day(unit, now, session=queue.session)
    state = tracker.family_state(queue, patient.id)
    if state["state"] in ("now", "done") and day in tracker.session_days(queue.session, unit):
        raise FamilyRoundsRefused("too_late")
    _keep_answer(user, patient, day, choice, now)
    if choice == "call" and phone:
        user.phone = phone
    audit("answer_rounds", user, patient.id, target=f"day:{day.isoformat()}", detail=choice)
    db.session.commit()
    personal = tracker.personal_state(user, patient, queue, state)
    realtime.publish_family_rounds(patient.unit_id, user.id, patient.id, personal)


def _keep_answer(user: User, patient: Patient, day, choice: str, now: datetime) -> None:
    """This person's answer for the child and day, new or changed: the first write of
    ``answer_rounds``'s transaction. Two answers sent at the same moment (a double tap, two
    phones) both find none and both insert; the second's insert then fails on the unique
    index, and, having written nothing else yet, it starts again and changes the first's row."""
    for _attempt in range(2):
        answer = tracker.answer_in(user, patient, (day,))
        if answer is not None:
            answer.choice, answer.answered_at = choice, now
            return
        db.session.add(
            RoundsAnswer(
                user_id=user.id, patient_id=patient.id, day=day, choice=choice, answered_at=now
            )
        )
        try:
            db.session.flush()
            return
        except IntegrityError:
            db.session.rollback()
    raise FamilyRoundsRefused("busy")


def open_questions_of(user: User, patient: Patient) -> int:
    """How many open questions this person has for this child."""
    return db.session.scalar(
        select(func.count()).where(
            Question.patient_id == patient.id,
            Question.asked_by_id == user.id,
            Question.withdrawn_at.is_(None),
            Question.answer.is_(None),
        )
    )


def ask_question(
    user: User, patient: Patient, text: str, language: str, now: datetime | None = None
) -> Question:
    """A question for the team at the next rounds, in the asker's language."""
    if open_questions_of(user, patient) >= MOST_OPEN_QUESTIONS:
        raise FamilyRoundsRefused("too_many")
    question = Question(
        patient_id=patient.id,
        asked_by_id=user.id,
        text=text[:QUESTION_LENGTH],
        language=language,
        asked_at=now or utcnow(),
    )
    db.session.add(question)
    db.session.flush()
    audit("ask_question", user, patient.id, target=f"question:{question.id}", detail=language)
    db.session.commit()
    realtime.publish_family_rounds(patient.unit_id, user.id, patient.id)
    return question


def withdraw_question(user: User, question: Question, now: datetime | None = None) -> None:
    """The asker takes back an open question of theirs (staff still see it was asked)."""
    if not question.is_open:
        raise FamilyRoundsRefused("closed")
    question.withdrawn_at = now or utcnow()
    audit("withdraw_question", user, question.patient_id, target=f"question:{question.id}")
    db.session.commit()
    realtime.publish_family_rounds(
        question.patient.unit_id, question.asked_by_id, question.patient_id
    )


def mark_answered(
    actor: User,
    question: Question,
    how: str,
    update_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """A clinician or nurse says how a question was answered: in today's update (which one),
    at the bedside, or "we will call you". The asker sees it change, live."""
    if how not in QUESTION_ANSWERS:
        raise ValueError(how)
    answer_in_transaction(actor, question, how, update_id, now)
    db.session.commit()
    realtime.publish_family_rounds(
        question.patient.unit_id, question.asked_by_id, question.patient_id
    )


def answer_in_transaction(
    actor: User, question: Question, how: str, update_id: int | None, now: datetime | None
) -> None:
    """``mark_answered`` without the commit: a post marks the questions it answers in its
    own transaction."""
    question.answer, question.answered_by_id = how, actor.id
    question.answered_at = now or utcnow()
    question.answer_update_id = update_id if how == "update" else None
    audit(
        "answer_question",
        actor,
        question.patient_id,
        target=f"question:{question.id}",
        detail=how + (f" update:{update_id}" if update_id else ""),
    )


def render_question(
    actor: User, question: Question, rendering: str, now: datetime | None = None
) -> None:
    """An interpreter's rendering of a question into the team's language, shown beside it."""
    question.rendering = rendering
    question.rendered_by_id, question.rendered_at = actor.id, now or utcnow()
    audit("render_question", actor, question.patient_id, target=f"question:{question.id}")
    db.session.commit()
    realtime.publish_family_rounds(
        question.patient.unit_id, question.asked_by_id, question.patient_id
    )


def questions_for_family(user: User, patient: Patient) -> list[Question]:
    """A person's own questions for this child, not withdrawn, newest first (never another
    relative's: in a custody dispute that matters)."""
    return list(
        db.session.scalars(
            select(Question)
            .where(
                Question.patient_id == patient.id,
                Question.asked_by_id == user.id,
                Question.withdrawn_at.is_(None),
            )
            .order_by(Question.asked_at.desc(), Question.id.desc())
            .limit(20)
        )
    )


# Closed questions (answered, withdrawn) a child's page still shows, newest first.
CLOSED_SHOWN = 30


def questions_for_staff(patient_ids: list[int], include_closed: bool = True) -> list[Question]:
    """The questions of these children's families: every open one, oldest first (a long stay
    never hides a new one), then the newest closed ones."""
    is_open = (Question.withdrawn_at.is_(None), Question.answer.is_(None))
    found = list(
        db.session.scalars(
            select(Question)
            .where(Question.patient_id.in_(patient_ids), *is_open)
            .order_by(Question.asked_at, Question.id)
        )
    )
    if include_closed:
        found += db.session.scalars(
            select(Question)
            .where(Question.patient_id.in_(patient_ids), ~(is_open[0] & is_open[1]))
            .order_by(Question.asked_at.desc(), Question.id.desc())
            .limit(CLOSED_SHOWN * len(patient_ids))
        )
    return found


def _questions_to_render(
    languages: list[str], patient_ids: list[int], team_languages: dict[int, str]
) -> list[Question]:
    """Open questions not in the team's language and not rendered yet, in these languages."""
    found = db.session.scalars(
        select(Question)
        .where(
            Question.patient_id.in_(patient_ids),
            Question.language.in_(languages),
            Question.withdrawn_at.is_(None),
            Question.answer.is_(None),
            Question.rendered_at.is_(None),
        )
        .order_by(Question.asked_at, Question.id)
    )
    return [q for q in found if q.language != team_languages.get(q.patient_id, "en")]


def answered_update(question: Question) -> Update | None:
    """The update a question was answered in."""
    return db.session.get(Update, question.answer_update_id) if question.answer_update_id else None


def tell_about(question: Question) -> None:
    """After a commit: the asker's open pages and the unit's staff screens refresh."""
    realtime.publish_family_rounds(
        question.patient.unit_id, question.asked_by_id, question.patient_id
    )


def questions_waiting_for(user: User, languages: list[str]) -> list[Question]:
    """Families' open questions in a language ``user`` translates, not yet rendered into
    their unit's team language, in the user's units."""
    units = {unit.id: unit.team_language for unit in user.units}
    children = db.session.execute(
        select(Patient.id, Patient.unit_id).where(
            Patient.unit_id.in_(units), Patient.discharged_at.is_(None)
        )
    ).all()
    team = {patient_id: units[unit_id] for patient_id, unit_id in children}
    return _questions_to_render(languages, list(team), team)
