"""The unit's rounds queue: started in bed order, changed one version at a time, kept, and
told to each family as their own child's place only."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rounds import tracker
from rounds.extensions import db
from rounds.models import AuditEvent, RoundsChange, RoundsPlace, Unit, User
from rounds.models.types import utcnow
from rounds.services.rounds_queue import STALE, RoundsRefused, change_rounds, start_rounds
from tests.support.client import post_form, signed_in
from tests.support.factories import FAMILY_STATE_KEYS, morning_zone


@pytest.fixture
def ward(make):
    """A unit with four children in beds 10, 2, 7 and 3 (one on comfort care), their parents,
    and a nurse and a clinician who run rounds."""
    unit = make.unit("Rounds PICU", timezone=morning_zone())
    nurse = make.person("nurse", (unit,))
    clinician = make.person("clinician", (unit,))
    beds = {"10": "Ada Stone", "2": "Ben Ortiz", "7": "Cleo Park", "3": "Dev Rao"}
    children = {bed: make.patient(unit, name, bed) for bed, name in beds.items()}
    make.post(clinician, children["3"], "Comfortable and peaceful.", status="comfort")
    parents = {}
    for bed, child in children.items():
        parents[bed] = make.person(name=f"Parent of bed {bed}")
        make.grant(parents[bed], child)
    return unit, nurse, clinician, children, parents


def queue_now(app, unit_id):
    with app.app_context():
        queue = tracker.queue_of(db.session.get(Unit, unit_id))
        return [(p.patient_id, p.state) for p in queue.places]


def state_of(app, unit_id, patient_id):
    with app.app_context():
        queue = tracker.queue_of(db.session.get(Unit, unit_id))
        return tracker.family_state(queue, patient_id)


def test_rounds_start_in_bed_order_without_children_on_comfort_care(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    assert queue_now(app, unit) == [
        (children["2"], "current"),
        (children["7"], "waiting"),
        (children["10"], "waiting"),
    ]
    with app.app_context():
        audited = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "start_rounds")
        )
        assert (audited.actor_id, audited.target) == (nurse.id, f"unit:{unit}")


def test_each_family_sees_its_own_place_as_a_count(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    assert state_of(app, unit, children["2"])["state"] == "now"
    assert state_of(app, unit, children["7"])["state"] == "next"
    far = state_of(app, unit, children["10"])
    assert (far["state"], far["away"]) == ("coming", 2)
    assert far["turn_started_at"] and far["minutes_per_child"] == 10
    # Nothing in it names another child: this child's id, a count, times and numbers.
    assert set(far) == FAMILY_STATE_KEYS
    assert far["patient"] == children["10"]
    assert state_of(app, unit, children["3"])["state"] == "none"  # comfort care: not in it


def test_done_moves_the_team_on_and_a_skipped_child_comes_back_next(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    make.change_rounds(nurse, unit, "skip", children["2"])
    assert state_of(app, unit, children["2"])["state"] == "later"
    assert state_of(app, unit, children["7"])["state"] == "now"
    make.change_rounds(nurse, unit, "done", children["7"])
    assert state_of(app, unit, children["7"])["state"] == "done"
    make.change_rounds(nurse, unit, "bring_back", children["2"])
    assert state_of(app, unit, children["2"])["state"] == "next"
    assert queue_now(app, unit) == [
        (children["7"], "done"),
        (children["10"], "current"),
        (children["2"], "waiting"),
    ]


def test_moving_a_child_changes_the_counts(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    make.change_rounds(nurse, unit, "move", children["10"], position=2)
    assert state_of(app, unit, children["10"])["state"] == "next"
    assert (state_of(app, unit, children["7"])["away"]) == 2


def test_a_stale_action_is_refused_and_changes_nothing(app, make, ward):
    unit, nurse, clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    make.change_rounds(clinician, unit, "move", children["10"], position=2)  # now version 2
    with app.app_context():
        with pytest.raises(RoundsRefused) as refused:
            change_rounds(
                db.session.get(User, nurse.id), db.session.get(Unit, unit), 1, "skip", children["7"]
            )
        assert refused.value.message == STALE
        changes = db.session.scalars(sa.select(RoundsChange.kind).order_by(RoundsChange.id)).all()
        assert changes == ["started", "move"]
    assert state_of(app, unit, children["7"])["state"] == "coming"


def test_only_one_rounds_per_unit_at_a_time(app, make, ward):
    unit, nurse, clinician, _children, _parents = ward
    make.start_rounds(nurse, unit)
    with app.app_context(), pytest.raises(RoundsRefused):
        start_rounds(db.session.get(User, clinician.id), db.session.get(Unit, unit))


def test_rounds_nobody_ended_are_over_after_the_idle_hours(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    with app.app_context():
        unit_row = db.session.get(Unit, unit)
        later = utcnow() + timedelta(hours=unit_row.rounds_idle_hours, minutes=1)
        queue = tracker.queue_of(unit_row, later)
        assert not queue.live
        assert tracker.family_state(queue, children["10"])["state"] == "over"
        # Starting again closes them (recorded as over by themselves) and starts anew.
        start_rounds(db.session.get(User, nurse.id), unit_row, now=later)
        reasons = db.session.scalars(
            sa.text("SELECT end_reason FROM rounds_sessions ORDER BY id")
        ).all()
        assert reasons == ["idle", None]


def test_ending_rounds_tells_every_family_they_are_over(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    make.change_rounds(nurse, unit, "end")
    assert {state_of(app, unit, c)["state"] for c in children.values()} == {"over"}


def test_the_queue_history_is_append_only(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    make.start_rounds(nurse, unit)
    with app.app_context():
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("UPDATE rounds_changes SET kind = 'x'"))
            db.session.commit()
        db.session.rollback()


def test_nurse_runs_rounds_from_the_queue_screen(app, make, ward):
    unit, nurse, _clinician, children, _parents = ward
    client = signed_in(app, nurse.email)
    page = client.get(f"/staff/units/{unit}/rounds")
    assert page.status_code == 200 and b"Rounds have not started today" in page.data
    started = post_form(client, f"/staff/units/{unit}/rounds/start", {})
    assert started.status_code == 302
    page = client.get(f"/staff/units/{unit}/rounds").get_data(as_text=True)
    assert "Rounds under way" in page and "With the team now" in page
    done = post_form(
        client, f"/staff/units/{unit}/rounds/done", {"version": 1, "patient": children["2"]}
    )
    assert done.status_code == 302
    stale = post_form(
        client, f"/staff/units/{unit}/rounds/skip", {"version": 1, "patient": children["7"]}
    )
    assert stale.status_code == 302
    page = client.get(stale.headers["Location"]).get_data(as_text=True)
    assert "Someone else changed the queue a moment ago" in page
    with app.app_context():
        place = db.session.scalar(
            sa.select(RoundsPlace).where(RoundsPlace.patient_id == children["7"])
        )
        assert place.state == "current"
