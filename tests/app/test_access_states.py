"""Access that waits, is restricted, is asked for by a guardian, or closes after discharge.

Real forms through the test client, on SQLite and PostgreSQL. Each state is checked from
both sides: what the nurse sees and can do, and what the family member can (and cannot) see.
"""

from datetime import timedelta

from sqlalchemy import select, update

from rounds.extensions import db
from rounds.models import AccessGrant, AccessRequest, AuditEvent, Patient, User
from rounds.models.types import utcnow
from rounds.services.patients import discharge_patient
from tests.support.client import csrf_from, post_form, sign_in, signed_in
from tests.support.factories import Factory
from tests.support.invitations import LINK, invite, join_as_new


def grant_of(app, email, patient_id) -> AccessGrant | None:
    with app.app_context():
        grant = db.session.scalar(
            select(AccessGrant)
            .join(User, User.id == AccessGrant.user_id)
            .where(User.email == email, AccessGrant.patient_id == patient_id)
            .order_by(AccessGrant.id.desc())
        )
        if grant is not None:
            db.session.expunge(grant)
        return grant


def actions(app, patient_id):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.patient_id == patient_id)
        ).all()


def press(client, path):
    """Press one of the panel's small confirm buttons."""
    return post_form(client, path, {})


def join_with_link(app, link, email="ana.lima@example.org"):
    phone = app.test_client()
    assert phone.get(link).status_code == 302
    joined = join_as_new(phone, email=email)
    assert joined.status_code == 302, joined.get_data(as_text=True)[:1500]
    return phone, joined


# --- waiting for a bedside check -------------------------------------------------------------


def test_a_bedside_check_keeps_the_parent_waiting_until_a_nurse_confirms(app, world):
    nurse = signed_in(app, world.nurse.email)
    _, link, _ = invite(nurse, world.child_a2, name="Ana Lima", invitee_bedside_check="y")
    phone, joined = join_with_link(app, link)

    # The parent lands on a page that says they wait; the child's updates are not theirs yet.
    assert joined.headers["Location"].endswith("/family/")
    waiting = phone.get("/family/").get_data(as_text=True)
    assert "almost there" in waiting and "confirm who you are" in waiting
    assert "Child A2 is improving." not in waiting
    assert phone.get(f"/family/children/{world.child_a2}").status_code == 404
    assert phone.get(f"/family/children/{world.child_a2}/events.json?after=0").status_code == 404

    # The nurse sees them waiting, with a Confirm button.
    panel = nurse.get(f"/staff/patients/{world.child_a2}/family").get_data(as_text=True)
    assert "Waiting for you" in panel and "Ana Lima" in panel
    grant = grant_of(app, "ana.lima@example.org", world.child_a2)
    assert grant.confirmed_at is None
    assert f"/family/{grant.id}/confirm" in panel

    response = press(nurse, f"/staff/patients/{world.child_a2}/family/{grant.id}/confirm")
    assert response.status_code == 302
    assert grant_of(app, "ana.lima@example.org", world.child_a2).confirmed_by_id == world.nurse.id
    page = phone.get(f"/family/children/{world.child_a2}")
    assert page.status_code == 200
    assert "Child A2 is improving." in page.get_data(as_text=True)
    assert "confirm_access" in actions(app, world.child_a2)


def test_a_nurse_can_decline_a_waiting_family_member(app, world):
    nurse = signed_in(app, world.nurse.email)
    _, link, _ = invite(nurse, world.child_a2, invitee_bedside_check="y")
    phone, _ = join_with_link(app, link)
    grant = grant_of(app, "ana.lima@example.org", world.child_a2)
    assert (
        press(nurse, f"/staff/patients/{world.child_a2}/family/{grant.id}/revoke").status_code
        == 302
    )
    assert grant_of(app, "ana.lima@example.org", world.child_a2).revoked_at is not None
    assert "almost there" not in phone.get("/family/").get_data(as_text=True)
    assert phone.get(f"/family/children/{world.child_a2}").status_code == 404
    assert "decline_access" in actions(app, world.child_a2)


# --- restricted children ---------------------------------------------------------------------


def restrict(client, child, note="Court order: only the mother and grandmother."):
    return post_form(client, f"/staff/patients/{child}/restriction", {"note": note})


