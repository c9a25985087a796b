"""Invitations: a nurse invites at the bedside; the family member joins on their phone.

Real forms through the test client, on SQLite and PostgreSQL. What must not happen is
checked as well: a used, cancelled or expired invitation lets nobody in, a wrong code gives
nothing away, and the secrets are never stored as they are shown.
"""

import logging
import re

import pytest
from sqlalchemy import func, select

from rounds import create_app
from rounds.extensions import db
from rounds.models import AccessGrant, AuditEvent, Invitation, Patient, User
from rounds.services import invitations as service
from rounds.services.patients import discharge_patient
from tests.support.client import csrf_from, sign_in
from tests.support.invitations import PASSPHRASE, invite, join_as_new


def grants_of(app, email):
    with app.app_context():
        return db.session.execute(
            select(AccessGrant.patient_id, AccessGrant.granted_by_id, AccessGrant.is_guardian)
            .join(User, User.id == AccessGrant.user_id)
            .where(User.email == email, AccessGrant.revoked_at.is_(None))
        ).all()


def audit_actions(app, patient_id):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.patient_id == patient_id)
            .order_by(AuditEvent.id)
        ).all()


@pytest.fixture
def nurse(app, world):
    client = app.test_client()
    sign_in(client, world.nurse.email)
    return client


def test_a_parent_scans_the_code_makes_an_account_and_reads_the_child(app, world, nurse):
    card, link, code = invite(nurse, world.child_a1, invitee_is_guardian="y")
    assert "<svg" in card and "Ana Lima" in card
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64: 256 bits

    phone = app.test_client()
    opened = phone.get(link)
    assert opened.status_code == 302 and opened.headers["Location"] == "/join/"
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    joined = join_as_new(phone)
    assert joined.status_code == 302
    assert joined.headers["Location"] == f"/family/children/{world.child_a1}"
    child_page = phone.get(joined.headers["Location"])
    assert child_page.status_code == 200 and "Child A1 slept well." in child_page.get_data(
        as_text=True
    )
    assert grants_of(app, "ana.lima@example.org") == [(world.child_a1, world.nurse.id, True)]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ana.lima@example.org"))
        assert user.language == "en" and user.staff_role is None
        stored = db.session.scalars(select(Invitation)).one()
        # Only keyed hashes are kept: neither secret appears anywhere in the row.
        row_text = " ".join(str(v) for v in vars(stored).values())
        assert token not in row_text and code.replace("-", "") not in row_text
    assert audit_actions(app, world.child_a1)[-3:] == [
        "invite",
        "redeem_invitation",
        "view_updates",
    ]


def test_an_invitation_works_once(app, world, nurse):
    _, link, code = invite(nurse, world.child_a1)
    phone = app.test_client()
    phone.get(link)
    assert join_as_new(phone).status_code == 302
    for again in (app.test_client().get(link), code_entry(app.test_client(), code)):
        assert again.status_code in (400, 404)
        assert "/join/" not in again.headers.get("Location", "")
    assert len(grants_of(app, "ana.lima@example.org")) == 1


def code_entry(phone, typed):
    page = phone.get("/join/code")
    token = csrf_from(page.get_data(as_text=True))
    return phone.post("/join/code", data={"code": typed, "csrf_token": token})


def test_the_short_code_works_however_it_is_typed(app, world, nurse):
    _, _, code = invite(nurse, world.child_a1)
    phone = app.test_client()
    typed = f"  {code[:4].lower()} {code[5:].lower()} "
    answered = code_entry(phone, typed)
    assert answered.status_code == 302 and answered.headers["Location"] == "/join/"
    assert join_as_new(phone).status_code == 302
    assert [g[0] for g in grants_of(app, "ana.lima@example.org")] == [world.child_a1]


def test_a_wrong_code_says_so_beside_the_field_keeps_it_and_lets_nobody_in(app, world, nurse):
    invite(nurse, world.child_a1)
    phone = app.test_client()
    answered = code_entry(phone, "ABCD-2345")
    page = answered.get_data(as_text=True)
    assert answered.status_code == 400
    assert "This code does not work" in page and 'value="ABCD-2345"' in page
    assert phone.get("/join/").status_code == 404


@pytest.mark.parametrize("how", ["cancelled", "expired", "discharged"])
def test_a_closed_invitation_lets_nobody_in(app, world, nurse, how):
    if how == "expired":
        app.config["INVITATION_HOURS"] = 0
    _, link, code = invite(nurse, world.child_a1)
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        if how == "cancelled":
            panel = nurse.get(f"/staff/patients/{world.child_a1}/family")
            assert "Ana Lima" in panel.get_data(as_text=True)
            cancelled = nurse.post(
                f"/staff/patients/{world.child_a1}/family/invitations/{invitation.id}/cancel",
                data={"csrf_token": csrf_from(panel.get_data(as_text=True))},
            )
            assert cancelled.status_code == 302
        if how == "discharged":
            discharge_patient(db.session.get(User, world.nurse.id), invitation.patient)
    closed = app.test_client().get(link)
    assert closed.status_code == 404
    assert "This invitation cannot be used" in closed.get_data(as_text=True)
    assert code_entry(app.test_client(), code).status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AccessGrant)
                .where(AccessGrant.patient_id == world.child_a1)
            )
            == 2
        )  # the world's two, no more
    if how == "cancelled":
        assert "cancel_invitation" in audit_actions(app, world.child_a1)


