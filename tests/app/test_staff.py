"""Staff screens: census, composer (copy forward, preview, validation), admit, discharge, access."""

import re
from datetime import timedelta

import sqlalchemy as sa

from rounds.extensions import db
from rounds.models import AccessGrant, FamilyEvent, Patient, Update
from rounds.models.types import utcnow
from tests.support.client import post_form, sign_in


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def census_row(html, name):
    match = re.search(rf"<tr[ >](?:(?!</tr>).)*{re.escape(name)}(?:(?!</tr>).)*</tr>", html, re.S)
    assert match, name
    return match.group(0)


def test_census_lists_own_unit_with_status_and_no_update_marker(app, client, world, make):
    fresh = make.patient(world.unit_a, "Fresh Admission")
    comfort = make.patient(world.unit_a, "Quiet Comfort")
    make.post(world.clinician, comfort, "Peaceful.", status="comfort")
    with app.app_context():  # comfort care's last update was yesterday: no marker for it
        db.session.execute(sa.text("SELECT 1"))
    sign_in(client, world.nurse.email)
    html = client.get("/staff/").get_data(as_text=True)
    assert "Child Number" in html and "Fresh Admission" in html
    with app.app_context():
        b1_name = db.session.get(Patient, world.child_b1).display_name
    assert b1_name not in html  # other unit
    assert "No update today" in census_row(html, "Fresh Admission")
    assert "Serious but stable" in html
    assert "No update today" not in census_row(html, "Quiet Comfort")
    assert fresh


