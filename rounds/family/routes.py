"""The family's phone-first pages: their children, and each child's updates, live."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from rounds import feed
from rounds.extensions import db, limiter, runs_without_transaction
from rounds.family.catch_up import events_since, page_version, page_words, unit_day
from rounds.family.forms import LanguageForm, RelativeRequestForm
from rounds.family.rounds_panel import rounds_context
from rounds.forms import ConfirmForm, whole_number
from rounds.i18n import current_language
from rounds.models import AccessGrant, Patient
from rounds.permissions import (
    family_patient_ids,
    get_approved_request,
    get_guardian_patient,
    get_patient,
    get_thread_cursor,
    has_family_settings,
    may_ask_for_relative,
)
from rounds.services.accounts import choose_language
from rounds.services.audit import record_view
from rounds.services.invitations import (
    invitation_for_request,
    request_access,
    requests_by,
)
from rounds.templating import invitation_card

bp = Blueprint("family", __name__, url_prefix="/family")


@bp.before_request
@login_required
def require_sign_in():
    """Every family page needs a signed-in person."""


@bp.get("/")
def home():
    """The children this person follows; straight to the child if there is only one. Also
    the children whose access still waits for a nurse."""
    grants = db.session.scalars(
        select(AccessGrant)
        .join(Patient, Patient.id == AccessGrant.patient_id)
        .where(AccessGrant.user_id == current_user.id, AccessGrant.revoked_at.is_(None))
        .options(contains_eager(AccessGrant.patient))
        .order_by(Patient.display_name)
    ).all()
    following = set(family_patient_ids(current_user))
    patients = [grant.patient for grant in grants if grant.patient_id in following]
    waiting = [grant.patient for grant in grants if grant.is_pending]
    if len(patients) == 1 and not waiting:
        return redirect(url_for("family.child", patient_id=patients[0].id))
    latest = {p.id: feed.latest_family_update(p) for p in patients}
    return render_template("family/home.html", patients=patients, latest=latest, waiting=waiting)


@bp.get("/children/<int:patient_id>")
def child(patient_id: int):
    """One child's updates: the latest on top, the 9 before it below, live; then "Show earlier
    updates" (``?before=``, the thread the page ended with: 10 more, without script too).
    Above them, where the team is on rounds; below, this person's questions for the team."""
    return render_child(get_patient(patient_id))


def render_child(patient, status: int = 200, **forms):
    """The child's page for the current reader (``forms``: a rounds form sent back with its
    errors), audited as a view; a form sent back refused writes nothing (as the staff page's
    composer), not even the view: its token may be another site's."""
    before = get_thread_cursor(patient, request.args.get("before"))
    if status == 200:
        record_view(current_user, patient.id, client=request.remote_addr)
    last_seq, threads, more = feed.family_snapshot(patient, current_language().code, before)
    closes_at = None
    if patient.discharged_at is not None:
        closes_at = patient.discharged_at + timedelta(
            days=current_app.config["DISCHARGE_ACCESS_DAYS"]
        )
    return render_template(
        "family/child.html",
        patient=patient,
        last_seq=last_seq,
        threads=threads,
        more=more,
        before=before,
        late=feed.is_late(threads[0].current if threads else None),
        card_day=unit_day(patient),
        page_version=page_version(),
        closes_at=closes_at,
        may_ask_for_relative=may_ask_for_relative(current_user, patient),
        **rounds_context(patient, **forms),
    ), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """A family member's own settings: the language they read Rounds and the updates in."""
    if not has_family_settings(current_user):
        abort(404)
    form = LanguageForm(data={"language": current_user.language})
    if form.validate_on_submit():
        choose_language(current_user, form.language.data)
        refresh()  # this answer speaks the new language already
        flash(
            _("Saved. Rounds now speaks %(language)s.", language=current_language().name), "success"
        )
        return redirect(url_for("family.settings"))
    return render_template("family/settings.html", form=form), 400 if form.errors else 200


@bp.route("/children/<int:patient_id>/relatives", methods=["GET", "POST"])
def relatives(patient_id: int):
    """A guardian asks for another relative to follow the child, and sees what came of it."""
    patient = get_guardian_patient(patient_id)
    form = RelativeRequestForm()
    if form.validate_on_submit():
        request_access(
            current_user,
            patient,
            form.name.data,
            form.relationship.data,
            form.language.data,
            form.reason.data or "",
        )
        flash(_("Sent. A nurse will look at it; you will see the answer on this page."), "success")
        return redirect(url_for("family.relatives", patient_id=patient.id))
    return (
        render_template(
            "family/relatives.html",
            patient=patient,
            form=form,
            asked=requests_by(current_user, patient),
            invite_form=ConfirmForm(),
        ),
        400 if form.errors else 200,
    )


@bp.post("/children/<int:patient_id>/relatives/<int:request_id>/invitation")
def relative_invitation(patient_id: int, request_id: int):
    """The invitation a nurse approved, made now and shown once for the guardian to pass on."""
    patient = get_guardian_patient(patient_id)
    asked = get_approved_request(patient, request_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("family.relatives", patient_id=patient.id))
    made = invitation_for_request(current_user, asked)
    link, card = invitation_card(patient, made, scale=4)
    return render_template(
        "family/invitation.html", patient=patient, made=made, link=link, card=card
    )


@bp.get("/children/<int:patient_id>/events.json")
# No rate limit ever applies here: a push sends every phone of a child here at once, often
# from a hospital Wi-Fi's one address. Exempt, Flask-Limiter also skips working out which
# limits would apply: 5-10 % of a fetch's server time (py-spy; A/B in one process).
@limiter.exempt
# It reads, then writes one audit row: no transaction needed.
@runs_without_transaction
def events(patient_id: int):
    """Everything after event ``after``: the events in order, and what changed in the feed
    (or the whole feed for a page of another version ``v`` or language ``lang``).

    A page asks after a push, which only says that something exists; a reconnecting page
    gets the same answer on its socket (``rounds.sockets``).
    """
    patient = get_patient(patient_id)
    after = whole_number(request.args.get("after", "0"))
    if after is None:
        abort(400)
    version, language = page_words(request.args.get("v"), request.args.get("lang"))
    return jsonify(events_since(patient, after, version, language))
