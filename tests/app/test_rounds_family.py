"""A family's part in rounds: each person answers for themselves, for one child and day, until
the team reaches the child; questions are private to the asker and the team, and follow the
same access rules as updates."""

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from rounds import tracker
from rounds.extensions import db
from rounds.models import AuditEvent, Patient, Question, RoundsAnswer, Unit, User
from rounds.services.family_rounds import FamilyRoundsRefused, answer_rounds
from rounds.services.rounds_queue import start_rounds
from rounds.timefmt import zone
from tests.support.client import post_form, signed_in
from tests.support.factories import morning_zone


@pytest.fixture
def family(make):
    """Mateo (bed 4) with his mother, father and grandmother; a nurse and a clinician."""
    unit = make.unit("Family PICU", timezone=morning_zone())
    nurse = make.person("nurse", (unit,))
    clinician = make.person("clinician", (unit,))
    first = make.patient(unit, "Ana Lopes", "1")
    mateo = make.patient(unit, "Mateo Cruz", "4")
    mother, father = make.person(name="Rosa Cruz"), make.person(name="Luis Cruz")
    grandma = make.person(name="Elena Cruz")
    make.grant(mother, mateo)
    make.grant(father, mateo)
    grant_grandma = make.grant(grandma, mateo, guardian=False)
    return unit, nurse, clinician, first, mateo, mother, father, grandma, grant_grandma


def answers(app, mateo):
    with app.app_context():
        rows = db.session.scalars(sa.select(RoundsAnswer).where(RoundsAnswer.patient_id == mateo))
        return {(row.user_id, row.choice) for row in rows}


def test_a_mother_and_a_father_answer_differently(app, make, family):
    _unit, _nurse, _clinician, _first, mateo, mother, father, _grandma, _g = family
    make.answer(mother, mateo, "bedside")
    make.answer(father, mateo, "video")
    make.answer(father, mateo, "call", phone="+34 600 123 456")  # changed his mind
    assert answers(app, mateo) == {(mother.id, "bedside"), (father.id, "call")}
    with app.app_context():
        assert db.session.get(User, father.id).phone == "+34 600 123 456"
        audited = db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "answer_rounds")
        ).all()
        assert audited == ["bedside", "video", "call"]  # the choice only, never a number


def test_the_answer_can_change_until_the_team_reaches_the_child(app, make, family):
    unit, nurse, _clinician, first, mateo, mother, _father, _grandma, _g = family
    make.answer(mother, mateo, "bedside")
    make.start_rounds(nurse, unit)
    make.answer(mother, mateo, "video")  # still waiting: allowed
    make.change_rounds(nurse, unit, "done", first)  # Mateo is now with the team
    with app.app_context(), pytest.raises(FamilyRoundsRefused):
        answer_rounds(db.session.get(User, mother.id), db.session.get(Patient, mateo), "cannot")
    assert answers(app, mateo) == {(mother.id, "video")}


def test_an_answer_given_the_evening_before_is_for_the_next_day(app, make, family):
    unit, _nurse, _clinician, _first, _mateo, _mother, _father, _grandma, _g = family
    with app.app_context():
        unit_row = db.session.get(Unit, unit)
        tz = zone(unit_row.timezone)
        today = tracker.local_now(unit_row).date()
        morning = datetime.combine(today, time(6, 0), tzinfo=tz)
        evening = datetime.combine(today, time(20, 30), tzinfo=tz)
        assert tracker.answers_day(unit_row, morning) == today
        assert tracker.answers_day(unit_row, evening) == today + timedelta(days=1)


def test_a_relative_sees_only_their_own_questions(app, make, family):
    _unit, _nurse, _clinician, _first, mateo, mother, father, _grandma, _g = family
    secret = "Is the custody hearing affecting visiting?"
    make.question(mother, mateo, secret)
    dad = signed_in(app, father.email)
    page = dad.get(f"/family/children/{mateo}").get_data(as_text=True)
    assert secret not in page
    assert secret not in dad.get(f"/family/children/{mateo}/questions").get_data(as_text=True)
    mum = signed_in(app, mother.email)
    assert secret in mum.get(f"/family/children/{mateo}/questions").get_data(as_text=True)
    with app.app_context():
        question_id = db.session.scalar(sa.select(Question.id))
    # Withdrawing someone else's question: not found, and it stays open.
    refused = post_form(dad, f"/family/children/{mateo}/questions/{question_id}/withdraw", {})
    assert refused.status_code == 404
    with app.app_context():
        assert db.session.get(Question, question_id).is_open


def test_five_open_questions_at_most_and_the_text_is_kept_when_refused(app, make, family):
    _unit, _nurse, _clinician, _first, mateo, mother, _father, _grandma, _g = family
    for n in range(5):
        make.question(mother, mateo, f"Question number {n}")
    mum = signed_in(app, mother.email)
    sixth = "Will the physiotherapist come today?"
    response = post_form(mum, f"/family/children/{mateo}/questions", {"text": sixth})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You already have 5 questions waiting" in page and sixth in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 5


def test_asking_is_audited_without_the_text(app, make, family):
    _unit, _nurse, _clinician, _first, mateo, mother, _father, _grandma, _g = family
    mum = signed_in(app, mother.email)
    text = "Can I bring his favourite blanket?"
    assert post_form(mum, f"/family/children/{mateo}/questions", {"text": text}).status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "ask_question"))
        assert row.actor_id == mother.id and row.patient_id == mateo
        assert text not in row.detail + row.target