def test_restricting_needs_a_reason_and_keeps_what_was_typed(app, world):
    nurse = signed_in(app, world.nurse.email)
    refused = restrict(nurse, world.child_a1, note="   ")
    assert refused.status_code == 400
    assert "Say why" in refused.get_data(as_text=True)
    long_note = "x" * 501
    refused = restrict(nurse, world.child_a1, note=long_note)
    assert refused.status_code == 400 and long_note in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Patient, world.child_a1).restricted_at is None


def test_a_restricted_childs_new_access_needs_a_second_member_of_staff(app, world):
    nurse = signed_in(app, world.nurse.email)
    assert restrict(nurse, world.child_a2).status_code == 302
    panel = nurse.get(f"/staff/patients/{world.child_a2}/family").get_data(as_text=True)
    assert "Restricted access" in panel and "Court order" in panel

    # Existing access is untouched by the restriction alone.
    parent = signed_in(app, world.parent_a2.email)
    assert parent.get(f"/family/children/{world.child_a2}").status_code == 200

    _, link, _ = invite(nurse, world.child_a2, name="Ana Lima")
    phone, _ = join_with_link(app, link)
    grant = grant_of(app, "ana.lima@example.org", world.child_a2)
    assert grant.confirmed_at is None and grant.needs_second_staff
    assert phone.get(f"/family/children/{world.child_a2}").status_code == 404

    # The nurse who invited cannot confirm it herself ...
    press(nurse, f"/staff/patients/{world.child_a2}/family/{grant.id}/confirm")
    assert grant_of(app, "ana.lima@example.org", world.child_a2).confirmed_at is None
    refusal = nurse.get(f"/staff/patients/{world.child_a2}/family").get_data(as_text=True)
    assert "second member of staff must confirm" in refusal
    assert phone.get(f"/family/children/{world.child_a2}").status_code == 404

    # ... a colleague can.
    colleague = signed_in(app, world.clinician.email)
    press(colleague, f"/staff/patients/{world.child_a2}/family/{grant.id}/confirm")
    confirmed = grant_of(app, "ana.lima@example.org", world.child_a2)
    assert confirmed.confirmed_by_id == world.clinician.id
    assert phone.get(f"/family/children/{world.child_a2}").status_code == 200

    # The email form's grants wait the same way; lifting ends the rule for new grants.
    give = {"name": "Rui Lima", "email": "rui.lima@example.org", "relationship": "Grandparent"}
    post_form(nurse, f"/staff/patients/{world.child_a2}/family", give)
    assert grant_of(app, "rui.lima@example.org", world.child_a2).confirmed_at is None
    press(nurse, f"/staff/patients/{world.child_a2}/restriction/lift")
    give = {"name": "Eva Lima", "email": "eva.lima@example.org", "relationship": "Aunt or uncle"}
    post_form(nurse, f"/staff/patients/{world.child_a2}/family", give)
    assert grant_of(app, "eva.lima@example.org", world.child_a2).confirmed_at is not None
    assert {"restrict", "lift_restriction", "confirm_access"} <= set(actions(app, world.child_a2))


# --- a guardian asks for another relative ---------------------------------------------------


def ask_for_relative(client, child, **changes):
    page = client.get(f"/family/children/{child}/relatives")
    data = {
        "name": "Lucia Lima",
        "relationship": "Grandparent",
        "language": "en",
        "reason": "She lives in Lisbon and calls every day.",
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        **changes,
    }
    return client.post(f"/family/children/{child}/relatives", data=data)


def only_request_id(app):
    with app.app_context():
        return db.session.scalar(select(AccessRequest.id))


