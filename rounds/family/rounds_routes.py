"""The family's part in rounds: how they will take part, and their questions for the team.

What is personal (a person's answer, their join link, their own questions and withdraw
buttons) is rendered for that person only, never into the feed that relatives share.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rounds.family.forms import QuestionForm, RoundsAnswerForm
from rounds.family.routes import bp, render_child
from rounds.forms import ConfirmForm
from rounds.i18n import current_language
from rounds.permissions import get_own_question, get_patient, get_taking_part_child, may_take_part
from rounds.services.family_rounds import (
    MOST_OPEN_QUESTIONS,
    FamilyRoundsRefused,
    answer_rounds,
    ask_question,
    questions_for_family,
    withdraw_question,
)

REFUSALS = {
    "too_late": lambda name: _(
        "The team is already with %(name)s today, so your answer can no longer change.",
        name=name,
    ),
    "too_many": lambda name: _(
        "You already have %(most)s questions waiting for the team. Withdraw one, or wait "
        "until the team answers.",
        most=MOST_OPEN_QUESTIONS,
    ),
    "closed": lambda name: _("This question was already answered or withdrawn."),
    "busy": lambda name: _("That did not go through. Please try again."),
}


@bp.post("/children/<int:patient_id>/rounds")
def rounds_answer(patient_id: int):
    """Say how this person will take part in the next rounds (bedside, video, call, not)."""
    patient = get_taking_part_child(patient_id)
    form = RoundsAnswerForm(known_phone=current_user.phone)
    if not form.validate_on_submit():
        return render_child(patient, 400, answer_form=form)
    try:
        answer_rounds(current_user, patient, form.choice.data, form.phone.data or "")
    except FamilyRoundsRefused as refused:
        flash(REFUSALS[refused.message](patient.display_name.split()[0]), "warning")
    else:
        flash(_("Thank you. The care team can see your answer."), "success")
    return redirect(url_for("family.child", patient_id=patient_id) + "#rounds")


@bp.post("/children/<int:patient_id>/questions")
def ask(patient_id: int):
    """A question for the team at the next rounds."""
    patient = get_taking_part_child(patient_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return render_child(patient, 400, question_form=form)
    try:
        ask_question(current_user, patient, form.text.data, current_language().code)
    except FamilyRoundsRefused as refused:
        flash(REFUSALS[refused.message](patient.display_name.split()[0]), "warning")
        return render_child(patient, 400, question_form=form)
    flash(
        _("Your question is with the care team. You will see here when it is answered."), "success"
    )
    return redirect(url_for("family.child", patient_id=patient_id) + "#questions")


@bp.post("/children/<int:patient_id>/questions/<int:question_id>/withdraw")
def withdraw(patient_id: int, question_id: int):
    """Take back one's own open question."""
    patient = get_taking_part_child(patient_id)
    question = get_own_question(patient, question_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("That did not go through. Please try again."), "warning")
    else:
        try:
            withdraw_question(current_user, question)
            flash(_("Your question was withdrawn."), "success")
        except FamilyRoundsRefused as refused:
            flash(REFUSALS[refused.message](""), "warning")
    return redirect(url_for("family.child", patient_id=patient_id) + "#questions")


@bp.get("/children/<int:patient_id>/questions")
def questions(patient_id: int):
    """This person's own questions for the child, as the page shows them: an open page fetches
    them again when one changes (answered, rendered, asked on another phone)."""
    patient = get_patient(patient_id)
    return render_template(
        "family/_questions_list.html",
        patient=patient,
        questions=questions_for_family(current_user, patient),
        withdraw_form=ConfirmForm(),
        taking_part=may_take_part(current_user, patient),
    )
