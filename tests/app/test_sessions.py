"""Sessions: a new one at each sign-in, a server-side record that signing out ends, time
limits by role, sign-out everywhere, a post refused for an expired session keeping its text,
and sign-in limits keyed on account and address.

Through the real forms on SQLite and PostgreSQL; the live-socket checks use a real server and
a real Socket.IO client. Time passing is shown by moving the session's own clock marks back.
"""

import html
import re

import pytest
from sqlalchemy import func, select

from rounds import create_app
from rounds.extensions import db
from rounds.models import AuditEvent, Update, UserSession
from tests.support.client import csrf_from, post_form, sign_in, signed_in
from tests.support.factories import Factory

SESSION_COOKIE = "rounds_session"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def cookie_of(client) -> str:
    return client.get_cookie(SESSION_COOKIE).value


def with_cookie(app, value):
    """A different browser replaying a copied session cookie."""
    other = app.test_client()
    other.set_cookie(SESSION_COOKIE, value)
    return other


def age_session(client, idle_seconds=0, since_sign_in_seconds=0):
    """Move the session's clock marks back, as if that much time had passed."""
    with client.session_transaction() as session:
        session["seen"] -= idle_seconds
        session["started"] -= max(idle_seconds, since_sign_in_seconds)


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- a new session at sign-in, and a dead one after sign-out ---------------------------------


def test_signing_in_starts_a_new_session_and_a_cookie_from_before_stays_signed_out(app, world):
    browser = app.test_client()
    browser.get("/signin")  # an anonymous session (its CSRF token) exists before sign-in
    before = cookie_of(browser)
    sign_in(browser, world.nurse.email)
    after = cookie_of(browser)
    assert after != before
    planted = with_cookie(app, before)  # a cookie an attacker made a victim use beforehand
    assert planted.get("/staff/").status_code == 302
    assert browser.get("/staff/").status_code == 200
    # Each sign-in is a session of its own.
    second = signed_in(app, world.nurse.email)
    with browser.session_transaction() as one, second.session_transaction() as two:
        assert one["sid"] != two["sid"]


def test_a_cookie_replayed_after_signing_out_signs_nobody_in(app, world):
    phone = signed_in(app, world.parent_a1.email)
    copied = cookie_of(phone)
    other_device = signed_in(app, world.parent_a1.email)
    assert post_form(phone, "/signout", {}).status_code == 302
    replay = with_cookie(app, copied)
    assert replay.get(f"/family/children/{world.child_a1}").status_code == 302
    assert replay.get(f"/family/children/{world.child_a1}/events.json?after=0").status_code == 401
    # Signing out on one phone leaves the person's other devices signed in.
    assert other_device.get(f"/family/children/{world.child_a1}").status_code == 200