def test_a_guardian_asks_for_a_grandparent_a_nurse_approves_and_she_joins(app, world):
    guardian = signed_in(app, world.parent_a2.email)
    child_page = guardian.get(f"/family/children/{world.child_a2}").get_data(as_text=True)
    assert "Ask for another relative" in child_page
    assert ask_for_relative(guardian, world.child_a2).status_code == 302
    mine = guardian.get(f"/family/children/{world.child_a2}/relatives").get_data(as_text=True)
    assert "Lucia Lima" in mine and "waiting for a nurse" in mine

    nurse = signed_in(app, world.nurse.email)
    panel = nurse.get(f"/staff/patients/{world.child_a2}/family").get_data(as_text=True)
    assert "Lucia Lima" in panel and "calls every day" in panel
    request_id = only_request_id(app)
    press(nurse, f"/staff/patients/{world.child_a2}/family/requests/{request_id}/approve")

    mine = guardian.get(f"/family/children/{world.child_a2}/relatives").get_data(as_text=True)
    assert "approved" in mine
    card = post_form(
        guardian, f"/family/children/{world.child_a2}/relatives/{request_id}/invitation", {}
    )
    assert card.status_code == 200
    html = card.get_data(as_text=True)
    assert "Send this to Lucia Lima" in html
    link = LINK.search(html).group(1)

    grandmother, _ = join_with_link(app, link, email="lucia.lima@example.org")
    page = grandmother.get(f"/family/children/{world.child_a2}")
    assert page.status_code == 200 and "Child A2 is improving." in page.get_data(as_text=True)
    grant = grant_of(app, "lucia.lima@example.org", world.child_a2)
    assert grant.granted_by_id == world.nurse.id and not grant.is_guardian
    expected = {"request_access", "approve_request", "redeem_invitation"}
    assert expected <= set(actions(app, world.child_a2))


def test_a_declined_request_gives_no_invitation(app, world):
    guardian = signed_in(app, world.parent_a2.email)
    ask_for_relative(guardian, world.child_a2)
    request_id = only_request_id(app)
    nurse = signed_in(app, world.nurse.email)
    press(nurse, f"/staff/patients/{world.child_a2}/family/requests/{request_id}/decline")
    mine = guardian.get(f"/family/children/{world.child_a2}/relatives").get_data(as_text=True)
    assert "not approved" in mine and "Get the invitation" not in mine
    made = post_form(
        guardian, f"/family/children/{world.child_a2}/relatives/{request_id}/invitation", {}
    )
    assert made.status_code == 404


def test_only_a_guardian_can_ask_and_only_for_their_own_child(app, world, make):
    relative = make.person()
    make.grant(relative, world.child_a2, guardian=False)
    not_guardian = signed_in(app, relative.email)
    page = not_guardian.get(f"/family/children/{world.child_a2}").get_data(as_text=True)
    assert "Ask for another relative" not in page
    assert not_guardian.get(f"/family/children/{world.child_a2}/relatives").status_code == 404
    guardian = signed_in(app, world.parent_a2.email)
    assert guardian.get(f"/family/children/{world.child_a1}/relatives").status_code == 404
    assert only_request_id(app) is None


def test_a_request_form_with_mistakes_keeps_the_text(app, world):
    guardian = signed_in(app, world.parent_a2.email)
    reason = "Her flight lands on Friday."
    response = ask_for_relative(guardian, world.child_a2, name="", reason=reason)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter their name." in html and reason in html
    assert only_request_id(app) is None


# --- discharge: read-only, then closed --------------------------------------------------------


def discharge(app, world, child, days_ago=0):
    with app.app_context():
        discharge_patient(db.session.get(User, world.nurse.id), db.session.get(Patient, child))
        if days_ago:
            db.session.execute(
                update(Patient)
                .where(Patient.id == child)
                .values(discharged_at=utcnow() - timedelta(days=days_ago))
            )
            db.session.commit()


def test_after_discharge_the_family_reads_for_a_week_then_the_page_closes(app, world):
    parent = signed_in(app, world.parent_a1.email)
    discharge(app, world, world.child_a1)
    page = parent.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert "left the intensive care unit" in page and "then this page closes" in page
    assert "Child A1 slept well." in page
    assert "Ask for another relative" not in page  # read-only: nothing new starts
    assert parent.get(f"/family/children/{world.child_a1}/relatives").status_code == 404

    discharge(app, world, world.child_a2, days_ago=6)  # parent_a2's child: still readable
    discharge(app, world, world.child_a1, days_ago=7.01)
    assert parent.get(f"/family/children/{world.child_a1}").status_code == 404
    assert parent.get(f"/family/children/{world.child_a1}/events.json?after=0").status_code == 404
    still = signed_in(app, world.parent_a2.email)
    assert still.get(f"/family/children/{world.child_a2}").status_code == 200