def test_composer_validation_keeps_every_typed_word(app, client, world):
    sign_in(client, world.clinician.email)
    before = count(app, Update)
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/updates",
        {
            "summary": "",
            "plan": "Keep her warm tonight.",
            "watch_if_1": "a fever comes",
            "action": "post",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose the overall status." in html and "Write a short summary" in html
    assert "Keep her warm tonight." in html and 'value="a fever comes"' in html
    assert "Say what the team will do." in html  # the half-filled if/then row
    assert count(app, Update) == before


def test_refused_csrf_token_keeps_the_text_and_saves_nothing(app, client, world):
    sign_in(client, world.clinician.email)
    before = count(app, Update)
    response = client.post(
        f"/staff/patients/{world.child_a1}/updates",
        data={
            "status": "serious",
            "summary": "Typed at 7 a.m.",
            "csrf_token": "stale",
            "action": "post",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Typed at 7 a.m." in html and "Nothing was saved" in html
    assert count(app, Update) == before


def test_preview_renders_the_family_card_and_saves_nothing(app, client, world):
    sign_in(client, world.clinician.email)
    before = (count(app, Update), count(app, FamilyEvent))
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/updates",
        {"status": "improving", "summary": "Looking brighter.", "action": "preview"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview: this is what the family will see" in html
    assert 'class="update update--full" id="update-preview"' in html
    assert (count(app, Update), count(app, FamilyEvent)) == before


def test_copy_forward_prefills_from_the_latest_update(client, world, make):
    make.post(
        world.clinician, world.child_a1, "Yesterday's words.", plan="Rest", care_team="Dr Sam"
    )
    sign_in(client, world.clinician.email)
    html = client.get(f"/staff/patients/{world.child_a1}?copy=1").get_data(as_text=True)
    prefilled = re.compile(r">\s*Yesterday&#39;s words\.</textarea>")
    assert prefilled.search(html)
    assert 'value="Dr Sam"' in html
    plain = client.get(f"/staff/patients/{world.child_a1}").get_data(as_text=True)
    assert not prefilled.search(plain)


def test_post_with_next_update_time_in_the_unit_zone(app, client, world):
    sign_in(client, world.clinician.email)
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/updates",
        {"status": "serious", "summary": "Steady.", "next_update_at": tomorrow, "action": "post"},
    )
    assert response.status_code == 302
    with app.app_context():
        update = db.session.scalars(sa.select(Update).order_by(Update.id.desc())).first()
        assert update.next_update_at.hour in (13, 14)  # 9:00 in New York is 13:00 or 14:00 UTC


def test_next_update_in_the_past_is_refused_beside_the_field(client, world):
    sign_in(client, world.clinician.email)
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/updates",
        {
            "status": "serious",
            "summary": "Steady.",
            "next_update_at": "2020-01-01T09:00",
            "action": "post",
        },
    )
    assert response.status_code == 400
    assert "Choose a time that has not passed yet." in response.get_data(as_text=True)


def test_admit_and_discharge(app, client, world):
    sign_in(client, world.nurse.email)
    response = post_form(
        client, "/staff/admit", {"display_name": "Nia Brooks", "bed": "7", "unit_id": world.unit_a}
    )
    assert response.status_code == 302
    with app.app_context():
        child = db.session.scalar(sa.select(Patient).where(Patient.display_name == "Nia Brooks"))
        child_id = child.id
    assert ">Nia Brooks</a>" in client.get("/staff/").get_data(as_text=True)
    response = post_form(client, f"/staff/patients/{child_id}/discharge", {})
    assert response.status_code == 302
    assert ">Nia Brooks</a>" not in client.get("/staff/").get_data(as_text=True)


def test_admit_to_another_units_ward_is_refused(app, client, world):
    sign_in(client, world.nurse.email)
    response = post_form(
        client, "/staff/admit", {"display_name": "Sneaky", "bed": "9", "unit_id": world.unit_b}
    )
    assert response.status_code == 400
    assert count(app, Patient, Patient.display_name == "Sneaky") == 0


def test_giving_access_to_someone_new_makes_an_account_and_shows_a_passphrase_once(
    app, client, world
):
    sign_in(client, world.nurse.email)
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/family",
        {"name": "Rosa Diaz", "email": "rosa.diaz@example.org", "relationship": "Grandparent"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    passphrase = re.search(r'class="passphrase">([a-z0-9-]+)<', html).group(1)
    assert len(passphrase) == 19
    assert passphrase not in client.get(f"/staff/patients/{world.child_a1}/family").get_data(
        as_text=True
    )
    family = app.test_client()
    sign_in(family, "rosa.diaz@example.org", passphrase)
    assert "Child A1 slept well." in family.get(f"/family/children/{world.child_a1}").get_data(
        as_text=True
    )


def test_giving_access_twice_is_refused_beside_the_field(app, client, world):
    sign_in(client, world.nurse.email)
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/family",
        {"name": world.parent_a1.name, "email": world.parent_a1.email, "relationship": "Mother"},
    )
    assert response.status_code == 400
    assert "already has access" in response.get_data(as_text=True)
    assert count(app, AccessGrant, AccessGrant.user_id == world.parent_a1.id) == 1


def test_revoking_access_shuts_the_family_page(client, world):
    sign_in(client, world.nurse.email)
    response = post_form(
        client, f"/staff/patients/{world.child_a1}/family/{world.grant_a1}/revoke", {}
    )
    assert response.status_code == 302
    parent = client.application.test_client()
    sign_in(parent, world.parent_a1.email)
    assert parent.get(f"/family/children/{world.child_a1}").status_code == 404


def test_grant_of_another_child_cannot_be_revoked_through_this_child(app, client, world):
    sign_in(client, world.nurse.email)
    response = post_form(
        client, f"/staff/patients/{world.child_a1}/family/{world.grant_a2}/revoke", {}
    )
    assert response.status_code == 404
    assert (
        count(app, AccessGrant, AccessGrant.id == world.grant_a2, AccessGrant.revoked_at.is_(None))
        == 1
    )


def test_invisible_control_characters_are_removed_from_what_is_saved(app, client, world):
    sign_in(client, world.clinician.email)
    response = post_form(
        client,
        f"/staff/patients/{world.child_a1}/updates",
        {"status": "serious\x00", "summary": "Steady\x00 night\x07.\nSleeping.", "action": "post"},
    )
    assert response.status_code == 302
    with app.app_context():
        update = db.session.scalars(sa.select(Update).order_by(Update.id.desc())).first()
        assert (update.status, update.summary) == ("serious", "Steady night.\nSleeping.")


def old_composer_token(client, patient_id, days=3):
    """This session's CSRF token as Flask-WTF signed it into a page ``days`` ago."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Then(TimestampSigner):
        def get_timestamp(self):
            return super().get_timestamp() - days * 86400

    client.get(f"/staff/patients/{patient_id}")  # the page puts the raw token in the session
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    secret = client.application.config["SECRET_KEY"]
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token", signer=Then).dumps(raw)


def test_a_composer_left_open_for_days_still_posts(app, client, world):
    sign_in(client, world.clinician.email)
    token = old_composer_token(client, world.child_a1)
    response = client.post(
        f"/staff/patients/{world.child_a1}/updates",
        data={"status": "serious", "summary": "Written days later.", "csrf_token": token},
    )
    assert response.status_code == 302
    assert count(app, Update, Update.summary == "Written days later.") == 1


def test_with_an_hour_limit_the_same_old_page_would_be_refused(app, client, world):
    """The control for the test above: Flask-WTF's default limit refuses that token."""
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    sign_in(client, world.clinician.email)
    token = old_composer_token(client, world.child_a1)
    response = client.post(
        f"/staff/patients/{world.child_a1}/updates",
        data={"status": "serious", "summary": "Written days later.", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Written days later." in response.get_data(as_text=True)