def test_a_revoked_relative_sees_nothing_and_the_team_keeps_the_question(app, make, family):
    _unit, nurse, _clinician, _first, mateo, _mother, _father, grandma, grant_grandma = family
    text = "Should I fly in this weekend?"
    make.question(grandma, mateo, text)
    make.revoke(grant_grandma)
    granny = signed_in(app, grandma.email)
    assert granny.get(f"/family/children/{mateo}/questions").status_code == 404
    assert granny.get(f"/family/children/{mateo}").status_code == 404
    asked = post_form(granny, f"/family/children/{mateo}/questions", {"text": "Another one?"})
    assert asked.status_code == 404
    staff_page = signed_in(app, nurse.email).get(f"/staff/patients/{mateo}").get_data(as_text=True)
    assert text in staff_page


def test_a_pending_relative_cannot_ask_or_answer(app, make, family):
    _unit, _nurse, _clinician, _first, mateo, _mother, _father, _grandma, _g = family
    uncle = make.person(name="Tomas Cruz")
    make.pending_grant(uncle, mateo)
    client = signed_in(app, uncle.email)
    assert (
        post_form(client, f"/family/children/{mateo}/rounds", {"choice": "bedside"}).status_code
        == 404
    )
    assert (
        post_form(client, f"/family/children/{mateo}/questions", {"text": "Hi?"}).status_code == 404
    )


def test_after_discharge_the_family_reads_but_no_longer_asks(app, make, family):
    _unit, nurse, _clinician, _first, mateo, mother, _father, _grandma, _g = family
    make.question(mother, mateo, "When can he go home?")
    nurse_client = signed_in(app, nurse.email)
    assert post_form(nurse_client, f"/staff/patients/{mateo}/discharge", {}).status_code == 302
    mum = signed_in(app, mother.email)
    page = mum.get(f"/family/children/{mateo}").get_data(as_text=True)
    assert "When can he go home?" in page and 'name="text"' not in page
    assert (
        post_form(mum, f"/family/children/{mateo}/questions", {"text": "And now?"}).status_code
        == 404
    )
    assert (
        post_form(mum, f"/family/children/{mateo}/rounds", {"choice": "video"}).status_code == 404
    )


def test_a_question_answered_in_an_update_links_to_it(app, make, family):
    _unit, _nurse, clinician, _first, mateo, mother, _father, _grandma, _g = family
    question = make.question(mother, mateo, "Is he still on ECMO tomorrow?")
    doctor = signed_in(app, clinician.email)
    posted = post_form(
        doctor,
        f"/staff/patients/{mateo}/updates",
        {
            "status": "serious",
            "summary": "ECMO stays one more day.",
            "language": "en",
            "answers": [str(question)],
            "action": "post",
        },
    )
    assert posted.status_code == 302
    with app.app_context():
        row = db.session.get(Question, question)
        assert row.answer == "update" and row.answer_update_id is not None
        update_id = row.answer_update_id
    mum = signed_in(app, mother.email)
    page = mum.get(f"/family/children/{mateo}/questions").get_data(as_text=True)
    assert f"#update-{update_id}" in page and "Answered in the update" in page


def test_rounds_started_late_in_the_evening_use_the_answers_given_that_evening(app, make, family):
    """After the usual window, answers are for the next rounds; rounds that start then (a
    late night, a demo) are those next rounds, so the team sees them."""
    unit, nurse, _clinician, _first, mateo, mother, _father, _grandma, _g = family
    with app.app_context():
        unit_row = db.session.get(Unit, unit)
        today = tracker.local_now(unit_row).date()
        evening = datetime.combine(today, time(21, 0), tzinfo=zone(unit_row.timezone))
        answer_rounds(
            db.session.get(User, mother.id), db.session.get(Patient, mateo), "video", now=evening
        )
        start_rounds(db.session.get(User, nurse.id), unit_row, now=evening + timedelta(minutes=5))
        _queue, rows, _left_out = tracker.staff_queue(unit_row, evening + timedelta(minutes=6))
        mateo_row = next(row for row in rows if row.patient.id == mateo)
        assert [answer.choice for answer in mateo_row.answers] == ["video"]


def test_answers_given_after_rounds_ended_count_when_they_are_started_again(app, make, family):
    """Rounds ended by mistake and started again: the answers given meanwhile (for the next
    rounds) are the team's to see."""
    unit, nurse, _clinician, _first, mateo, mother, _father, _grandma, _g = family
    make.start_rounds(nurse, unit)
    make.change_rounds(nurse, unit, "end")
    make.answer(mother, mateo, "video")
    make.start_rounds(nurse, unit)
    with app.app_context():
        _queue, rows, _left_out = tracker.staff_queue(db.session.get(Unit, unit))
        mateo_row = next(row for row in rows if row.patient.id == mateo)
        assert [answer.choice for answer in mateo_row.answers] == ["video"]


def test_a_child_discharged_during_rounds_leaves_the_queue_and_the_team_moves_on(app, make, family):
    unit, nurse, _clinician, first, mateo, _mother, _father, _grandma, _g = family
    make.start_rounds(nurse, unit)  # Ana (bed 1) first, Mateo next
    client = signed_in(app, nurse.email)
    assert post_form(client, f"/staff/patients/{first}/discharge", {}).status_code == 302
    with app.app_context():
        queue = tracker.queue_of(db.session.get(Unit, unit))
        assert [(p.patient_id, p.state) for p in queue.places] == [(mateo, "current")]
        assert tracker.family_state(queue, mateo)["state"] == "now"
        kinds = db.session.scalars(sa.text("SELECT kind FROM rounds_changes ORDER BY id")).all()
        assert kinds == ["started", "left"]
