"""The rounds part of a child's family page: where the team is, this person's answer and
their own questions. Personal: rendered for the reader only, never into the shared feed."""

from flask_login import current_user

from rounds import tracker
from rounds.family.forms import QuestionForm, RoundsAnswerForm
from rounds.forms import ConfirmForm
from rounds.permissions import may_take_part
from rounds.services.family_rounds import questions_for_family


def rounds_context(patient, answer_form=None, question_form=None) -> dict:
    """The rounds panel and the questions of a child's page, for the person reading it."""
    queue = tracker.queue_of(patient.unit)
    state = tracker.family_state(queue, patient.id)
    taking_part = may_take_part(current_user, patient)
    personal = tracker.personal_state(current_user, patient, queue, state) if taking_part else None
    today = tracker.local_now(patient.unit).date()
    if answer_form is None:
        answer_form = RoundsAnswerForm(
            formdata=None, data={"choice": personal["answer"] if personal else None}
        )
    return {
        "rounds_state": state,
        "rounds_personal": personal,
        "taking_part": taking_part,
        "answer_for_tomorrow": not queue.live
        and tracker.answers_day(patient.unit, session=queue.session) != today,
        "answer_form": answer_form,
        "question_form": question_form or QuestionForm(formdata=None),
        "questions": questions_for_family(current_user, patient),
        "withdraw_form": ConfirmForm(),
        "known_phone": current_user.phone,
    }
