"""One action, one commit: every POST a person can make, done successfully by someone allowed
to, writes and audits in at most one database transaction.

A crash between two commits would leave half an action behind: a lost phone still signed in
with the new passphrase already set, a guardian's old invitation cancelled with no new one. So
each POST route below is done for real, the commits of that one request are counted with a
SQLAlchemy session event, and every POST route of the app must have a case here.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event, func, select

from rounds import tracker
from rounds.extensions import db
from rounds.models import AuditEvent
from tests.support.client import csrf_from, session_csrf, sign_in, signed_in
from tests.support.factories import Factory
from tests.support.invitations import LINK, invite, join_as_new

NEW_PASSPHRASE = "green valley evening"  # fictional

# A request that commits more than once, with the reason it must. Empty: none may.
MORE_THAN_ONE_COMMIT: dict[str, str] = {}


@contextmanager
def commits_counted():
    """Count the commits of every session of the app while the block runs."""
    counted = []

    def count(_session):
        counted.append(1)

    event.listen(db.session, "after_commit", count)
    try:
        yield counted
    finally:
        event.remove(db.session, "after_commit", count)


@dataclass
class Done:
    """What one successful request left: its answer and how many commits it made."""

    status: int
    commits: int
    location: str


def send(client, url: str, data: dict | None = None) -> Done:
    """POST ``data`` with the session's CSRF token, counting the commits of that request only
    (the token is read before counting starts)."""
    form = {**(data or {}), "csrf_token": session_csrf(client)}
    with commits_counted() as counted:
        response = client.post(url, data=form)
    return Done(response.status_code, len(counted), response.headers.get("Location", ""))


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )


@dataclass
class Case:
    """One POST route done successfully: ``run`` returns what was done and checks it took."""

    endpoint: str
    run: Callable


CASES: list[Case] = []


def case(endpoint: str):
    def register(run):
        CASES.append(Case(endpoint, run))
        return run

    return register


# --- signing in and out ------------------------------------------------------------------


@case("auth.sign_in")
def successful_sign_in(app, w, make):
    client = app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    data = {"email": w.nurse.email, "password": Factory.PASSWORD, "csrf_token": csrf_from(page)}
    with commits_counted() as counted:
        response = client.post("/signin", data=data)
    assert response.status_code == 302 and "/staff/" in response.headers["Location"]
    assert audit_count(app, "sign_in") == 1
    return Done(response.status_code, len(counted), response.headers["Location"])


@case("auth.sign_in_to_continue")
def sign_in_again_to_save_kept_text(app, w, make):
    client = app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    data = {
        "kept-status": "serious",
        "kept-summary": "Kept while signed out.",
        "email": w.clinician.email,
        "password": Factory.PASSWORD,
        "csrf_token": csrf_from(page),
    }
    url = f"/signin/continue?next=/staff/patients/{w.child_a1}/updates"
    with commits_counted() as counted:
        response = client.post(url, data=data)
    assert response.status_code == 200 and "Kept while signed out." in response.get_data(True)
    assert audit_count(app, "sign_in") == 1
    return Done(response.status_code, len(counted), "")


@case("auth.sign_out")
def sign_out(app, w, make):
    done = send(signed_in(app, w.parent_a1.email), "/signout")
    assert audit_count(app, "sign_out") == 1
    return done


# --- the staff's child pages ---------------------------------------------------------------


def nurse_of(app, w):
    return signed_in(app, w.nurse.email)


@case("staff.post")
def post_an_update(app, w, make):
    data = {"status": "serious", "summary": "A steady morning.", "action": "post"}
    done = send(nurse_of(app, w), f"/staff/patients/{w.child_a1}/updates", data)
    assert audit_count(app, "post_update") == 4  # the world's three, and this one
    return done


@case("staff.post")
def post_an_update_that_answers_a_question(app, w, make):
    question = make.question(w.parent_a1, w.child_a1)
    data = {"status": "serious", "summary": "Yes, she may eat.", "answers": str(question)}
    done = send(nurse_of(app, w), f"/staff/patients/{w.child_a1}/updates", data)
    assert audit_count(app, "post_update") == 4 and audit_count(app, "answer_question") == 1
    return done


@case("staff.correct")
def correct_an_update(app, w, make):
    url = f"/staff/patients/{w.child_a1}/updates/{w.update_a1}/correct"
    data = {"status": "improving", "summary": "Clearer words.", "reason": "Clearer"}
    done = send(nurse_of(app, w), url, data)
    assert audit_count(app, "correct_update") == 1
    return done


@case("staff.retract")
def retract_an_update(app, w, make):
    url = f"/staff/patients/{w.child_a1}/updates/{w.update_a1}/retract"
    done = send(nurse_of(app, w), url, {"reason": "Posted to the wrong child"})
    assert audit_count(app, "retract_update") == 1
    return done


@case("staff.admit")
def admit_a_child(app, w, make):
    data = {"display_name": "Newly Admitted", "bed": "12", "unit_id": w.unit_a}
    done = send(nurse_of(app, w), "/staff/admit", data)
    assert audit_count(app, "admit") == 4  # the world's three children, and this one
    return done


@case("staff.discharge")
def discharge_a_child(app, w, make):
    done = send(nurse_of(app, w), f"/staff/patients/{w.child_a2}/discharge")
    assert audit_count(app, "discharge") == 1
    return done


@case("staff.translate")
def translate_an_update(app, w, make):
    url = f"/staff/updates/{w.update_a1}/translate/es"
    done = send(signed_in(app, w.interpreter.email), url, {"summary": "Durmió bien."})
    assert audit_count(app, "add_translation") == 1
    return done


# --- rounds and families' questions --------------------------------------------------------


@case("staff.start_unit_rounds")
def start_rounds(app, w, make):
    Factory(app).in_the_morning(w.unit_a)
    done = send(nurse_of(app, w), f"/staff/units/{w.unit_a}/rounds/start")
    assert audit_count(app, "start_rounds") == 1
    return done


def queue_change(kind: str, fields: Callable) -> None:
    """A case for one change to unit A's running queue: rounds started by a nurse, ``fields``
    (which may change the queue first) sent with the version the queue is at then."""

    def run(app, w, make):
        Factory(app).in_the_morning(w.unit_a)
        make.start_rounds(w.nurse, w.unit_a)
        data = fields(w, make)
        with app.app_context():
            data["version"] = tracker.open_session(w.unit_a).version
        done = send(nurse_of(app, w), f"/staff/units/{w.unit_a}/rounds/{kind}", data)
        assert audit_count(app, f"rounds_{kind}") == 1
        return done

    run.__name__ = f"change_the_rounds_queue_{kind}"
    case("staff.change_unit_rounds")(run)


def skipped_child_a1(w, make) -> dict:
    make.change_rounds(w.nurse, w.unit_a, "skip", w.child_a1)
    return {"patient": w.child_a1}


# child_a1 is first in bed order (admitted first), so the team is with them.
queue_change("move", lambda w, make: {"patient": w.child_a2, "position": 1})
queue_change("skip", lambda w, make: {"patient": w.child_a1})
queue_change("bring_back", skipped_child_a1)
queue_change("done", lambda w, make: {"patient": w.child_a1})
queue_change("add", lambda w, make: {"patient": make.patient(w.unit_a)})  # admitted since
queue_change("join_link", lambda w, make: {"patient": w.child_a1, "link": "https://x.org/a1"})
queue_change("end", lambda w, make: {})


@case("staff.answer_question")
def mark_a_question_answered(app, w, make):
    question = make.question(w.parent_a1, w.child_a1)
    url = f"/staff/patients/{w.child_a1}/questions/{question}/answer"
    done = send(nurse_of(app, w), url, {"how": "bedside"})
    assert audit_count(app, "answer_question") == 1
    return done


@case("staff.question_rendering")
def render_a_question(app, w, make):
    question = make.question(w.parent_a1, w.child_a1, "¿Puede comer hoy?", language="es")
    url = f"/staff/patients/{w.child_a1}/questions/{question}/rendering"
    done = send(signed_in(app, w.interpreter.email), url, {"rendering": "Can she eat today?"})
    assert audit_count(app, "render_question") == 1
    return done


@case("family.rounds_answer")
def ask_for_a_call_at_rounds(app, w, make):
    data = {"choice": "call", "phone": "+1 555 0123"}
    done = send(signed_in(app, w.parent_a1.email), f"/family/children/{w.child_a1}/rounds", data)
    assert audit_count(app, "answer_rounds") == 1
    return done


@case("family.ask")
def ask_a_question_for_rounds(app, w, make):
    url = f"/family/children/{w.child_a1}/questions"
    done = send(signed_in(app, w.parent_a1.email), url, {"text": "Can she eat today?"})
    assert audit_count(app, "ask_question") == 1
    return done


@case("family.withdraw")
def withdraw_a_question(app, w, make):
    question = make.question(w.parent_a1, w.child_a1)
    url = f"/family/children/{w.child_a1}/questions/{question}/withdraw"
    done = send(signed_in(app, w.parent_a1.email), url)
    assert audit_count(app, "withdraw_question") == 1
    return done


# --- the family access panel ---------------------------------------------------------------


def family_url(w, rest: str = "") -> str:
    return f"/staff/patients/{w.child_a1}/family{rest}"


@case("staff.grant_access")
def give_access_to_someone_new(app, w, make):
    data = {"name": "Rosa Example", "email": "rosa@example.org", "relationship": "Grandparent"}
    done = send(nurse_of(app, w), family_url(w), data)
    assert done.status == 200  # the first passphrase is shown once, on this answer
    assert audit_count(app, "grant_access") == 6  # the world's five, and this one
    return done


@case("staff.revoke_access")
def revoke_access(app, w, make):
    done = send(nurse_of(app, w), family_url(w, f"/{w.grant_a1}/revoke"))
    assert audit_count(app, "revoke_access") == 1
    return done


@case("staff.invite")
def make_an_invitation(app, w, make):
    data = {"invitee_name": "Ana Example", "invitee_relationship": "Grandparent"}
    done = send(nurse_of(app, w), family_url(w, "/invitations"), {**data, "invitee_language": "en"})
    assert done.status == 200 and audit_count(app, "invite") == 1
    return done


@case("staff.cancel_invite")
def cancel_an_invitation(app, w, make):
    invitation = make.invitation(w.child_a1)
    done = send(nurse_of(app, w), family_url(w, f"/invitations/{invitation}/cancel"))
    assert audit_count(app, "cancel_invitation") == 1
    return done


@case("staff.confirm_access")
def confirm_waiting_access(app, w, make):
    grant = make.pending_grant(make.person(), w.child_a1)
    done = send(nurse_of(app, w), family_url(w, f"/{grant}/confirm"))
    assert audit_count(app, "confirm_access") == 1
    return done


@case("staff.reinvite_access")
def make_a_re_invitation(app, w, make):
    done = send(nurse_of(app, w), family_url(w, f"/{w.grant_a1}/reinvite"))
    assert done.status == 200 and audit_count(app, "reinvite") == 1
    return done


@case("staff.sign_out_family")
def sign_a_parent_out_everywhere(app, w, make):
    done = send(nurse_of(app, w), family_url(w, f"/{w.grant_a1}/sign-out"))
    assert audit_count(app, "sign_out_everywhere") == 1
    return done


@case("staff.restrict")
def restrict_a_child(app, w, make):
    done = send(nurse_of(app, w), f"/staff/patients/{w.child_a1}/restriction", {"note": "Order"})
    assert audit_count(app, "restrict") == 1
    return done


@case("staff.lift_restriction_route")
def lift_a_restriction(app, w, make):
    make.restrict(w.child_a1)
    done = send(nurse_of(app, w), f"/staff/patients/{w.child_a1}/restriction/lift")
    assert audit_count(app, "lift_restriction") == 1
    return done


@case("staff.decide_access_request")
def approve_a_guardians_request(app, w, make):
    asked = make.access_request(w.parent_a1, w.child_a1)
    done = send(nurse_of(app, w), family_url(w, f"/requests/{asked}/approve"))
    assert audit_count(app, "approve_request") == 1
    return done


# --- joining with an invitation ----------------------------------------------------------


@case("join.enter_code")
def type_the_short_code(app, w, make):
    _card, _link, code = invite(nurse_of(app, w), w.child_a1)
    done = send(app.test_client(), "/join/code", {"code": code})
    assert done.status == 302 and done.location.endswith("/join/")
    return done


@case("join.welcome")
def join_with_a_new_account(app, w, make):
    _card, link, _code = invite(nurse_of(app, w), w.child_a1)
    phone = app.test_client()
    phone.get(link)
    page = phone.get("/join/").get_data(as_text=True)
    assert "Join" in page
    with commits_counted() as counted:
        response = join_as_new(phone)
    assert response.status_code == 302
    assert phone.get(f"/family/children/{w.child_a1}").status_code == 200
    return Done(response.status_code, len(counted), response.headers["Location"])


@case("join.welcome")
def choose_a_new_passphrase_with_a_re_invitation(app, w, make):
    nurse = nurse_of(app, w)
    page = nurse.post(
        family_url(w, f"/{w.grant_a1}/reinvite"), data={"csrf_token": session_csrf(nurse)}
    )
    link = LINK.search(page.get_data(as_text=True)).group(1)
    lost_phone = signed_in(app, w.parent_a1.email)
    phone = app.test_client()
    phone.get(link)
    form = phone.get("/join/").get_data(as_text=True)
    data = {
        "passphrase": NEW_PASSPHRASE,
        "passphrase_again": NEW_PASSPHRASE,
        "csrf_token": csrf_from(form),
    }
    with commits_counted() as counted:
        response = phone.post("/join/", data=data)
    assert response.status_code == 302
    assert lost_phone.get(f"/family/children/{w.child_a1}").status_code == 302  # signed out
    sign_in(app.test_client(), w.parent_a1.email, NEW_PASSPHRASE)
    assert audit_count(app, "reset_passphrase") == 1
    return Done(response.status_code, len(counted), response.headers["Location"])


@case("join.accept")
def join_with_the_account_signed_in(app, w, make):
    _card, link, _code = invite(nurse_of(app, w), w.child_a2)
    phone = signed_in(app, w.parent_a1.email)
    phone.get(link)
    done = send(phone, "/join/accept")
    assert phone.get(f"/family/children/{w.child_a2}").status_code == 200
    return done


# --- the family's own ------------------------------------------------------------------


@case("family.relatives")
def ask_for_a_relative(app, w, make):
    data = {"name": "Lucia Example", "relationship": "Grandparent", "language": "pt-BR"}
    url = f"/family/children/{w.child_a1}/relatives"
    done = send(signed_in(app, w.parent_a1.email), url, data)
    assert audit_count(app, "request_access") == 1
    return done


def approved_request_url(make, w) -> str:
    asked = make.access_request(w.parent_a1, w.child_a1, approved=True)
    return f"/family/children/{w.child_a1}/relatives/{asked}/invitation"


@case("family.relative_invitation")
def make_the_approved_invitation(app, w, make):
    done = send(signed_in(app, w.parent_a1.email), approved_request_url(make, w))
    assert done.status == 200 and audit_count(app, "invite") == 1
    return done


@case("family.relative_invitation")
def replace_the_approved_invitation(app, w, make):
    url = approved_request_url(make, w)
    guardian = signed_in(app, w.parent_a1.email)
    assert send(guardian, url).status == 200
    done = send(guardian, url)  # lost the first: a new one, and the first stops working
    assert done.status == 200
    assert audit_count(app, "invite") == 2 and audit_count(app, "cancel_invitation") == 1
    return done


@case("family.settings")
def choose_a_language(app, w, make):
    done = send(signed_in(app, w.parent_a1.email), "/family/settings", {"language": "es"})
    assert audit_count(app, "choose_language") == 1
    return done


# --- admins ------------------------------------------------------------------------------


def admin_of(app, w):
    return signed_in(app, w.admin.email)


@case("admin.add_staff")
def add_a_staff_account(app, w, make):
    data = {"name": "Rosa Example", "email": "rosa.staff@example.org", "role": "nurse"}
    data.update(units=w.unit_a, password="violet kettle harbour")
    done = send(admin_of(app, w), "/admin/staff/new", data)
    assert audit_count(app, "add_staff") == 1
    return done


@case("admin.staff_account")
def change_a_staff_account(app, w, make):
    data = {"role": "clinician", "units": [w.unit_a, w.unit_b]}
    done = send(admin_of(app, w), f"/admin/staff/{w.nurse.id}", data)
    assert audit_count(app, "change_staff") == 1
    return done


@case("admin.disable_staff")
def disable_a_staff_account(app, w, make):
    done = send(admin_of(app, w), f"/admin/staff/{w.nurse.id}/disable")
    assert audit_count(app, "disable_account") == 1
    return done


@case("admin.enable_staff")
def enable_a_staff_account(app, w, make):
    make.disable(w.nurse)
    done = send(admin_of(app, w), f"/admin/staff/{w.nurse.id}/enable")
    assert audit_count(app, "enable_account") == 1
    return done


@case("admin.units")
def add_a_unit(app, w, make):
    data = {"name": "Cardiac ICU (test)", "phone": "+1 555 0100", "timezone": "UTC"}
    done = send(admin_of(app, w), "/admin/units", data)
    assert audit_count(app, "add_unit") == 1
    return done


@case("admin.unit")
def change_a_unit(app, w, make):
    data = {"name": "Renamed unit", "phone": "+1 555 0101", "timezone": "Europe/Lisbon"}
    done = send(admin_of(app, w), f"/admin/units/{w.unit_a}", data)
    assert audit_count(app, "change_unit") == 1
    return done


# --- the tests ---------------------------------------------------------------------------


def test_every_post_route_has_a_successful_case(app):
    """A POST route with no case here fails: none arrives without its commit counted."""
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert posts == {c.endpoint for c in CASES}
    assert set(MORE_THAN_ONE_COMMIT) <= posts


@pytest.mark.parametrize("done", CASES, ids=[c.run.__name__ for c in CASES])
def test_a_successful_post_commits_at_most_once(app, world, make, done):
    result = done.run(app, world, make)
    assert result.status in (200, 302), result
    allowed = 1 if done.endpoint not in MORE_THAN_ONE_COMMIT else 2
    assert result.commits <= allowed, f"{done.endpoint}: {result.commits} commits in one request"


def test_the_counter_sees_every_commit(app):
    """Control: two commits in one block are counted as two (else the test above proves
    nothing)."""
    with app.app_context(), commits_counted() as counted:
        db.session.execute(select(1))
        db.session.commit()
        db.session.execute(select(1))
        db.session.commit()
    assert len(counted) == 2