def test_cookies_are_http_only_lax_and_only_family_sessions_outlive_the_browser(app, world):
    staff = app.test_client()
    page = staff.get("/signin")
    response = staff.post(
        "/signin",
        data={
            "email": world.nurse.email,
            "password": Factory.PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "remember": "y",  # no "remember me" for staff, whatever is sent
        },
    )
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Expires" not in header  # ends with the browser
    assert all("remember_token" not in h for h in response.headers.getlist("Set-Cookie"))

    family = app.test_client()
    page = family.get("/signin")
    response = family.post(
        "/signin",
        data={
            "email": world.parent_a1.email,
            "password": Factory.PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert "Expires" in response.headers["Set-Cookie"]
    assert family.get_cookie(SESSION_COOKIE).expires is not None


# --- time limits --------------------------------------------------------------------------------


def test_staff_are_signed_out_after_30_idle_minutes(app, world):
    nurse = signed_in(app, world.nurse.email)
    age_session(nurse, idle_seconds=29 * 60)
    assert nurse.get("/staff/").status_code == 200  # and that counts as activity
    age_session(nurse, idle_seconds=29 * 60)
    assert nurse.get("/staff/").status_code == 200
    age_session(nurse, idle_seconds=31 * 60)
    response = nurse.get("/staff/")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert "without activity" in nurse.get("/signin").get_data(as_text=True)


def test_staff_are_signed_out_12_hours_after_signing_in_however_busy(app, world):
    nurse = signed_in(app, world.nurse.email)
    age_session(nurse, since_sign_in_seconds=11 * 3600)
    assert nurse.get("/staff/").status_code == 200
    age_session(nurse, since_sign_in_seconds=3600 + 60)
    assert nurse.get("/staff/").status_code == 302


def test_a_nurse_who_is_also_a_parent_gets_staff_limits(app, world, make):
    make.grant(world.nurse, world.child_a2)
    nurse = signed_in(app, world.nurse.email)
    assert nurse.get(f"/family/children/{world.child_a2}").status_code == 200
    age_session(nurse, idle_seconds=31 * 60)
    assert nurse.get(f"/family/children/{world.child_a2}").status_code == 302


def test_family_stay_signed_in_for_days_and_are_signed_out_after_14_idle_days(app, world):
    parent = signed_in(app, world.parent_a1.email)
    age_session(parent, idle_seconds=13 * 86400)
    assert parent.get(f"/family/children/{world.child_a1}").status_code == 200
    age_session(parent, idle_seconds=15 * 86400)
    assert parent.get(f"/family/children/{world.child_a1}").status_code == 302


def test_a_family_cookie_goes_out_again_only_when_the_session_changed(app, world):
    # A push sends every phone of a child to the events URL; re-signing and re-sending an
    # unchanged cookie with each answer is work and bytes for nothing.
    parent = signed_in(app, world.parent_a1.email)
    url = f"/family/children/{world.child_a1}/events.json?after=0"
    assert parent.get(url).status_code == 200
    assert "Set-Cookie" not in parent.get(url).headers
    age_session(parent, idle_seconds=2 * 60)  # "seen" is due to move on
    moved = parent.get(url)
    assert "Expires" in moved.headers["Set-Cookie"]  # a later expiry, 14 idle days from now
    assert "Set-Cookie" not in parent.get(url).headers


def test_the_family_idle_limit_is_configurable(app, world):
    app.config["FAMILY_IDLE_DAYS"] = 2
    parent = signed_in(app, world.parent_a1.email)
    age_session(parent, idle_seconds=3 * 86400)
    assert parent.get(f"/family/children/{world.child_a1}").status_code == 302


# --- a post refused for an expired session keeps its text --------------------------------------


def test_an_update_sent_after_the_session_ran_out_is_kept_and_saved_after_signing_in(app, world):
    clinician = signed_in(app, world.clinician.email)
    page = clinician.get(f"/staff/patients/{world.child_a1}").get_data(as_text=True)
    age_session(clinician, idle_seconds=45 * 60)  # the tablet lay on the desk
    typed = {
        "status": "improving",
        "summary": "Breathing on her own since 5 a.m.; the tube came out.",
        "plan": "Sit up in a chair this afternoon.",
        "action": "post",
        "csrf_token": csrf_from(page),
    }
    refused = clinician.post(f"/staff/patients/{world.child_a1}/updates", data=typed)
    assert refused.status_code == 401
    page = refused.get_data(as_text=True)
    assert "nothing was saved yet" in page
    assert "Breathing on her own since 5 a.m.; the tube came out." in page
    assert count(app, Update, Update.summary == typed["summary"]) == 0

    # A wrong password on that page: the text is still there.
    action = f"/signin/continue?next=/staff/patients/{world.child_a1}/updates"
    kept = {f"kept-{name}": value for name, value in typed.items() if name != "csrf_token"}
    wrong = clinician.post(
        action,
        data={
            **kept,
            "email": world.clinician.email,
            "password": "not the password",
            "csrf_token": csrf_from(page),
        },
    )
    assert wrong.status_code == 401
    assert "not right" in wrong.get_data(as_text=True)
    assert typed["plan"] in wrong.get_data(as_text=True)

    again = clinician.post(
        action,
        data={
            **kept,
            "email": world.clinician.email,
            "password": Factory.PASSWORD,
            "csrf_token": csrf_from(wrong.get_data(as_text=True)),
        },
    )
    assert again.status_code == 200
    confirm = again.get_data(as_text=True)
    assert "Save now" in confirm and typed["summary"] in confirm
    assert count(app, Update, Update.summary == typed["summary"]) == 0  # not until pressed

    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(confirm)}
    assert fields["plan"] == typed["plan"] and fields["csrf_token"] != typed["csrf_token"]
    saved = clinician.post(f"/staff/patients/{world.child_a1}/updates", data=fields)
    assert saved.status_code == 302
    assert count(app, Update, Update.summary == typed["summary"]) == 1


def test_only_forms_of_typed_text_keep_it_and_never_a_password(app, world):
    nurse = signed_in(app, world.nurse.email)
    age_session(nurse, idle_seconds=45 * 60)
    revoke = f"/staff/patients/{world.child_a1}/family/{world.grant_a1}/revoke"
    pressed = post_form(nurse, revoke, {})  # a button, nothing typed: to sign in
    assert pressed.status_code == 302 and "/signin" in pressed.headers["Location"]
    assert count(app, AuditEvent, AuditEvent.action == "revoke_access") == 0

    # A form with a password (an admin's new staff account) is never shown back.
    admin = signed_in(app, world.admin.email)
    age_session(admin, idle_seconds=45 * 60)
    secret = "violet kettle harbour"
    refused = post_form(
        admin,
        "/admin/staff/new",
        {"name": "Rosa Example", "email": "rosa@example.org", "role": "admin", "password": secret},
    )
    assert refused.status_code == 302 and secret not in refused.get_data(as_text=True)

    # The continue page leads only to a form of typed text, never a button or a password.
    for target in (revoke, "/admin/staff/new", "https://elsewhere.example/"):
        bounced = post_form(app.test_client(), f"/signin/continue?next={target}", {})
        assert bounced.status_code == 302 and bounced.headers["Location"].endswith("/signin")


# --- sign-out everywhere and disabled accounts ------------------------------------------------


def test_a_nurse_signs_a_family_member_out_everywhere_and_their_access_stays(app, world):
    phone = signed_in(app, world.parent_a1.email)
    laptop = signed_in(app, world.parent_a1.email)
    nurse = signed_in(app, world.nurse.email)
    response = post_form(
        nurse, f"/staff/patients/{world.child_a1}/family/{world.grant_a1}/sign-out", {}
    )
    assert response.status_code == 302
    for device in (phone, laptop):
        assert device.get(f"/family/children/{world.child_a1}").status_code == 302
    assert (
        count(
            app,
            UserSession,
            UserSession.user_id == world.parent_a1.id,
            UserSession.ended_at.is_(None),
        )
        == 0
    )
    back = signed_in(app, world.parent_a1.email)  # the grant stays
    assert back.get(f"/family/children/{world.child_a1}").status_code == 200
    assert count(app, AuditEvent, AuditEvent.action == "sign_out_everywhere") == 1
    # A nurse of another unit, or a family member, cannot.
    other = signed_in(app, world.clinician_b.email)
    refused = post_form(
        other, f"/staff/patients/{world.child_a1}/family/{world.grant_a1}/sign-out", {}
    )
    assert refused.status_code == 404
    assert back.get(f"/family/children/{world.child_a1}").status_code == 200


# --- sign-in limits --------------------------------------------------------------------------


def try_sign_in(client, email, password):
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )


