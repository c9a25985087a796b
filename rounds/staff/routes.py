"""Staff screens: the unit census, a child's page with the composer and history."""

from datetime import datetime, time, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from rounds import feed
from rounds.extensions import runs_without_transaction
from rounds.forms import ConfirmForm, whole_number, whole_numbers
from rounds.models import Patient, Question, Unit, Update
from rounds.models.types import utcnow
from rounds.permissions import (
    CENSUS_ROLES,
    WRITER_ROLES,
    Action,
    admitting_units,
    can_admit,
    census_units,
    get_admitting_unit,
    get_staff_patient,
    get_thread_cursor,
    get_update,
    may_translate,
    staff_may,
    staff_required,
)
from rounds.services.audit import record_view
from rounds.services.family_rounds import questions_for_staff
from rounds.services.patients import admit_patient, discharge_patient
from rounds.services.translations import family_languages
from rounds.services.updates import (
    UpdateConflict,
    UpdateFields,
    correct_update,
    post_update,
    retract_update,
)
from rounds.staff import bp
from rounds.staff.forms import AdmitForm, CorrectionForm, RetractForm, UpdateForm
from rounds.timefmt import zone


@bp.get("/")
@staff_required(*CENSUS_ROLES)
def census():
    """Every child in the staff member's units: bed, status, last update."""
    units = census_units(current_user)
    rows = feed.census_rows(unit.id for unit in units)
    by_unit = [(unit, [row for row in rows if row[0].unit_id == unit.id]) for unit in units]
    return render_template("staff/census.html", units=by_unit, can_admit=can_admit(current_user))


# An open census asks for the rows of the children that changed meanwhile, not more at once.
MOST_CENSUS_ROWS = 60


@bp.get("/census/rows")
@staff_required(*CENSUS_ROLES)
def census_rows():
    """The census rows of the children ``?children=3,7`` names, as the census shows them: an
    open census fetches the rows of the children that changed, not the whole census. 404 if
    any of them is not in the user's census (discharged, never theirs, made up): the page then
    brings the whole census again."""
    wanted = whole_numbers(request.args.get("children", ""), most=MOST_CENSUS_ROWS)
    if not wanted:
        abort(400)
    units = {unit.id: unit for unit in census_units(current_user)}
    rows = feed.census_rows(units, patient_ids=wanted)
    if len(rows) != len(wanted):
        abort(404)
    return render_template("staff/_census_rows.html", rows=rows, units=units)


@bp.get("/patients/<int:patient_id>/events.json")
@staff_required(*CENSUS_ROLES)
@runs_without_transaction
def patient_events(patient_id: int):
    """The events of a child after ``after``, numbers and kinds only: a staff child page asks
    whether anything changed while it was open, then offers to show the newest history. Not a
    read of the updates (the page's own fetch of the history is), so nothing is audited."""
    child = get_staff_patient(patient_id, Action.READ)
    after = whole_number(request.args.get("after", "0"))
    if after is None:
        abort(400)
    events = feed.events_after(child, after)
    return jsonify(
        patient=child.id,
        last_seq=events[-1].seq if events else after,
        events=[{"seq": event.seq, "kind": event.kind} for event in events],
    )


def default_next_update(unit: Unit) -> datetime:
    """Tomorrow at 9:00 in the unit's time zone: the usual next rounds."""
    tz = zone(unit.timezone)
    tomorrow = (utcnow().astimezone(tz) + timedelta(days=1)).date()
    return datetime.combine(tomorrow, time(9, 0), tzinfo=tz)


def composer_for(patient: Patient, copy_from_latest: bool) -> UpdateForm:
    """An empty composer, or one pre-filled from the latest update ("copy forward")."""
    form = UpdateForm(unit_timezone=patient.unit.timezone, formdata=None)
    latest = feed.latest_family_update(patient)
    if copy_from_latest and latest is not None:
        form.fill_from(UpdateFields.from_update(latest), with_next_update=False)
    form.next_update_at.data = default_next_update(patient.unit).replace(tzinfo=None)
    return form


def render_patient_page(
    patient: Patient, form: UpdateForm, preview=None, status_code=200, before=None
):
    """The child's page: header, composer, and a page of the history (the newest, or the one
    after ``before``, the first version of the last thread already shown)."""
    shown_seq = feed.current_seq(patient)  # read before the history: never claims more
    threads, more = feed.history_page(patient, before)
    family_langs = family_languages(patient)
    can_write = staff_may(current_user, Action.POST, patient)
    can_amend = staff_may(current_user, Action.AMEND, patient)
    return (
        render_template(
            "staff/patient.html",
            patient=patient,
            form=form,
            threads=threads,
            more=more,
            before=before,
            shown_seq=shown_seq,
            preview=preview,
            can_write=can_write,
            can_amend=can_amend,
            can_manage=staff_may(current_user, Action.MANAGE_ACCESS, patient),
            latest=feed.latest_family_update(patient),
            questions=questions_for_staff([patient.id]),
            can_answer=staff_may(current_user, Action.ANSWER, patient),
            family_langs=family_langs,
            translated=feed.translations_of([thread.current for thread in threads]),
            # The languages this family reads that this staff member translates into.
            translate_into=[
                code for code in family_langs if may_translate(current_user, code, patient)
            ],
        ),
        status_code,
    )


