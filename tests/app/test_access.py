"""Giving and taking away family access: one active grant, no stranger by a typo, live cut-off."""

import threading

import pytest
import sqlalchemy as sa

from rounds import create_app
from rounds.extensions import db
from rounds.models import AccessGrant, Patient, User
from rounds.services.access import AccessError, give_family_access, revoke_family_access
from tests.support.client import post_form, sign_in


def active_grants(app, user_id, patient_id):
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AccessGrant)
            .where(
                AccessGrant.user_id == user_id,
                AccessGrant.patient_id == patient_id,
                AccessGrant.revoked_at.is_(None),
            )
        )


def test_the_database_allows_one_active_grant_per_person_and_child(app, world):
    with app.app_context():
        db.session.add(
            AccessGrant(
                user_id=world.parent_a1.id,
                patient_id=world.child_a1,
                relationship_to_child="Mother",
                granted_by_id=world.nurse.id,
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()


def test_two_nurses_giving_access_at_once_make_one_grant(database_url, world):
    """Released together on separate connections: one grant, one clear refusal."""
    apps = [create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url}) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def give(app):
        with app.app_context():
            nurse = db.session.get(User, world.nurse.id)
            child = db.session.get(Patient, world.child_a2)
            db.session.execute(sa.text("SELECT 1"))
            barrier.wait()
            try:
                give_family_access(
                    nurse, child, world.parent_a1.name, world.parent_a1.email, "Mother", True
                )
                outcomes.append("granted")
            except AccessError:
                outcomes.append("refused")
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=give, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["granted", "refused"]
    assert active_grants(apps[0], world.parent_a1.id, world.child_a2) == 1
    with apps[0].app_context():
        db.engine.dispose()


def test_a_mistyped_address_of_someone_else_gives_them_nothing(app, client, world):
    sign_in(client, world.nurse.email)
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/family",
        {"name": "Maria Gomez", "email": world.parent_b1.email, "relationship": "Mother"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "belongs to an account with a different name" in html
    assert world.parent_b1.name not in html  # whose address it is stays private
    assert active_grants(app, world.parent_b1.id, world.child_a1) == 0


def test_the_name_may_differ_in_case_and_spacing(app, client, world):
    sign_in(client, world.nurse.email)
    typed = "  " + world.parent_b1.name.upper().replace(" ", "   ") + " "
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/family",
        {"name": typed, "email": world.parent_b1.email, "relationship": "Father"},
    )
    assert response.status_code == 302
    assert active_grants(app, world.parent_b1.id, world.child_a1) == 1


def test_revoke_ends_access_and_a_new_grant_can_follow(app, world, make):
    make.revoke(world.grant_a1)
    assert active_grants(app, world.parent_a1.id, world.child_a1) == 0
    make.grant(world.parent_a1, world.child_a1)
    assert active_grants(app, world.parent_a1.id, world.child_a1) == 1
    with app.app_context():
        revoke_family_access(
            db.session.get(User, world.nurse.id), db.session.get(AccessGrant, world.grant_a1)
        )  # revoking an old grant again changes nothing
    assert active_grants(app, world.parent_a1.id, world.child_a1) == 1


def test_discharged_child_takes_no_new_post_or_grant_but_can_be_amended(app, client, world):
    sign_in(client, world.nurse.email)
    assert post_form(client, f"/staff/patients/{world.child_a1}/discharge", {}).status_code == 302
    posted = post_form(
        client,
        f"/staff/patients/{world.child_a1}/updates",
        {"status": "serious", "summary": "From a stale tab", "action": "post"},
    )
    assert posted.status_code == 404
    granted = post_form(
        client,
        f"/staff/patients/{world.child_a1}/family",
        {"name": "New Person", "email": "new.person@example.org", "relationship": "Aunt or uncle"},
    )
    assert granted.status_code == 404
    page = client.get(f"/staff/patients/{world.child_a1}").get_data(as_text=True)
    assert "has been discharged" in page and "Post update" not in page
    retracted = post_form(
        client,
        f"/staff/patients/{world.child_a1}/updates/{world.update_a1}/retract",
        {"reason": "Posted to the wrong child"},
    )
    assert retracted.status_code == 302
    revoked = post_form(
        client, f"/staff/patients/{world.child_a1}/family/{world.grant_a1}/revoke", {}
    )
    assert revoked.status_code == 302
    assert active_grants(app, world.parent_a1.id, world.child_a1) == 0


def test_signed_out_phone_gets_a_401_it_can_act_on(client, world):
    response = client.get(f"/family/children/{world.child_a1}/events.json?after=0")
    assert response.status_code == 401
    assert response.get_json() == {"error": "Please sign in again."}
    page = client.get(f"/family/children/{world.child_a1}")
    assert page.status_code == 302
    assert page.headers["Location"].startswith(f"/signin?next=/family/children/{world.child_a1}")