@pytest.fixture
def limited_app(database_url):
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "SIGN_IN_LIMIT_PER_ACCOUNT": "3 per minute",
            "SIGN_IN_LIMIT_PER_ADDRESS": "6 per minute",
        },
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failed_sign_ins_are_limited_per_account_and_address_without_locking_out_others(
    limited_app,
):
    make = Factory(limited_app)
    parent, neighbour = make.person(), make.person()
    attacker = from_address(limited_app, "203.0.113.9")
    answers = [try_sign_in(attacker, parent.email, "guess").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # Even the right password is refused from there for now ...
    assert try_sign_in(attacker, parent.email, Factory.PASSWORD).status_code == 429
    # ... but the parent on their own phone is not locked out,
    assert (
        try_sign_in(
            from_address(limited_app, "198.51.100.7"), parent.email, Factory.PASSWORD
        ).status_code
        == 302
    )
    # and another family on the same hospital Wi-Fi address still signs in.
    assert try_sign_in(attacker, neighbour.email, Factory.PASSWORD).status_code == 302


def test_spraying_many_accounts_from_one_address_hits_the_address_ceiling(limited_app):
    make = Factory(limited_app)
    people = [make.person() for _ in range(4)]
    sprayer = from_address(limited_app, "203.0.113.10")
    answers = [
        try_sign_in(sprayer, person.email, f"guess {n}").status_code
        for n in range(2)
        for person in people
    ]
    assert answers[:6] == [200] * 6 and answers[6:] == [429, 429]
    assert "Too many tries" in try_sign_in(sprayer, people[0].email, "x").get_data(as_text=True)
    assert (
        try_sign_in(
            from_address(limited_app, "198.51.100.8"), people[0].email, Factory.PASSWORD
        ).status_code
        == 302
    )


def test_a_successful_sign_in_does_not_count_against_the_limit(limited_app):
    make = Factory(limited_app)
    nurse = make.person("nurse", (make.unit(),))
    desk = from_address(limited_app, "10.1.1.1")
    for _ in range(5):
        assert try_sign_in(desk, nurse.email, Factory.PASSWORD).status_code == 302
        post_form(desk, "/signout", {})


def test_socket_connections_are_limited_per_account_not_per_address(database_url):
    from rounds.extensions import socketio

    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "SOCKET_CONNECT_LIMIT": "3 per minute",
        },
    )
    try:
        make = Factory(app)
        unit = make.unit()
        child = make.patient(unit)
        busy, neighbour = make.person(), make.person()
        make.grant(busy, child)
        make.grant(neighbour, child)
        busy_client = app.test_client()
        sign_in(busy_client, busy.email)
        answers = []
        for _ in range(4):
            sock = socketio.test_client(app, flask_test_client=busy_client)
            answers.append(sock.is_connected())
            if sock.is_connected():
                sock.disconnect()
        assert answers == [True, True, True, False]
        # Another family on the same address connects.
        other = app.test_client()
        sign_in(other, neighbour.email)
        assert socketio.test_client(app, flask_test_client=other).is_connected()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_trying_addresses_on_the_join_page_is_limited(database_url):
    """The join page says an address is taken; an invitation holder cannot try many."""
    from rounds.models import Patient, User
    from rounds.services.invitations import create_invitation
    from tests.support.invitations import join_as_new

    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "ADDRESS_IN_USE_LIMIT": "2 per hour",
        },
    )
    try:
        make = Factory(app)
        unit = make.unit()
        child, taken = make.patient(unit), make.person()
        nurse = make.person("nurse", (unit,))
        with app.app_context():
            made = create_invitation(
                db.session.get(User, nurse.id),
                db.session.get(Patient, child),
                "Ana Lima",
                "Aunt or uncle",
                False,
                "en",
            )
            link = f"/join/{made.token}"
        phone = app.test_client()
        phone.get(link)
        answers = [join_as_new(phone, email=taken.email).status_code for _ in range(3)]
        assert answers == [400, 400, 429]
        # Mistakes of another kind (a short passphrase) do not count against it.
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
        other.get(link)
        weak = [
            join_as_new(other, passphrase="short", passphrase_again="short").status_code
            for _ in range(3)
        ]
        assert weak == [400, 400, 400]
        assert join_as_new(other, email="ana.lima@example.org").status_code == 302
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_connect_count_starts_again_in_a_new_window():
    from limits import parse_many

    from rounds.sockets import ConnectCounts

    counts = ConnectCounts(parse_many("2 per minute;3 per hour"))
    start = 3600 * 100  # the start of an hour, and of a minute
    assert [counts.allow(7, start + s) for s in (0, 1, 2)] == [True, True, False]
    assert counts.allow(8, start + 3)  # another account has its own count
    assert not counts.allow(7, start + 61)  # a new minute, but the hour's 3 are used
    assert counts.allow(7, start + 3600)  # a new hour and minute