@bp.get("/patients/<int:patient_id>")
@staff_required(*CENSUS_ROLES)
def patient(patient_id: int):
    """A child's page: who they are, today's update composer, and the history, newest first,
    a page at a time."""
    child = get_staff_patient(patient_id, Action.READ)
    before = get_thread_cursor(child, request.args.get("before"))
    record_view(current_user, child.id, client=request.remote_addr)
    form = composer_for(child, copy_from_latest=request.args.get("copy") == "1")
    return render_patient_page(child, form, before=before)


@bp.post("/patients/<int:patient_id>/updates")
@staff_required(*WRITER_ROLES)
def post(patient_id: int):
    """Preview or post an update from the composer."""
    child = get_staff_patient(patient_id, Action.POST)
    form = UpdateForm(unit_timezone=child.unit.timezone)
    if not form.validate_on_submit():
        return render_patient_page(child, form, status_code=400)
    if request.form.get("action") == "preview":
        return render_patient_page(child, form, preview=preview_of(child, form.to_fields()))
    post_update(current_user, child, form.to_fields(), answers=answered_questions(child))
    flash("Update posted. The family can see it now.", "success")
    # patient_id, not child.id: the commit expired the child, and reading it costs a query.
    return redirect(url_for("staff.patient", patient_id=patient_id) + "#history")


def answered_questions(child: Patient) -> list[Question]:
    """The open questions of this child's family the composer ticked as answered by this
    update (anything else ticked, stale or made up, is left alone)."""
    ticked = {whole_number(value) for value in request.form.getlist("answers")[:50]}
    return [q for q in questions_for_staff([child.id], include_closed=False) if q.id in ticked]


def preview_of(child: Patient, fields: UpdateFields):
    """An unsaved update, rendered by the same partial families see."""
    return Update(
        patient_id=child.id,
        author=current_user._get_current_object(),
        version=1,
        created_at=utcnow(),
        **fields.as_columns(),
    )


@bp.route("/patients/<int:patient_id>/updates/<int:update_id>/correct", methods=["GET", "POST"])
@staff_required(*WRITER_ROLES)
def correct(patient_id: int, update_id: int):
    """Correct an update: a new version, with the earlier text kept."""
    child = get_staff_patient(patient_id, Action.AMEND)
    update = get_update(child, update_id)
    form = CorrectionForm(unit_timezone=child.unit.timezone)
    if request.method == "GET":
        record_view(current_user, child.id, client=request.remote_addr)
        form.fill_from(UpdateFields.from_update(update))
    elif form.validate_on_submit():
        try:
            correct_update(current_user, update, form.to_fields(), form.reason.data)
        except UpdateConflict:
            flash(
                "Someone changed this update a moment ago. Nothing was saved; "
                "here is the newest version.",
                "warning",
            )
            return redirect(url_for("staff.patient", patient_id=child.id) + "#history")
        flash("Correction posted. The family sees it marked as a correction.", "success")
        return redirect(url_for("staff.patient", patient_id=child.id) + "#history")
    return render_template(
        "staff/correct.html",
        patient=child,
        update=update,
        form=form,
        family_langs=family_languages(child),
    ), (400 if form.errors else 200)


@bp.route("/patients/<int:patient_id>/updates/<int:update_id>/retract", methods=["GET", "POST"])
@staff_required(*WRITER_ROLES)
def retract(patient_id: int, update_id: int):
    """Retract an update (posted to the wrong child, say): families stop seeing it at once."""
    child = get_staff_patient(patient_id, Action.AMEND)
    update = get_update(child, update_id)
    form = RetractForm()
    if request.method == "GET":
        record_view(current_user, child.id, client=request.remote_addr)
    if form.validate_on_submit():
        try:
            retract_update(current_user, update, form.reason.data)
        except UpdateConflict:
            flash("This update was already retracted.", "warning")
        else:
            flash("Update retracted. The family no longer sees it.", "success")
        return redirect(url_for("staff.patient", patient_id=child.id) + "#history")
    return render_template("staff/retract.html", patient=child, update=update, form=form), (
        400 if form.errors else 200
    )


@bp.route("/admit", methods=["GET", "POST"])
@staff_required(*WRITER_ROLES)
def admit():
    """Admit a child to one of the staff member's units."""
    form = AdmitForm()
    form.unit_id.choices = [
        SelectChoice(unit.id, unit.name) for unit in admitting_units(current_user)
    ]
    if form.validate_on_submit():
        unit = get_admitting_unit(form.unit_id.data)
        child = admit_patient(current_user, unit, form.display_name.data, form.bed.data)
        flash(f"{child.display_name} admitted to bed {child.bed}.", "success")
        return redirect(url_for("staff.patient", patient_id=child.id))
    return render_template("staff/admit.html", form=form), (400 if form.errors else 200)


@bp.route("/patients/<int:patient_id>/discharge", methods=["GET", "POST"])
@staff_required(*WRITER_ROLES)
def discharge(patient_id: int):
    """Discharge a child, after a confirmation."""
    child = get_staff_patient(patient_id, Action.ADMIT)  # only a child still in the unit
    form = ConfirmForm()
    if form.validate_on_submit():
        discharge_patient(current_user, child)
        flash(f"{child.display_name} was discharged.", "success")
        return redirect(url_for("staff.census"))
    return render_template("staff/discharge.html", patient=child, form=form)
