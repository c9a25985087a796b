"""The unit's rounds queue (tablet first), and the team's side of families' questions."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from rounds import tracker
from rounds.forms import ConfirmForm, confirmed_press
from rounds.i18n import LANGUAGE_BY_CODE
from rounds.models import Question
from rounds.permissions import (
    CENSUS_ROLES,
    WRITER_ROLES,
    Action,
    get_child_row,
    get_rounds_unit,
    get_staff_patient,
    may_render_question,
    may_run_rounds,
    staff_required,
)
from rounds.services.audit import record_view
from rounds.services.family_rounds import mark_answered, render_question
from rounds.services.rounds_queue import RoundsRefused, change_rounds, start_rounds
from rounds.staff import bp
from rounds.staff.rounds_forms import QuestionAnswerForm, RenderingForm, RoundsChangeForm

QUEUE_CHANGES = "move,skip,bring_back,done,add,join_link,end"


def queue_context(unit) -> dict:
    """What the queue screen and its live refresh show."""
    queue, rows, left_out = tracker.staff_queue(unit)
    return {
        "unit": unit,
        "queue": queue,
        "rows": rows,
        "left_out": left_out,
        "can_run": may_run_rounds(current_user, unit.id),
        "form": RoundsChangeForm(formdata=None),
        "languages": LANGUAGE_BY_CODE,
        "usual_start": tracker.usual_start_words(unit),
    }


@bp.get("/units/<int:unit_id>/rounds")
@staff_required(*CENSUS_ROLES)
def rounds_queue(unit_id: int):
    """The unit's rounds today: who is next, each family's answer and questions."""
    unit = get_rounds_unit(unit_id)
    record_view(current_user, None, what="rounds", client=request.remote_addr)
    return render_template("staff/rounds.html", start_form=ConfirmForm(), **queue_context(unit))


@bp.get("/units/<int:unit_id>/rounds/queue")
@staff_required(*CENSUS_ROLES)
def rounds_queue_part(unit_id: int):
    """The queue alone, as the screen shows it: an open screen fetches it after a change."""
    unit = get_rounds_unit(unit_id)
    return render_template(
        "staff/_rounds_queue.html", start_form=ConfirmForm(), **queue_context(unit)
    )


@bp.post("/units/<int:unit_id>/rounds/start")
@staff_required(*WRITER_ROLES)
def start_unit_rounds(unit_id: int):
    """Start today's rounds, in bed order."""
    unit = get_rounds_unit(unit_id, run=True)
    if confirmed_press("Start rounds"):
        try:
            start_rounds(current_user, unit)
            flash("Rounds started. Families can see when the team is coming.", "success")
        except RoundsRefused as refused:
            flash(refused.message, "warning")
    return redirect(url_for("staff.rounds_queue", unit_id=unit_id))


@bp.post(f"/units/<int:unit_id>/rounds/<any({QUEUE_CHANGES}):change>")
@staff_required(*WRITER_ROLES)
def change_unit_rounds(unit_id: int, change: str):
    """One change to the running queue, on the version the screen showed; a screen that was
    behind is refused and shown the queue as it is now."""
    unit = get_rounds_unit(unit_id, run=True)
    form = RoundsChangeForm()
    if not form.validate_on_submit():
        flash(
            "The queue could not be changed: the page was out of date. Here it is now.", "warning"
        )
        return redirect(url_for("staff.rounds_queue", unit_id=unit_id))
    try:
        change_rounds(
            current_user,
            unit,
            form.version.data,
            change,
            patient_id=form.patient.data,
            position=form.position.data,
            link=form.link.data or "",
        )
    except RoundsRefused as refused:
        flash(refused.message, "warning")
    else:
        if change == "end":
            flash("Rounds ended. Families see that rounds are over for today.", "success")
    anchor = f"#child-{form.patient.data}" if form.patient.data else ""
    return redirect(url_for("staff.rounds_queue", unit_id=unit_id) + anchor)


@bp.post("/patients/<int:patient_id>/questions/<int:question_id>/answer")
@staff_required(*WRITER_ROLES)
def answer_question(patient_id: int, question_id: int):
    """Mark a family's question answered at the bedside, or "we will call you"."""
    child = get_staff_patient(patient_id, Action.ANSWER)
    question = get_child_row(Question, question_id, child)
    form = QuestionAnswerForm()
    if not form.validate_on_submit():
        flash("Choose how the question was answered.", "warning")
    elif not question.is_open:
        flash("This question was already answered or withdrawn.", "warning")
    else:
        mark_answered(current_user, question, form.how.data)
        flash("Marked answered. The family sees it now.", "success")
    return redirect(url_for("staff.patient", patient_id=patient_id) + "#questions")


@bp.route(
    "/patients/<int:patient_id>/questions/<int:question_id>/rendering", methods=["GET", "POST"]
)
@staff_required(*CENSUS_ROLES)
def question_rendering(patient_id: int, question_id: int):
    """An interpreter renders a family's question into the team's language."""
    child = get_staff_patient(patient_id, Action.READ)
    question = get_child_row(Question, question_id, child)
    if not may_render_question(current_user, question, child):
        abort(404)
    form = RenderingForm()
    if request.method == "GET":
        record_view(current_user, child.id, what="question", client=request.remote_addr)
        form.rendering.data = question.rendering
    elif form.validate_on_submit():
        render_question(current_user, question, form.rendering.data)
        flash("Rendering saved. The team sees it beside the family's words.", "success")
        return redirect(url_for("staff.translations"))
    return render_template(
        "staff/question_rendering.html",
        patient=child,
        question=question,
        form=form,
        languages=LANGUAGE_BY_CODE,
    ), (400 if form.errors else 200)
