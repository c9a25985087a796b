"""The family's phone-first pages: their children, and each child's updates, live."""

import time

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from rounds import feed
from rounds.extensions import db
from rounds.forms import whole_number
from rounds.models import AccessGrant, Patient
from rounds.permissions import Action, get_patient
from rounds.services.audit import record_view

bp = Blueprint("family", __name__, url_prefix="/family")

EVENT_WORDS = {
    "posted": "A new update from the care team.",
    "corrected": "The care team corrected an update.",
    "retracted": "The care team removed an update.",
}


@bp.before_request
@login_required
def require_sign_in():
    """Every family page needs a signed-in person."""


@bp.get("/")
def home():
    """The children this person follows; straight to the child if there is only one."""
    patients = db.session.scalars(
        select(Patient)
        .join(AccessGrant, AccessGrant.patient_id == Patient.id)
        .where(AccessGrant.user_id == current_user.id, AccessGrant.revoked_at.is_(None))
        .order_by(Patient.display_name)
        .distinct()
    ).all()
    if len(patients) == 1:
        return redirect(url_for("family.child", patient_id=patients[0].id))
    latest = {p.id: feed.latest_family_update(p) for p in patients}
    return render_template("family/home.html", patients=patients, latest=latest)


@bp.get("/children/<int:patient_id>")
def child(patient_id: int):
    """One child's updates: the latest on top, earlier ones below, live."""
    patient = get_patient(patient_id, Action.READ)
    record_view(current_user, patient.id)
    last_seq, threads = feed.family_snapshot(patient)
    return render_template(
        "family/child.html",
        patient=patient,
        last_seq=last_seq,
        threads=threads,
        late=feed.is_late(threads[0].current if threads else None),
    )


@bp.get("/children/<int:patient_id>/events.json")
def events(patient_id: int):
    """Everything after event ``after``: the events in order, and the feed as it is now.

    A reconnecting phone asks for what it missed; the push only says that something exists.
    """
    patient = get_patient(patient_id, Action.READ)
    after = whole_number(request.args.get("after", "0"))
    if after is None:
        abort(400)
    body = {"patient": patient.id, "last_seq": after, "events": []}
    # Just read from the database by get_patient (a request starts with an empty session).
    if patient.last_event_seq <= after:
        return jsonify(body)
    last_seq, html = feed_html(patient)
    new_events = feed.events_after(patient, after, upto=last_seq)
    if new_events:
        body["events"] = [
            {"seq": e.seq, "kind": e.kind, "message": EVENT_WORDS[e.kind]} for e in new_events
        ]
        body["last_seq"] = last_seq
        body["html"] = html
    # Last: its commit expires every loaded object, and reading one again costs a query.
    record_view(current_user, patient_id)
    return jsonify(body)


# One push sends every family member of a child to events.json at once. The feed they get is
# the same for all of them at a given event number, so each process renders it once: keyed
# by (child, event number), which nothing ever changes (a correction is a new event), and
# kept briefly because "today" and "late" depend on the clock.
FEED_CACHE_SECONDS = 30
FEED_CACHE_SIZE = 1000
_feeds: dict[tuple[int, int], tuple[float, str]] = {}


def feed_html(patient: Patient) -> tuple[int, str]:
    """The child's family feed as HTML and the event number it shows."""
    seq = patient.last_event_seq  # read by get_patient in this request
    cached = _feeds.get((patient.id, seq))
    if cached and time.monotonic() - cached[0] < FEED_CACHE_SECONDS:
        return seq, cached[1]
    seq, threads = feed.family_snapshot(patient)
    html = render_template(
        "family/_feed.html",
        patient=patient,
        threads=threads,
        late=feed.is_late(threads[0].current if threads else None),
    )
    while len(_feeds) >= FEED_CACHE_SIZE:
        _feeds.pop(next(iter(_feeds)), None)  # the oldest first
    _feeds[(patient.id, seq)] = (time.monotonic(), html)
    return seq, html