def test_the_read_only_week_is_configurable(app, world):
    app.config["DISCHARGE_ACCESS_DAYS"] = 2
    parent = signed_in(app, world.parent_a1.email)
    discharge(app, world, world.child_a1, days_ago=3)
    assert parent.get(f"/family/children/{world.child_a1}").status_code == 404


# --- re-invitation, and what the panel shows -------------------------------------------------


def reinvite_link(app, nurse, email, child):
    grant = grant_of(app, email, child)
    card = press(nurse, f"/staff/patients/{child}/family/{grant.id}/reinvite")
    assert card.status_code == 200
    return LINK.search(card.get_data(as_text=True)).group(1)


def test_a_re_invitation_sets_a_new_passphrase_signs_out_the_lost_phone_and_keeps_access(
    app, world
):
    lost_phone = signed_in(app, world.parent_both.email)
    assert lost_phone.get(f"/family/children/{world.child_a1}").status_code == 200
    nurse = signed_in(app, world.nurse.email)
    link = reinvite_link(app, nurse, world.parent_both.email, world.child_a1)

    new_phone = app.test_client()
    new_phone.get(link)
    page = new_phone.get("/join/").get_data(as_text=True)
    assert "Welcome back" in page and world.parent_both.email in page
    new_passphrase = "green harbour evening"
    joined = new_phone.post(
        "/join/",
        data={
            "passphrase": new_passphrase,
            "passphrase_again": new_passphrase,
            "csrf_token": csrf_from(page),
        },
    )
    assert joined.status_code == 302
    assert new_phone.get(f"/family/children/{world.child_a1}").status_code == 200
    assert new_phone.get(f"/family/children/{world.child_a2}").status_code == 200  # both stay

    # The lost phone is signed out; the old passphrase no longer works, the new one does.
    assert lost_phone.get(f"/family/children/{world.child_a1}").status_code == 302
    old = app.test_client()
    page = old.get("/signin").get_data(as_text=True)
    refused = old.post(
        "/signin",
        data={
            "email": world.parent_both.email,
            "password": Factory.PASSWORD,
            "csrf_token": csrf_from(page),
        },
    )
    assert refused.status_code == 200 and "not right" in refused.get_data(as_text=True)
    sign_in(app.test_client(), world.parent_both.email, new_passphrase)
    assert {"reinvite", "reset_passphrase"} <= set(actions(app, world.child_a1))


def test_a_re_invitation_cannot_be_used_by_another_account(app, world):
    nurse = signed_in(app, world.nurse.email)
    link = reinvite_link(app, nurse, world.parent_a1.email, world.child_a1)
    other = signed_in(app, world.parent_a2.email)
    other.get(link)
    assert post_form(other, "/join/accept", {}).status_code == 404
    assert other.get(f"/family/children/{world.child_a1}").status_code == 404
    assert grant_of(app, world.parent_a2.email, world.child_a1) is None


def test_the_panel_shows_who_gave_access_when_they_last_looked_and_the_history(app, world):
    parent = signed_in(app, world.parent_a1.email)
    parent.get(f"/family/children/{world.child_a1}")
    nurse = signed_in(app, world.nurse.email)
    panel = nurse.get(f"/staff/patients/{world.child_a1}/family").get_data(as_text=True)
    looked = panel[panel.index(world.parent_a1.name) :].split("</tr>")[0]
    not_looked = panel[panel.index(world.parent_both.name) :].split("</tr>")[0]
    assert "Not yet" not in looked and "Factory Nurse" in looked
    assert "Not yet" in not_looked
    assert "Access history" in panel and "gave access" in panel


def test_a_second_invitation_for_a_request_cancels_the_first(app, world):
    guardian = signed_in(app, world.parent_a2.email)
    ask_for_relative(guardian, world.child_a2)
    request_id = only_request_id(app)
    nurse = signed_in(app, world.nurse.email)
    press(nurse, f"/staff/patients/{world.child_a2}/family/requests/{request_id}/approve")
    made = f"/family/children/{world.child_a2}/relatives/{request_id}/invitation"
    first = LINK.search(post_form(guardian, made, {}).get_data(as_text=True)).group(1)
    second = LINK.search(post_form(guardian, made, {}).get_data(as_text=True)).group(1)
    assert app.test_client().get(first).status_code == 404  # the lost one no longer works
    assert app.test_client().get(second).status_code == 302
    assert actions(app, world.child_a2).count("cancel_invitation") == 1
