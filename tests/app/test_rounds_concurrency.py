"""Two staff members working the queue at the same moment, each on their own connection:
one wins, the other is refused with a clear message, and the queue is never corrupted."""

import threading

import pytest
import sqlalchemy as sa

from rounds import create_app, tracker
from rounds.extensions import db
from rounds.models import RoundsChange, RoundsSession, Unit, User
from rounds.services.rounds_queue import STALE, RoundsRefused, change_rounds, start_rounds
from tests.support.factories import morning_zone

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


@pytest.fixture
def unit_with_staff(make):
    unit = make.unit("Busy PICU", timezone=morning_zone())
    staff = [make.person(role, (unit,)) for role in ("nurse", "clinician", "nurse", "clinician")]
    children = [make.patient(unit, f"Child {bed}", str(bed)) for bed in range(1, 7)]
    return unit, staff, children


def at_once(database_url, people, action):
    """Run ``action(user, unit_row)`` for each person at the same moment, each in its own app
    and connection; returns what each one got ("ok" or the refusal's message)."""
    apps = [create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url}) for _ in people]
    barrier, outcomes = threading.Barrier(len(people)), []

    def act(app, person):
        with app.app_context():
            user = db.session.get(User, person.id)
            db.session.execute(sa.text("SELECT 1"))  # hold a connection before the start line
            barrier.wait()
            try:
                action(user)
                outcomes.append("ok")
            except RoundsRefused as refused:
                outcomes.append(refused.message)
            except Exception as error:  # noqa: BLE001 - any other failure is the finding
                outcomes.append(repr(error))
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=act, args=pair) for pair in zip(apps, people, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_starts_at_once_make_one_rounds(app, database_url, make, unit_with_staff):
    unit, staff, _children = unit_with_staff
    outcomes = at_once(
        database_url, staff, lambda user: start_rounds(user, db.session.get(Unit, unit))
    )
    assert sorted(outcomes).count("ok") == 1
    assert all(o in ("ok", "Rounds are already under way on this unit.") for o in outcomes)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundsSession)) == 1


def test_changes_on_the_same_version_at_once_one_wins(app, database_url, make, unit_with_staff):
    unit, staff, children = unit_with_staff
    make.start_rounds(staff[0], unit)
    # Four people act on version 1 at once: a done, a skip and two moves.
    actions = [
        ("done", children[0], None),
        ("skip", children[2], None),
        ("move", children[5], 2),
        ("move", children[4], 3),
    ]

    def act(user):
        kind, patient_id, position = actions[[p.id for p in staff].index(user.id)]
        change_rounds(user, db.session.get(Unit, unit), 1, kind, patient_id, position=position)

    outcomes = at_once(database_url, staff, act)
    assert outcomes.count("ok") == 1
    assert outcomes.count(STALE) == 3
    with app.app_context():
        session = tracker.open_session(unit)
        assert session.version == 2
        versions = db.session.scalars(
            sa.select(RoundsChange.version).where(RoundsChange.session_id == session.id)
        ).all()
        assert sorted(versions) == [1, 2]
        places = tracker.places_of(session)
        assert sorted(p.position for p in places) == list(range(1, 7))
        assert [p.state for p in places].count("current") == 1


def test_many_changes_in_a_row_from_two_tablets_keep_the_queue_whole(
    app, database_url, make, unit_with_staff
):
    """Each tablet keeps acting on what it last saw; whatever interleaving, every position
    stays unique and exactly one child is with the team until the end."""
    unit, staff, _children = unit_with_staff
    make.start_rounds(staff[0], unit)

    def keep_marking_done(user):
        refusals = 0
        for _ in range(20):
            db.session.rollback()
            session = tracker.open_session(unit)
            current = next((p for p in tracker.places_of(session) if p.state == "current"), None)
            if current is None:
                return
            try:
                change_rounds(
                    user, db.session.get(Unit, unit), session.version, "done", current.patient_id
                )
            except RoundsRefused:
                refusals += 1

    outcomes = at_once(database_url, staff[:2], keep_marking_done)
    assert outcomes == ["ok", "ok"]
    with app.app_context():
        session = tracker.open_session(unit)
        places = tracker.places_of(session)
        assert [p.state for p in places] == ["done"] * 6
        assert session.version == 7  # started, then six "done", none lost or doubled


def test_a_double_tap_on_an_answer_keeps_one_answer(app, database_url, make, unit_with_staff):
    unit, _staff, children = unit_with_staff
    parent = make.person(name="Quick Tapper")
    make.grant(parent, children[0])
    choices = ["video", "bedside", "video", "cannot"]

    def answer(user):
        from rounds.models import Patient
        from rounds.services.family_rounds import answer_rounds

        choice = choices.pop()
        answer_rounds(user, db.session.get(Patient, children[0]), choice)

    outcomes = at_once(database_url, [parent] * 4, answer)
    assert outcomes == ["ok"] * 4
    with app.app_context():
        count = db.session.scalar(sa.text("SELECT COUNT(*) FROM rounds_answers"))
        assert count == 1