def test_an_invitation_closed_between_opening_and_joining_makes_no_account(app, world, nurse):
    _, link, _ = invite(nurse, world.child_a1)
    phone = app.test_client()
    phone.get(link)
    page = phone.get("/join/")
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        service.cancel_invitation(db.session.get(User, world.nurse.id), invitation)
    data = {
        "name": "Ana Lima",
        "email": "ana.lima@example.org",
        "passphrase": PASSPHRASE,
        "passphrase_again": PASSPHRASE,
        "language": "en",
        "consent": "y",
        "csrf_token": csrf_from(page.get_data(as_text=True)),
    }
    assert phone.post("/join/", data=data).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ana.lima@example.org")) is None


def test_joining_refuses_a_weak_passphrase_and_no_consent_beside_the_fields(app, world, nurse):
    _, link, _ = invite(nurse, world.child_a1)
    phone = app.test_client()
    phone.get(link)
    answered = join_as_new(
        phone, passphrase="1234567890", passphrase_again="1234567890", consent=""
    )
    page = answered.get_data(as_text=True)
    assert answered.status_code == 400
    assert "too easy to guess" in page and "Tick the box" in page
    assert 'value="ana.lima@example.org"' in page  # what was typed stays
    assert grants_of(app, "ana.lima@example.org") == []


def test_someone_with_an_account_signs_in_and_joins_with_it(app, world, nurse):
    _, link, _ = invite(nurse, world.child_a1, name=world.parent_a2.name)
    phone = app.test_client()
    phone.get(link)
    welcome = phone.get("/join/").get_data(as_text=True)
    assert "/signin?next=/join/" in welcome
    sign_in(phone, world.parent_a2.email)  # the invitation under way survives signing in
    page = phone.get("/join/")
    assert world.parent_a2.name in page.get_data(as_text=True)
    accepted = phone.post(
        "/join/accept", data={"csrf_token": csrf_from(page.get_data(as_text=True))}
    )
    assert accepted.headers["Location"] == f"/family/children/{world.child_a1}"
    assert sorted(g[0] for g in grants_of(app, world.parent_a2.email)) == sorted(
        [world.child_a1, world.child_a2]
    )


def test_a_new_account_cannot_take_an_address_already_in_use(app, world, nurse):
    _, link, _ = invite(nurse, world.child_a1)
    phone = app.test_client()
    phone.get(link)
    answered = join_as_new(phone, email=world.parent_a2.email)
    assert answered.status_code == 400
    assert "cannot be used for a new account" in answered.get_data(as_text=True)
    assert [g[0] for g in grants_of(app, world.parent_a2.email)] == [world.child_a2]


def test_the_invite_form_keeps_what_was_typed_and_says_what_is_missing(app, world, nurse):
    panel = nurse.get(f"/staff/patients/{world.child_a1}/family")
    refused = nurse.post(
        f"/staff/patients/{world.child_a1}/family/invitations",
        data={
            "invitee_name": "",
            "invitee_relationship": "Grandparent",
            "invitee_contact": "+351 555 0199",
            "csrf_token": csrf_from(panel.get_data(as_text=True)),
        },
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Enter their name." in page and 'value="+351 555 0199"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_guessing_codes_hits_the_limit_for_one_phone_and_for_everyone(database_url):
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "INVITATION_CODE_LIMIT_PER_CLIENT": "3 per minute",
            "INVITATION_CODE_LIMIT_GLOBAL": "5 per minute",
        },
    )
    try:
        one = app.test_client()
        answers = [code_entry(one, "AAAA-AAAA").status_code for _ in range(4)]
        assert answers == [400, 400, 400, 429]
        # Other addresses (a whole ward's Wi-Fi, or an attacker's many) share one ceiling.
        others = []
        for n in range(3):
            phone = app.test_client()
            phone.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 2}"
            others.append(code_entry(phone, "AAAA-AAAA").status_code)
        # The refused fourth try above counted too: one more guess left for everyone.
        assert others == [400, 429, 429]
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_family_member_or_interpreter_cannot_invite(app, world):
    for person in (world.parent_a1, world.interpreter):
        client = app.test_client()
        sign_in(client, person.email)
        token = csrf_from(client.get("/signin").get_data(as_text=True))
        answered = client.post(
            f"/staff/patients/{world.child_a1}/family/invitations",
            data={"invitee_name": "X Y", "invitee_relationship": "Mother", "csrf_token": token},
        )
        assert answered.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
        assert db.session.get(Patient, world.child_a1) is not None


def test_the_access_log_never_holds_an_invitation_token():
    import runpy
    from datetime import timedelta
    from pathlib import Path
    from types import SimpleNamespace

    from gunicorn.config import Config as GunicornConfig

    settings = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
    RedactingLogger = runpy.run_path(str(settings))["RedactingLogger"]  # noqa: N806

    token = "n3gTiTzZ7cLb3Z7yyb1Bx1D1755theVD2DM6Qn851Jo"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/join/{token}",
        "PATH_INFO": f"/join/{token}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://rounds.example.org/join/{token}",
    }
    atoms = RedactingLogger(GunicornConfig()).atoms(
        SimpleNamespace(status="302 FOUND", sent=0, headers=[]), [], environ, timedelta(0)
    )
    line = " ".join(str(value) for value in atoms.values())
    assert token not in line
    assert atoms["r"] == "GET /join/[invitation] HTTP/1.1"
    assert atoms["U"] == "/join/[invitation]" and atoms["f"].endswith("/join/[invitation]")


def test_the_embedded_request_log_never_holds_an_invitation_token(app, world, nurse, caplog):
    _, link, _ = invite(nurse, world.child_a1)
    token = link.rsplit("/", 1)[1]
    request_log = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        # Werkzeug's own request line, as its server writes it.
        request_log.info('%s - - [%s] "%s" %s -', "127.0.0.1", "now", f"GET {link} HTTP/1.1", 302)
    assert caplog.records, "the request line was not logged at all"
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert token not in logged and "/join/[invitation]" in logged
