"""Posting, correcting and retracting: versions kept, the family sequence gapless and ordered."""

import threading

import pytest
import sqlalchemy as sa

from rounds import create_app, feed
from rounds.extensions import db
from rounds.models import AuditEvent, FamilyEvent, Patient, Update, User
from rounds.services.updates import (
    UpdateConflict,
    UpdateFields,
    correct_update,
    post_update,
    retract_update,
)


def events_of(app, patient_id):
    with app.app_context():
        rows = db.session.scalars(
            sa.select(FamilyEvent)
            .where(FamilyEvent.patient_id == patient_id)
            .order_by(FamilyEvent.seq)
        )
        return [(e.seq, e.kind) for e in rows]


def test_post_adds_the_next_event_and_an_audit_row(app, world, make):
    # The update, its event and its audit row, written together on both databases.
    fields = {
        "body_notes": {"breathing": "On two litres of oxygen."},
        "plan": "Try less oxygen.",
        "watch_for": [{"if": "A fever", "then": "We call you."}],
        "language": "es",
    }
    update_id = make.post(world.clinician, world.child_a1, "Second update.", **fields)
    assert events_of(app, world.child_a1) == [(1, "posted"), (2, "posted")]
    with app.app_context():
        update = db.session.get(Update, update_id)
        assert (update.patient_id, update.author_id, update.version, update.summary) == (
            world.child_a1,
            world.clinician.id,
            1,
            "Second update.",
        )
        assert (update.body_notes, update.plan, update.watch_for, update.language) == (
            fields["body_notes"],
            fields["plan"],
            fields["watch_for"],
            "es",
        )
        assert update.original_id is None and update.corrects_id is None
        event = db.session.scalar(
            sa.select(FamilyEvent).where(
                FamilyEvent.patient_id == world.child_a1, FamilyEvent.seq == 2
            )
        )
        assert (event.update_id, event.created_at) == (update.id, update.created_at)
        assert db.session.get(Patient, world.child_a1).last_event_seq == 2
        audited = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.patient_id == world.child_a1, AuditEvent.action == "post_update")
            .order_by(AuditEvent.id)
        ).all()
    assert len(audited) == 2
    assert (audited[-1].actor_id, audited[-1].target, audited[-1].detail) == (
        world.clinician.id,
        f"update:{update_id}",
        "",
    )
    assert abs((audited[-1].at - update.created_at).total_seconds()) < 60


def test_correction_is_a_new_version_and_keeps_the_old_text(app, world):
    with app.app_context():
        original = db.session.get(Update, world.update_a1)
        author = db.session.get(User, world.clinician.id)
        fields = UpdateFields.from_update(original)
        fields.summary = "Child A1 slept well after midnight."
        correction = correct_update(author, original, fields, "Clearer time")
        assert (correction.version, correction.original_id, correction.corrects_id) == (
            2,
            original.id,
            original.id,
        )
        patient = db.session.get(Patient, world.child_a1)
        [thread], _more = feed.family_page(patient)
        assert thread.current.summary == "Child A1 slept well after midnight."
        assert [u.summary for u in thread.earlier] == ["Child A1 slept well."]
    assert events_of(app, world.child_a1) == [(1, "posted"), (2, "corrected")]


def test_an_old_version_cannot_be_corrected_twice(app, world):
    with app.app_context():
        original = db.session.get(Update, world.update_a1)
        author = db.session.get(User, world.clinician.id)
        fields = UpdateFields.from_update(original)
        correct_update(author, original, fields, "First")
        with pytest.raises(UpdateConflict):
            correct_update(author, original, fields, "Second, from a stale page")


def test_retraction_hides_the_update_from_families_but_not_from_staff(app, world):
    with app.app_context():
        update = db.session.get(Update, world.update_a1)
        retract_update(db.session.get(User, world.clinician.id), update, "Wrong child")
        patient = db.session.get(Patient, world.child_a1)
        assert feed.family_page(patient) == ([], False)
        [thread], _more = feed.history_page(patient)
        assert thread.retraction.reason == "Wrong child"
        with pytest.raises(UpdateConflict):
            retract_update(db.session.get(User, world.clinician.id), update, "Again")
        detail = db.session.scalar(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "retract_update")
        )
    assert detail == "Wrong child"
    assert events_of(app, world.child_a1) == [(1, "posted"), (2, "retracted")]


def test_events_after_n_are_exactly_the_missing_ones_in_order(app, world, make):
    for n in range(5):
        make.post(world.clinician, world.child_a1, f"Update {n}")
    with app.app_context():
        patient = db.session.get(Patient, world.child_a1)
        assert [e.seq for e in feed.events_after(patient, 3)] == [4, 5, 6]
        assert feed.events_after(patient, 6) == []


def test_each_child_has_its_own_sequence(app, world, make):
    make.post(world.clinician, world.child_a2, "A2 again")
    assert events_of(app, world.child_a1) == [(1, "posted")]
    assert events_of(app, world.child_a2) == [(1, "posted"), (2, "posted")]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_concurrent_posts_for_one_child_all_succeed_in_order(database_url, world):
    """Eight clinicians press Post at the same moment, each on its own connection.

    A MAX(seq)+1 scheme hands several of them the same number and the unique constraint
    rejects all but one; the counter row makes them queue and all succeed.
    """
    posters = 8
    apps = [create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url}) for _ in range(posters)]
    barrier = threading.Barrier(posters)
    results, errors = [], []

    def post(index):
        app = apps[index]
        with app.app_context():
            author = db.session.get(User, world.clinician.id)
            patient = db.session.get(Patient, world.child_a1)
            db.session.execute(sa.text("SELECT 1"))  # hold a connection before the start line
            barrier.wait()
            try:
                fields = UpdateFields("serious", f"Post {index}")
                results.append(post_update(author, patient, fields))
            except Exception as error:  # noqa: BLE001 - any failure is the test's finding
                errors.append(repr(error))
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(results) == posters
    check = apps[0]
    with check.app_context():
        seqs = db.session.scalars(
            sa.select(FamilyEvent.seq)
            .where(FamilyEvent.patient_id == world.child_a1)
            .order_by(FamilyEvent.seq)
        ).all()
        assert seqs == list(range(1, posters + 2))
        assert db.session.get(Patient, world.child_a1).last_event_seq == posters + 1
        db.engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_correction_and_retraction_at_the_same_moment_never_correct_a_retracted_update(
    database_url, world
):
    """Whichever wins, no 'corrected' event follows a 'retracted' one for the same update."""
    apps = [create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url}) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def act(app, action):
        with app.app_context():
            author = db.session.get(User, world.clinician.id)
            update = db.session.get(Update, world.update_a1)
            fields = UpdateFields.from_update(update)
            barrier.wait()
            try:
                if action == "correct":
                    correct_update(author, update, fields, "Clearer")
                else:
                    retract_update(author, update, "Wrong child")
                outcomes.append(action)
            except UpdateConflict:
                outcomes.append(f"{action} refused")
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [
        threading.Thread(target=act, args=(apps[0], "correct")),
        threading.Thread(target=act, args=(apps[1], "retract")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    kinds = [kind for _seq, kind in events_of(apps[0], world.child_a1)]
    assert "retract" in outcomes
    assert kinds in (["posted", "corrected", "retracted"], ["posted", "retracted"])
    assert len(kinds) == 1 + len([o for o in outcomes if "refused" not in o])
    with apps[0].app_context():
        db.engine.dispose()
