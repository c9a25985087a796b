"""Signing in and out."""

from rounds.models import AuditEvent
from tests.support.client import csrf_from, post_form, sign_in
from tests.support.factories import Factory


def audit_actions(app):
    with app.app_context():
        from rounds.extensions import db

        return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def test_staff_sign_in_lands_on_census(client, world):
    response = sign_in(client, world.clinician.email)
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    assert "Unit census" in page


def test_family_sign_in_lands_on_their_child(client, world):
    response = sign_in(client, world.parent_a1.email)
    assert client.get(response.headers["Location"]).status_code == 302  # one child: straight there
    page = client.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert "Child A1 slept well." in page


def test_admin_lands_on_audit_log(client, world):
    response = sign_in(client, world.admin.email)
    assert response.headers["Location"] == "/admin/audit"


def test_wrong_password_keeps_email_and_says_so_without_revealing_accounts(client, world, app):
    page = client.get("/signin").get_data(as_text=True)
    data = {"email": world.nurse.email, "password": "wrong", "csrf_token": csrf_from(page)}
    wrong_password = client.post("/signin", data=data).get_data(as_text=True)
    data["email"] = "nobody@example.org"
    no_account = client.post("/signin", data=data).get_data(as_text=True)
    assert "is not right" in wrong_password and "is not right" in no_account
    assert world.nurse.email in wrong_password  # what was typed comes back
    assert audit_actions(app).count("sign_in_failed") == 2


def test_sign_in_without_csrf_is_refused(client, world):
    response = client.post(
        "/signin", data={"email": world.nurse.email, "password": Factory.PASSWORD}
    )
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302  # still signed out


def test_sign_in_gives_a_new_session(client, world):
    client.get("/signin")
    before = client.get_cookie("rounds_session").value
    sign_in(client, world.nurse.email)
    assert client.get_cookie("rounds_session").value != before


def test_sign_out_ends_the_session(client, world):
    sign_in(client, world.nurse.email)
    response = post_form(client, "/signout", {})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_next_url_must_stay_on_site(client, world):
    page = client.get("/signin?next=//evil.example/x").get_data(as_text=True)
    response = client.post(
        "/signin?next=//evil.example/x",
        data={
            "email": world.nurse.email,
            "password": Factory.PASSWORD,
            "csrf_token": csrf_from(page),
        },
    )
    assert response.headers["Location"] == "/staff/"