def test_a_post_from_another_site_is_not_offered_for_saving(app, world, make):
    """A page elsewhere can make a browser post (without our cookie, SameSite=Lax): its text
    must not come back to be saved after a clinician signs in."""
    forged = {"status": "comfort", "summary": "Forged by another site.", "action": "post"}
    cross_site = app.test_client().post(f"/staff/patients/{world.child_a1}/updates", data=forged)
    assert cross_site.status_code == 302 and "/signin" in cross_site.headers["Location"]
    assert "Forged by another site." not in cross_site.get_data(as_text=True)

    # A clinician signed out everywhere (not by time) does get their own text back.
    clinician = signed_in(app, world.clinician.email)
    page = clinician.get(f"/staff/patients/{world.child_a1}").get_data(as_text=True)
    from rounds.models import User
    from rounds.services.sessions import end_sessions

    with app.app_context():
        user = db.session.get(User, world.clinician.id)
        end_sessions(user, user)
    mine = {**forged, "summary": "Typed before being signed out.", "csrf_token": csrf_from(page)}
    kept = clinician.post(f"/staff/patients/{world.child_a1}/updates", data=mine)
    assert kept.status_code == 401 and "Typed before being signed out." in kept.get_data(
        as_text=True
    )
    assert count(app, Update, Update.summary.in_([forged["summary"], mine["summary"]])) == 0
