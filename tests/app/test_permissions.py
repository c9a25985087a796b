"""Who may do what, on every route: PRODUCT.md's table, checked against the app.

The expectations are written by hand from PRODUCT.md ("Who may do what"), never read from
the app's decorators. Every route in the URL map must have a row in ``EXPECTED``, so a new
route cannot arrive unchecked. Allowed answers 200 (302 for a successful POST); anything not
allowed answers 404, the same as a child that does not exist, and writes nothing; a signed-out
visitor is sent to sign in.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import url_for
from sqlalchemy import func, select
from sqlalchemy import update as sa_update

from rounds import tracker
from rounds.extensions import db
from rounds.models import (
    AccessGrant,
    AccessRequest,
    AuditEvent,
    FamilyEvent,
    Invitation,
    Patient,
    Question,
    RoundsAnswer,
    RoundsChange,
    RoundsPlace,
    RoundsSession,
    Unit,
    Update,
    UpdateRetraction,
    UpdateTranslation,
    User,
    UserSession,
)
from rounds.models.types import utcnow
from tests.support.client import session_csrf, sign_in
from tests.support.factories import Factory

SIGNED_IN = (
    "clinician",
    "nurse",
    "interpreter",
    "admin",
    "clinician_b",
    "parent_a1",
    "parent_a2",
    "stranger",
)
ROLES = ("anonymous", *SIGNED_IN)

# Targets: unit A's child (child_a1), unit B's child (child_b1), a child that does not exist.
# For admitting and the rounds queue, the target is the unit itself (unit_a, unit_b, none).
A, B, MISSING = "A", "B", "missing"
MISSING_ID = 999999
CHILDREN = (A, B, MISSING)

# PRODUCT.md, "Who may do what". Staff act only in their own units (clinician, nurse and
# interpreter in unit A, clinician_b in unit B; admin in none); a family member only for a
# child they hold an active grant for (parent_a1: child_a1; parent_a2 and stranger: not a1/b1).
HOME_UNIT = {"clinician": A, "nurse": A, "interpreter": A, "clinician_b": B}
CENSUS = frozenset(HOME_UNIT)  # see the unit census; read a child's page (staff side)
WRITERS = frozenset({"clinician", "nurse", "clinician_b"})  # post/correct/retract, admit, access
STAFF_READ = {role: {HOME_UNIT[role]} for role in CENSUS}
STAFF_WRITE = {role: {HOME_UNIT[role]} for role in WRITERS}
READ_UPDATES = {**STAFF_READ, "parent_a1": {A}}  # "read a child's updates": staff + granted
GUARDIAN_OF = {"parent_a1": {A}}  # parent_a1 is child_a1's parent (the factory's grants)
EVERYONE = frozenset(SIGNED_IN)
FAMILY = frozenset({"parent_a1", "parent_a2", "stranger"})
TRANSLATORS = frozenset({"interpreter"})  # the world's interpreter translates into any language
TRANSLATE = {"interpreter": {A}}
ADMIN = frozenset({"admin"})
# "Say I'll be there", "ask a question for rounds; withdraw one's own": a family member with
# an active grant, while the child is in the unit (staff rights do not count).
TAKING_PART = {"parent_a1": {A}}


@dataclass
class Expect:
    """Who gets through one route, and with what answer.

    ``allowed`` is None for a route open to everyone (signed in or not), a set of roles, or
    role -> the targets that role may act on. ``audited``: an allowed read writes a view_ row.
    """

    allowed: frozenset | dict | None
    ok: int = 200
    targets: tuple = (None,)
    ok_for: dict = field(default_factory=dict)
    denied_for: dict = field(default_factory=dict)
    audited: bool = False
    writes: bool = True  # an allowed POST writes something (join.accept with nothing to join: no)
    signed_out: int = 302  # a signed-out visitor is sent to sign in (the JSON feed: 401)
    per_unit: bool = False  # the targets are units (A: unit_a); a read is audited with no child


EXPECTED: dict[tuple[str, str], Expect] = {
    ("auth.index", "GET"): Expect(None, ok=302),  # off to sign in, or to one's home
    ("auth.health", "GET"): Expect(None),
    ("auth.sign_in", "GET"): Expect(None),
    ("auth.sign_in", "POST"): Expect(None),  # a wrong password: the form again, for anyone
    ("auth.sign_out", "POST"): Expect(EVERYONE, ok=302),
    # Signing in again to save a form's kept text; without a kept form's address: to sign in.
    ("auth.sign_in_to_continue", "POST"): Expect(None, ok=302),
    ("staff.census", "GET"): Expect(CENSUS),
    ("staff.admit", "GET"): Expect(WRITERS),
    # Another unit (or none) is not among the form's choices: the form says so (400).
    ("staff.admit", "POST"): Expect(
        STAFF_WRITE, ok=302, targets=CHILDREN, denied_for=dict.fromkeys(WRITERS, 400)
    ),
    ("staff.patient", "GET"): Expect(STAFF_READ, targets=CHILDREN, audited=True),
    # A census row and a staff page's "anything new?" carry no update's words: not audited.
    ("staff.census_rows", "GET"): Expect(STAFF_READ, targets=CHILDREN),
    ("staff.patient_events", "GET"): Expect(STAFF_READ, targets=CHILDREN, signed_out=401),
    ("staff.post", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.correct", "GET"): Expect(STAFF_WRITE, targets=CHILDREN),
    ("staff.correct", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.retract", "GET"): Expect(STAFF_WRITE, targets=CHILDREN),
    ("staff.retract", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.discharge", "GET"): Expect(STAFF_WRITE, targets=CHILDREN),
    ("staff.discharge", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.access_panel", "GET"): Expect(STAFF_WRITE, targets=CHILDREN),
    ("staff.grant_access", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.revoke_access", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    # "Invite, grant, revoke family access": the invitation card is shown once (200).
    ("staff.invite", "POST"): Expect(STAFF_WRITE, ok=200, targets=CHILDREN),
    ("staff.cancel_invite", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    # Waiting grants, re-invitations, sign-out everywhere, safeguarding, guardians' requests:
    # "invite, grant, revoke family access" (clinician and nurse, own unit).
    ("staff.confirm_access", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.reinvite_access", "POST"): Expect(STAFF_WRITE, ok=200, targets=CHILDREN),
    ("staff.sign_out_family", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.restrict", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.lift_restriction_route", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    ("staff.decide_access_request", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    # "Add a translation of an update": interpreters, in their units; clinicians and nurses only
    # if bilingual (the world's have no languages: see test_translations_flow.py for those).
    ("staff.translations", "GET"): Expect(TRANSLATORS),
    ("staff.translate", "GET"): Expect(TRANSLATE, targets=CHILDREN, audited=True),
    ("staff.translate", "POST"): Expect(TRANSLATE, ok=302, targets=CHILDREN),
    # "See the rounds queue": clinicians, nurses and interpreters of the unit (the whole queue
    # names children: its reading is audited); "run the unit's rounds queue": clinicians and
    # nurses of the unit.
    ("staff.rounds_queue", "GET"): Expect(
        STAFF_READ, targets=CHILDREN, audited=True, per_unit=True
    ),
    ("staff.rounds_queue_part", "GET"): Expect(STAFF_READ, targets=CHILDREN, per_unit=True),
    ("staff.start_unit_rounds", "POST"): Expect(
        STAFF_WRITE, ok=302, targets=CHILDREN, per_unit=True
    ),
    ("staff.change_unit_rounds", "POST"): Expect(
        STAFF_WRITE, ok=302, targets=CHILDREN, per_unit=True
    ),
    # "Mark a question answered": clinicians and nurses of the child's unit.
    ("staff.answer_question", "POST"): Expect(STAFF_WRITE, ok=302, targets=CHILDREN),
    # A question in another language than the team's, rendered in the team's: as "add a
    # translation" (the world's interpreter translates every language; nobody else any).
    ("staff.question_rendering", "GET"): Expect(TRANSLATE, targets=CHILDREN, audited=True),
    ("staff.question_rendering", "POST"): Expect(TRANSLATE, ok=302, targets=CHILDREN),
    # Joining is for anyone holding an invitation: a made-up one is the same 404 for all.
    ("join.open_link", "GET"): Expect(None, ok=404),
    ("join.enter_code", "GET"): Expect(None),
    ("join.enter_code", "POST"): Expect(None, ok=400),  # a wrong code: the form again
    ("join.welcome", "GET"): Expect(None, ok=404),  # no invitation under way
    ("join.welcome", "POST"): Expect(None, ok=404),
    ("join.accept", "POST"): Expect(EVERYONE, ok=404, writes=False),
    # The list of one's own children; with exactly one, straight to that child.
    ("family.home", "GET"): Expect(EVERYONE, ok_for={"parent_a1": 302, "parent_a2": 302}),
    ("family.child", "GET"): Expect(READ_UPDATES, targets=CHILDREN, audited=True),
    ("family.events", "GET"): Expect(READ_UPDATES, targets=CHILDREN, audited=True, signed_out=401),
    # The family's part in rounds. One's own questions, as the page shows them: whoever reads
    # the child's updates (staff get an empty list: they see every question on their screens).
    ("family.rounds_answer", "POST"): Expect(TAKING_PART, ok=302, targets=CHILDREN),
    ("family.ask", "POST"): Expect(TAKING_PART, ok=302, targets=CHILDREN),
    ("family.withdraw", "POST"): Expect(TAKING_PART, ok=302, targets=CHILDREN),
    ("family.questions", "GET"): Expect(READ_UPDATES, targets=CHILDREN),
    # "Ask for access for another relative": a parent or guardian of that child, nobody else.
    ("family.relatives", "GET"): Expect(GUARDIAN_OF, targets=CHILDREN),
    ("family.relatives", "POST"): Expect(GUARDIAN_OF, ok=302, targets=CHILDREN),
    # The invitation a nurse approved, shown once to the guardian who asked.
    ("family.relative_invitation", "POST"): Expect(GUARDIAN_OF, ok=200, targets=CHILDREN),
    # Their own language: family members only (staff screens are English; staff: 404).
    ("family.settings", "GET"): Expect(FAMILY),
    ("family.settings", "POST"): Expect(FAMILY, ok=302),
    # The language of the pages before signing in: a cookie, for anyone.
    ("auth.choose_language", "GET"): Expect(None, ok=302),
    ("admin.audit_log", "GET"): Expect(ADMIN),
    # "Manage staff accounts and units": admins only, every screen and every button.
    ("admin.staff_list", "GET"): Expect(ADMIN),
    ("admin.add_staff", "GET"): Expect(ADMIN),
    ("admin.add_staff", "POST"): Expect(ADMIN, ok=302),
    ("admin.staff_account", "GET"): Expect(ADMIN),
    ("admin.staff_account", "POST"): Expect(ADMIN, ok=302),
    ("admin.disable_staff", "POST"): Expect(ADMIN, ok=302),
    ("admin.enable_staff", "POST"): Expect(ADMIN, ok=302),
    ("admin.units", "GET"): Expect(ADMIN),
    ("admin.units", "POST"): Expect(ADMIN, ok=302),
    ("admin.unit", "GET"): Expect(ADMIN),
    ("admin.unit", "POST"): Expect(ADMIN, ok=302),
}
POST_ROUTES = sorted(key for key in EXPECTED if key[1] == "POST")


# --- what each request sends -------------------------------------------------------------
# GETs look at the world's own rows; POSTs act on fresh rows made for each request, so an
# allowed write never changes what the next role is checked against.


def child_id(w, target):
    return {A: w.child_a1, B: w.child_b1, MISSING: MISSING_ID}[target]


def real_child(w, target):
    """Where fresh rows for ``target`` go (child_a1 when the asked-for child is missing)."""
    return w.child_b1 if target == B else w.child_a1


def real_unit(w, target):
    return w.unit_b if target == B else w.unit_a


def nothing(ctx, role, target):
    return {}, {}


def choose_spanish(ctx, role, target):
    return {}, {"language": "es"}


def a_language(ctx, role, target):
    return {"code": "es", "next": "/signin"}, {}


def the_child(ctx, role, target):
    return {"patient_id": child_id(ctx.world, target)}, {}


def census_row_of_the_child(ctx, role, target):
    return {"children": str(child_id(ctx.world, target))}, {}


def the_feed(ctx, role, target):
    return {"patient_id": child_id(ctx.world, target), "after": 0}, {}


def the_update(ctx, role, target):
    w = ctx.world
    update = w.update_b1 if target == B else w.update_a1
    return {"patient_id": child_id(w, target), "update_id": update}, {}


def a_fresh_update(ctx, target):
    w = ctx.world
    author = w.clinician_b if target == B else w.clinician
    update = ctx.make.post(author, real_child(w, target), "To be corrected or retracted.")
    return {"patient_id": child_id(w, target), "update_id": update}


def post_update(ctx, role, target):
    return the_child(ctx, role, target)[0], {"status": "serious", "summary": f"By {role}."}


def correct_update(ctx, role, target):
    data = {"status": "improving", "summary": "Corrected text.", "reason": "Clearer words"}
    return a_fresh_update(ctx, target), data


def retract_update(ctx, role, target):
    return a_fresh_update(ctx, target), {"reason": "Posted to the wrong child"}


def translate_fresh_update(ctx, role, target):
    """A fresh update of the target child (a made-up id for a missing one), into Spanish."""
    update = a_fresh_update(ctx, target)["update_id"] if target != MISSING else MISSING_ID
    return {"update_id": update, "lang": "es"}, {"summary": "Una noche tranquila."}


def admit_child(ctx, role, target):
    unit = {A: ctx.world.unit_a, B: ctx.world.unit_b, MISSING: MISSING_ID}[target]
    return {}, {"display_name": "Newly Admitted", "bed": "12", "unit_id": unit}


def discharge_fresh_child(ctx, role, target):
    fresh = ctx.make.patient(real_unit(ctx.world, target))
    return {"patient_id": fresh if target != MISSING else MISSING_ID}, {}


def grant_to_fresh_person(ctx, role, target):
    person = ctx.make.person()
    data = {"name": person.name, "email": person.email, "relationship": "Father"}
    return the_child(ctx, role, target)[0], {**data, "is_guardian": "y"}


def revoke_fresh_grant(ctx, role, target):
    grant = ctx.make.grant(ctx.make.person(), real_child(ctx.world, target))
    return {"patient_id": child_id(ctx.world, target), "grant_id": grant}, {}


def invite_someone(ctx, role, target):
    data = {"invitee_name": "Ana Example", "invitee_relationship": "Grandparent"}
    return the_child(ctx, role, target)[0], {**data, "invitee_language": "en"}


def cancel_fresh_invitation(ctx, role, target):
    invitation = ctx.make.invitation(real_child(ctx.world, target))
    return {"patient_id": child_id(ctx.world, target), "invitation_id": invitation}, {}


def pending_fresh_grant(ctx, role, target):
    grant = ctx.make.pending_grant(ctx.make.person(), real_child(ctx.world, target))
    return {"patient_id": child_id(ctx.world, target), "grant_id": grant}, {}


def restrict_child(ctx, role, target):
    return the_child(ctx, role, target)[0], {"note": "Court order: mother only."}


def lift_fresh_restriction(ctx, role, target):
    fresh = ctx.make.patient(real_unit(ctx.world, target))
    ctx.make.restrict(fresh)
    return {"patient_id": fresh if target != MISSING else MISSING_ID}, {}


def decide_fresh_request(ctx, role, target):
    asked = ctx.make.access_request(ctx.world.parent_a1, real_child(ctx.world, target))
    ids = {"patient_id": child_id(ctx.world, target), "request_id": asked}
    return {**ids, "decision": "approve"}, {}


def ask_for_relative(ctx, role, target):
    data = {"name": "Lucia Example", "relationship": "Grandparent", "language": "en"}
    return the_child(ctx, role, target)[0], data


def approved_request(ctx, role, target):
    asked = ctx.make.access_request(ctx.world.parent_a1, real_child(ctx.world, target), True)
    return {"patient_id": child_id(ctx.world, target), "request_id": asked}, {}


def a_staff_account(ctx, role, target):
    return {"user_id": ctx.world.nurse.id}, {}


def a_unit(ctx, role, target):
    return {"unit_id": ctx.world.unit_a}, {}


def add_staff_account(ctx, role, target):
    data = {"name": "Rosa Example", "email": f"rosa.{role}@example.org", "role": "nurse"}
    return {}, {**data, "units": ctx.world.unit_a, "password": "violet kettle harbour"}


def change_fresh_staff(ctx, role, target):
    nurse = ctx.make.person("nurse", (ctx.world.unit_a,))
    data = {"role": "clinician", "units": [ctx.world.unit_a, ctx.world.unit_b]}
    return {"user_id": nurse.id}, data


def fresh_staff_account(ctx, role, target):
    return {"user_id": ctx.make.person("nurse", (ctx.world.unit_a,)).id}, {}


def fresh_disabled_account(ctx, role, target):
    nurse = ctx.make.person("nurse", (ctx.world.unit_a,))
    ctx.make.disable(nurse)
    return {"user_id": nurse.id}, {}


def add_a_unit(ctx, role, target):
    return {}, {"name": f"Unit added by {role}", "phone": "+1 555 0100", "timezone": "UTC"}


def change_fresh_unit(ctx, role, target):
    data = {"name": f"Renamed by {role}", "phone": "+1 555 0101", "timezone": "Europe/Lisbon"}
    return {"unit_id": ctx.make.unit()}, data


def unit_id(w, target):
    return {A: w.unit_a, B: w.unit_b, MISSING: MISSING_ID}[target]


def runner_of(w, unit):
    """Someone who runs the unit's rounds."""
    return w.clinician_b if unit == w.unit_b else w.nurse


def running_version(ctx, unit) -> int | None:
    """The version of the unit's rounds under way, or None when they are not."""
    with ctx.app.app_context():
        session = tracker.open_session(unit)
        live = tracker.is_live(session, db.session.get(Unit, unit))
        return session.version if live else None


def rounds_not_under_way(ctx, unit) -> None:
    """End the unit's rounds if an earlier request started them."""
    if running_version(ctx, unit) is not None:
        ctx.make.change_rounds(runner_of(ctx.world, unit), unit, "end")


def the_rounds_queue(ctx, role, target):
    return {"unit_id": unit_id(ctx.world, target)}, {}


def start_rounds(ctx, role, target):
    rounds_not_under_way(ctx, real_unit(ctx.world, target))
    return the_rounds_queue(ctx, role, target)


def change_running_rounds(ctx, role, target):
    """A join link for the target unit's child, on the version the queue is at now (rounds
    started first if they are not under way)."""
    w, unit = ctx.world, real_unit(ctx.world, target)
    version = running_version(ctx, unit) or ctx.make.start_rounds(runner_of(w, unit), unit)
    values = {"unit_id": unit_id(w, target), "change": "join_link"}
    link = f"https://meet.example.org/rounds-{role}"
    return values, {"version": version, "patient": real_child(w, target), "link": link}


def a_fresh_question(ctx, target, asker=None, language="en") -> dict:
    """A new question about the target child (a made-up child id for a missing one), asked by
    ``asker`` or else by a relative granted for it just now (nobody reaches the open questions
    one person may have)."""
    child = real_child(ctx.world, target)
    if asker is None:
        asker = ctx.make.person()
        ctx.make.grant(asker, child)
    question = ctx.make.question(asker, child, language=language)
    return {"patient_id": child_id(ctx.world, target), "question_id": question}


def answer_fresh_question(ctx, role, target):
    return a_fresh_question(ctx, target), {"how": "bedside"}


def render_fresh_question(ctx, role, target):
    question = a_fresh_question(ctx, target, language="es")
    return question, {"rendering": "Can she eat today?"}


def answer_about_rounds(ctx, role, target):
    """Bedside, for the next rounds (ended if under way: once the team is with the child,
    an answer no longer changes)."""
    rounds_not_under_way(ctx, real_unit(ctx.world, target))
    return the_child(ctx, role, target)[0], {"choice": "bedside"}


def ask_a_question(ctx, role, target):
    return the_child(ctx, role, target)[0], {"text": f"Can she eat today? ({role})"}


def withdraw_fresh_question(ctx, role, target):
    """A new question of parent_a1's when they ask (only one's own is withdrawn; under a
    missing child's id too), else of another relative's."""
    asker = ctx.world.parent_a1 if role == "parent_a1" and target != B else None
    return a_fresh_question(ctx, target, asker), {}


def made_up_token(ctx, role, target):
    return {"token": "x" * 43}, {}  # the length of a real one


def wrong_code(ctx, role, target):
    return {}, {"code": "ABCD-2345"}


def new_account(ctx, role, target):
    return {}, {"name": "Ana Example", "email": f"ana.{role}@example.org", "consent": "y"}


def wrong_password(ctx, role, target):
    return {}, {"email": "nobody@example.org", "password": "not the password"}


REQUESTS = {
    ("auth.index", "GET"): nothing,
    ("auth.health", "GET"): nothing,
    ("auth.sign_in", "GET"): nothing,
    ("auth.sign_in", "POST"): wrong_password,
    ("auth.sign_out", "POST"): nothing,
    ("staff.census", "GET"): nothing,
    ("staff.admit", "GET"): nothing,
    ("staff.admit", "POST"): admit_child,
    ("staff.patient", "GET"): the_child,
    ("staff.census_rows", "GET"): census_row_of_the_child,
    ("staff.patient_events", "GET"): the_feed,
    ("staff.post", "POST"): post_update,
    ("staff.correct", "GET"): the_update,
    ("staff.correct", "POST"): correct_update,
    ("staff.retract", "GET"): the_update,
    ("staff.retract", "POST"): retract_update,
    ("staff.discharge", "GET"): the_child,
    ("staff.discharge", "POST"): discharge_fresh_child,
    ("staff.access_panel", "GET"): the_child,
    ("staff.grant_access", "POST"): grant_to_fresh_person,
    ("staff.revoke_access", "POST"): revoke_fresh_grant,
    ("staff.invite", "POST"): invite_someone,
    ("staff.cancel_invite", "POST"): cancel_fresh_invitation,
    ("staff.confirm_access", "POST"): pending_fresh_grant,
    ("staff.reinvite_access", "POST"): revoke_fresh_grant,
    ("staff.sign_out_family", "POST"): revoke_fresh_grant,
    ("staff.restrict", "POST"): restrict_child,
    ("staff.lift_restriction_route", "POST"): lift_fresh_restriction,
    ("staff.decide_access_request", "POST"): decide_fresh_request,
    ("staff.translations", "GET"): nothing,
    ("staff.translate", "GET"): translate_fresh_update,
    ("staff.translate", "POST"): translate_fresh_update,
    ("staff.rounds_queue", "GET"): the_rounds_queue,
    ("staff.rounds_queue_part", "GET"): the_rounds_queue,
    ("staff.start_unit_rounds", "POST"): start_rounds,
    ("staff.change_unit_rounds", "POST"): change_running_rounds,
    ("staff.answer_question", "POST"): answer_fresh_question,
    ("staff.question_rendering", "GET"): render_fresh_question,
    ("staff.question_rendering", "POST"): render_fresh_question,
    ("family.relatives", "GET"): the_child,
    ("family.relatives", "POST"): ask_for_relative,
    ("family.relative_invitation", "POST"): approved_request,
    ("family.settings", "GET"): nothing,
    ("family.settings", "POST"): choose_spanish,
    ("auth.choose_language", "GET"): a_language,
    ("auth.sign_in_to_continue", "POST"): nothing,
    ("join.open_link", "GET"): made_up_token,
    ("join.enter_code", "GET"): nothing,
    ("join.enter_code", "POST"): wrong_code,
    ("join.welcome", "GET"): nothing,
    ("join.welcome", "POST"): new_account,
    ("join.accept", "POST"): nothing,
    ("family.home", "GET"): nothing,
    ("family.child", "GET"): the_child,
    ("family.events", "GET"): the_feed,
    ("family.rounds_answer", "POST"): answer_about_rounds,
    ("family.ask", "POST"): ask_a_question,
    ("family.withdraw", "POST"): withdraw_fresh_question,
    ("family.questions", "GET"): the_child,
    ("admin.audit_log", "GET"): nothing,
    ("admin.staff_list", "GET"): nothing,
    ("admin.add_staff", "GET"): nothing,
    ("admin.add_staff", "POST"): add_staff_account,
    ("admin.staff_account", "GET"): a_staff_account,
    ("admin.staff_account", "POST"): change_fresh_staff,
    ("admin.disable_staff", "POST"): fresh_staff_account,
    ("admin.enable_staff", "POST"): fresh_disabled_account,
    ("admin.units", "GET"): nothing,
    ("admin.units", "POST"): add_a_unit,
    ("admin.unit", "GET"): a_unit,
    ("admin.unit", "POST"): change_fresh_unit,
}


# --- helpers -----------------------------------------------------------------------------


def written(app) -> dict:
    """Row counts of everything a request could write, in one query."""
    counted = {
        "updates": select(func.count()).select_from(Update),
        "retractions": select(func.count()).select_from(UpdateRetraction),
        "family events": select(func.count()).select_from(FamilyEvent),
        "grants": select(func.count()).select_from(AccessGrant),
        "revoked grants": select(func.count())
        .select_from(AccessGrant)
        .where(AccessGrant.revoked_at.is_not(None)),
        "patients": select(func.count()).select_from(Patient),
        "discharged": select(func.count())
        .select_from(Patient)
        .where(Patient.discharged_at.is_not(None)),
        "users": select(func.count()).select_from(User),
        "reading other than English": select(func.count())
        .select_from(User)
        .where(User.language != "en"),
        "invitations": select(func.count()).select_from(Invitation),
        "cancelled invitations": select(func.count())
        .select_from(Invitation)
        .where(Invitation.cancelled_at.is_not(None)),
        "confirmed grants": select(func.count())
        .select_from(AccessGrant)
        .where(AccessGrant.confirmed_at.is_not(None)),
        "restricted": select(func.count())
        .select_from(Patient)
        .where(Patient.restricted_at.is_not(None)),
        "requests": select(func.count()).select_from(AccessRequest),
        "translations": select(func.count()).select_from(UpdateTranslation),
        "decided requests": select(func.count())
        .select_from(AccessRequest)
        .where(AccessRequest.decided_at.is_not(None)),
        "open sessions": select(func.count())
        .select_from(UserSession)
        .where(UserSession.ended_at.is_(None)),
        "phone numbers": select(func.count()).select_from(User).where(User.phone != ""),
        "rounds": select(func.count()).select_from(RoundsSession),
        "ended rounds": select(func.count())
        .select_from(RoundsSession)
        .where(RoundsSession.ended_at.is_not(None)),
        **{
            f"rounds places {state}": select(func.count())
            .select_from(RoundsPlace)
            .where(RoundsPlace.state == state)
            for state in ("waiting", "current", "skipped", "done")
        },
        "join links": select(func.count())
        .select_from(RoundsPlace)
        .where(RoundsPlace.join_link != ""),
        "rounds changes": select(func.count()).select_from(RoundsChange),
        "rounds answers": select(func.count()).select_from(RoundsAnswer),
        "questions": select(func.count()).select_from(Question),
        "answered questions": select(func.count())
        .select_from(Question)
        .where(Question.answer.is_not(None)),
        "withdrawn questions": select(func.count())
        .select_from(Question)
        .where(Question.withdrawn_at.is_not(None)),
        "rendered questions": select(func.count())
        .select_from(Question)
        .where(Question.rendered_at.is_not(None)),
        "audit events": select(func.count()).select_from(AuditEvent),
    }
    with app.app_context():
        row = db.session.execute(
            select(*[query.scalar_subquery().label(name) for name, query in counted.items()])
        ).one()
        return dict(zip(counted, row, strict=True))


def audit_rows_after(app, last_id: int) -> list[tuple[str, int | None, int | None]]:
    """(action, patient_id, actor_id) of the audit rows written after ``last_id``."""
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.patient_id, AuditEvent.actor_id)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
        ).all()
        return [tuple(row) for row in rows]


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def signed_in_clients(app, world, roles=ROLES) -> dict:
    """One client per role, each signed in once, with its session's CSRF token."""
    clients = {}
    for role in roles:
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, getattr(world, role).email)
        client.csrf = session_csrf(client)
        clients[role] = client
    return clients


def allowed(expect: Expect, role: str, target) -> bool:
    if expect.allowed is None:
        return True
    if role == "anonymous":
        return False
    if isinstance(expect.allowed, dict):
        return target in expect.allowed.get(role, ())
    return role in expect.allowed


def expected_status(expect: Expect, role: str, target) -> int:
    if expect.allowed is None:
        return expect.ok
    if role == "anonymous":
        return expect.signed_out
    if allowed(expect, role, target):
        return expect.ok_for.get(role, expect.ok)
    return expect.denied_for.get(role, 404)


def allowed_role(expect: Expect) -> str:
    """A role that may use the route on child A: the clinician if they may, else the first."""
    if allowed(expect, "clinician", A):
        return "clinician"
    return next(role for role in SIGNED_IN if allowed(expect, role, A))


def url_of(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def send(client, method: str, url: str, data: dict, csrf: bool = True):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={**data, "csrf_token": client.csrf} if csrf else data)


def check(ctx, clients, endpoint: str, method: str, role: str, target) -> list[str]:
    """Make one request as ``role``; return what went wrong (empty when all is right)."""
    expect = EXPECTED[(endpoint, method)]
    values, data = REQUESTS[(endpoint, method)](ctx, role, target)
    url = url_of(ctx.app, endpoint, values)
    before, audit_mark = written(ctx.app), last_audit_id(ctx.app)
    response = send(clients[role], method, url, data)
    after = written(ctx.app)
    label = f"{role} {method} {url} (target {target})"
    want, got = expected_status(expect, role, target), response.status_code
    if got != want:
        return [f"{label}: expected {want}, got {got}"]
    problems = []
    may = allowed(expect, role, target)
    if expect.allowed is not None and role == "anonymous" and expect.signed_out == 302:
        location = response.headers.get("Location", "")
        if not location.startswith("/signin"):
            problems.append(f"{label}: sent to {location!r}, not to /signin")
    if not may and after != before:
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        problems.append(f"{label}: refused but wrote {changed}")
    should_write = expect.allowed is not None and method == "POST" and expect.writes
    if may and should_write and after == before:
        problems.append(f"{label}: answered {got} but wrote nothing")
    if may and expect.audited:
        person = getattr(ctx.world, role)
        about = None if expect.per_unit else child_id(ctx.world, target)
        views = [
            row
            for row in audit_rows_after(ctx.app, audit_mark)
            if row[0].startswith("view_") and row[1] == about and row[2] == person.id
        ]
        if len(views) != 1:
            problems.append(f"{label}: expected one view_ audit row, found {len(views)}")
    return problems


@pytest.fixture
def ctx(app, world, make):
    Factory(app).in_the_morning(world.unit_a, world.unit_b)
    return SimpleNamespace(app=app, world=world, make=make)


# --- the tests ---------------------------------------------------------------------------


def test_every_route_has_a_row_in_the_table(app):
    """A route missing from EXPECTED fails here: no route arrives unchecked."""
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(routes - set(EXPECTED)) == [], "routes with no expectations in EXPECTED"
    assert sorted(set(EXPECTED) - routes) == [], "EXPECTED names routes the app no longer has"
    assert set(REQUESTS) == set(EXPECTED)


@pytest.mark.parametrize(
    ("endpoint", "method"), sorted(EXPECTED), ids=[f"{m} {e}" for e, m in sorted(EXPECTED)]
)
def test_who_may_use_each_route(ctx, endpoint, method):
    """Every role against every target: the answer PRODUCT.md gives, and no stray writes."""
    clients = signed_in_clients(ctx.app, ctx.world)
    expect = EXPECTED[(endpoint, method)]
    problems = [
        problem
        for role in ROLES
        for target in expect.targets
        for problem in check(ctx, clients, endpoint, method, role, target)
    ]
    assert problems == [], "\n" + "\n".join(problems)


def test_missing_child_is_not_found_for_everyone_signed_in(ctx):
    """999999 answers 404 on every child route, for every role: missing looks like forbidden."""
    clients = signed_in_clients(ctx.app, ctx.world, SIGNED_IN)
    child_routes = [key for key, expect in EXPECTED.items() if MISSING in expect.targets]
    problems = []
    for endpoint, method in child_routes:
        for role in SIGNED_IN:
            values, data = REQUESTS[(endpoint, method)](ctx, role, MISSING)
            if "patient_id" not in values:
                continue  # admitting: the "missing" target is a unit (checked in the matrix)
            url = url_of(ctx.app, endpoint, values)
            got = send(clients[role], method, url, data).status_code
            if got != 404:
                problems.append(f"{role} {method} {url}: expected 404, got {got}")
    assert problems == [], "\n" + "\n".join(problems)


@pytest.mark.parametrize(("endpoint", "method"), POST_ROUTES, ids=[e for e, _ in POST_ROUTES])
def test_post_without_a_good_csrf_token_writes_nothing(ctx, endpoint, method):
    """The role that may do it, with good data but a CSRF token that is missing, made up, or
    another session's (a page on another site cannot read ours): nothing is written."""
    role = "anonymous" if endpoint == "auth.sign_in" else allowed_role(EXPECTED[(endpoint, method)])
    client = signed_in_clients(ctx.app, ctx.world, (role,))[role]
    someone_else = session_csrf(ctx.app.test_client())
    for token in (None, "made-up-token", someone_else):
        values, data = REQUESTS[(endpoint, method)](ctx, role, A)
        if endpoint == "auth.sign_in":  # right credentials: only the token stops it
            data = {"email": ctx.world.clinician.email, "password": ctx.make.PASSWORD}
        if token is not None:
            data = {**data, "csrf_token": token}
        before = written(ctx.app)
        response = send(client, method, url_of(ctx.app, endpoint, values), data, csrf=False)
        assert response.status_code != 500, token
        assert written(ctx.app) == before, token
    if role != "anonymous":  # and the session is untouched (not signed out)
        assert client.get("/").status_code == 302
        assert "/signin" not in client.get("/").headers["Location"]
    else:
        assert client.get("/staff/").status_code == 302


def test_the_same_post_with_the_token_does_write(ctx):
    """Control for the CSRF test above: its data is good enough to be written."""
    clients = signed_in_clients(ctx.app, ctx.world, SIGNED_IN)
    for endpoint, method in POST_ROUTES:
        expect = EXPECTED[(endpoint, method)]
        if endpoint == "auth.sign_out" or expect.allowed is None or not expect.writes:
            continue  # signing out ends the test's session; the others write nothing anyway
        role = allowed_role(expect)
        client = clients[role]
        values, data = REQUESTS[(endpoint, method)](ctx, role, A)
        before = written(ctx.app)
        response = send(client, method, url_of(ctx.app, endpoint, values), data)
        assert response.status_code == expect.ok, endpoint
        assert written(ctx.app) != before, endpoint


def test_revoked_grant_closes_the_child_page_and_the_feed(ctx):
    """Revoking takes effect on the next request of a parent who is already signed in."""
    parent = signed_in_clients(ctx.app, ctx.world, ("parent_a1",))["parent_a1"]
    page = f"/family/children/{ctx.world.child_a1}"
    assert parent.get(page).status_code == 200
    assert parent.get(f"{page}/events.json?after=0").status_code == 200
    ctx.make.revoke(ctx.world.grant_a1)
    before = written(ctx.app)
    assert parent.get(page).status_code == 404
    assert parent.get(f"{page}/events.json?after=0").status_code == 404
    assert parent.get("/family/").status_code == 200  # no children listed, no redirect
    assert written(ctx.app) == before  # no view was audited: nothing was shown


def test_update_or_grant_of_another_child_is_not_found(ctx):
    """A child the nurse may act on, with an update or grant id of another child: 404."""
    w = ctx.world
    nurse = signed_in_clients(ctx.app, w, ("nurse",))["nurse"]
    before = written(ctx.app)
    for update in (w.update_a2, w.update_b1):  # same unit, and another unit
        for action in ("correct", "retract"):
            url = f"/staff/patients/{w.child_a1}/updates/{update}/{action}"
            assert nurse.get(url).status_code == 404, url
            data = {"status": "serious", "summary": "x", "reason": "x"}
            assert send(nurse, "POST", url, data).status_code == 404, url
    for grant in (w.grant_a2, w.grant_b1):
        url = f"/staff/patients/{w.child_a1}/family/{grant}/revoke"
        assert send(nurse, "POST", url, {}).status_code == 404, url
    assert written(ctx.app) == before


def test_staff_member_who_is_also_a_parent_reads_that_child_only_as_family(ctx):
    """A unit A nurse granted child_b1 as a parent: the family page, never unit B's staff pages.

    The staff page shows what families must not see (retracted updates and their reasons,
    the composer); staff act only on children in their own units.
    """
    w = ctx.world
    ctx.make.grant(w.nurse, w.child_b1)
    nurse = signed_in_clients(ctx.app, w, ("nurse",))["nurse"]
    assert nurse.get(f"/family/children/{w.child_b1}").status_code == 200
    for url in (
        f"/staff/patients/{w.child_b1}",
        f"/staff/patients/{w.child_b1}/family",
        f"/staff/patients/{w.child_b1}/updates/{w.update_b1}/correct",
    ):
        assert nurse.get(url).status_code == 404, url


def test_a_relative_neither_sees_nor_withdraws_another_relatives_question(ctx):
    """Two relatives of one child: each sees and withdraws only their own questions (in a
    custody dispute that matters); another's is 404, the same as one that does not exist."""
    w = ctx.world
    asked = ctx.make.question(w.parent_a1, w.child_a1, "Is the fever gone?")
    clients = signed_in_clients(ctx.app, w, ("parent_a1", "parent_both"))
    questions = f"/family/children/{w.child_a1}/questions"
    before = written(ctx.app)
    withdraw = send(clients["parent_both"], "POST", f"{questions}/{asked}/withdraw", {})
    assert withdraw.status_code == 404
    assert written(ctx.app) == before
    assert "Is the fever gone?" not in clients["parent_both"].get(questions).get_data(True)
    assert "Is the fever gone?" in clients["parent_a1"].get(questions).get_data(True)


def test_a_queue_change_the_queue_refuses_writes_nothing(ctx):
    """Rounds not under way, or a screen behind the queue: whoever runs rounds is sent back
    to the queue (with a flash saying why), and nothing is written."""
    w = ctx.world
    nurse = signed_in_clients(ctx.app, w, ("nurse",))["nurse"]
    url = f"/staff/units/{w.unit_a}/rounds/skip"
    seen_first = {"version": 1, "patient": w.child_a1}
    before = written(ctx.app)
    assert send(nurse, "POST", url, seen_first).status_code == 302  # not under way
    assert written(ctx.app) == before
    ctx.make.start_rounds(w.clinician, w.unit_a)
    ctx.make.change_rounds(w.clinician, w.unit_a, "join_link", w.child_a1, link="https://x.org/a")
    before = written(ctx.app)
    assert send(nurse, "POST", url, seen_first).status_code == 302  # at version 2 now
    assert written(ctx.app) == before


@pytest.mark.parametrize("action", ["correct", "retract"])
def test_pages_showing_an_update_audit_the_read(ctx, action):
    """The correct and retract pages show the update's full text: that read is audited too."""
    w = ctx.world
    nurse = signed_in_clients(ctx.app, w, ("nurse",))["nurse"]
    mark = last_audit_id(ctx.app)
    page = nurse.get(f"/staff/patients/{w.child_a1}/updates/{w.update_a1}/{action}")
    assert "Child A1 slept well." in page.get_data(as_text=True)
    views = [
        row
        for row in audit_rows_after(ctx.app, mark)
        if row[0].startswith("view_") and row[1:] == (w.child_a1, w.nurse.id)
    ]
    assert len(views) == 1, "reading the update on this page left no audit row"


# --- the family's side in every state of their grant ------------------------------------------
# PRODUCT.md: a family member acts only on a child they hold an active grant for. Written by
# hand: a grant waiting for a nurse is not active yet; a revoked one is over; after discharge
# the family reads (only) for DISCHARGE_ACCESS_DAYS, then it is over ("expired"); restricting
# a child changes who may be added, not who already follows. Asking for a relative is for a
# guardian of a child still in the unit.
#        state: (child page, events feed, ask for a relative, socket hears the child)
FAMILY_BY_STATE = {
    "granted": (200, 200, 200, True),
    "pending": (404, 404, 404, False),
    "revoked": (404, 404, 404, False),
    "discharged": (200, 200, 404, True),
    "expired": (404, 404, 404, False),
    "restricted": (200, 200, 200, True),
}


def subject_in_state(ctx, state):
    """A guardian who follows child_a2 (the control) and holds child_a1 in ``state``."""
    w, make = ctx.world, ctx.make
    person = make.person()
    make.grant(person, w.child_a2)
    if state == "pending":
        make.pending_grant(person, w.child_a1)
        return person
    grant = make.grant(person, w.child_a1)
    if state == "revoked":
        make.revoke(grant)
    elif state in ("discharged", "expired"):
        with ctx.app.app_context():
            days = 1 if state == "discharged" else ctx.app.config["DISCHARGE_ACCESS_DAYS"] + 1
            db.session.execute(
                sa_update(Patient)
                .where(Patient.id == w.child_a1)
                .values(discharged_at=utcnow() - timedelta(days=days))
            )
            db.session.commit()
    elif state == "restricted":
        make.restrict(w.child_a1)
    return person


@pytest.mark.parametrize("state", sorted(FAMILY_BY_STATE))
def test_what_a_family_member_may_do_in_each_state_of_their_grant(ctx, state):
    from rounds import realtime
    from rounds.extensions import socketio

    w = ctx.world
    person = subject_in_state(ctx, state)
    client = ctx.app.test_client()
    sign_in(client, person.email)
    page, feed, relatives, hears = FAMILY_BY_STATE[state]
    child = f"/family/children/{w.child_a1}"
    got = (
        client.get(child).status_code,
        client.get(f"{child}/events.json?after=0").status_code,
        client.get(f"{child}/relatives").status_code,
    )
    assert got == (page, feed, relatives), state
    assert client.get(f"/family/children/{w.child_a2}").status_code == 200  # the control

    sock = socketio.test_client(ctx.app, flask_test_client=client)
    assert sock.is_connected()
    with ctx.app.app_context():
        realtime.publish_family_event(w.child_a1, 41)  # whoever is in child_a1's room hears
        realtime.publish_family_event(w.child_a2, 42)  # the marker: child_a2 is followed
    heard = [m["args"][0]["patient"] for m in sock.get_received() if m["name"] == "family_event"]
    assert w.child_a2 in heard
    assert (w.child_a1 in heard) is hears, state
    sock.disconnect()


# Staff on a discharged child: nothing new starts (no invitation, no confirming a waiting grant,
# no re-invitation, no approving a request); access can still be taken away, restricted, and
# a family member signed out.
STAFF_ON_DISCHARGED = {
    ("staff.invite", "POST"): 404,
    ("staff.grant_access", "POST"): 404,
    ("staff.confirm_access", "POST"): 404,
    ("staff.reinvite_access", "POST"): 404,
    ("staff.decide_access_request", "POST"): 404,
    ("staff.revoke_access", "POST"): 302,
    ("staff.sign_out_family", "POST"): 302,
    ("staff.restrict", "POST"): 302,
    ("staff.cancel_invite", "POST"): 302,
}


def test_what_staff_may_do_for_a_discharged_child(ctx):
    nurse = signed_in_clients(ctx.app, ctx.world, ("nurse",))["nurse"]
    problems = []
    for (endpoint, method), want in STAFF_ON_DISCHARGED.items():
        values, data = REQUESTS[(endpoint, method)](ctx, "nurse", A)  # rows made while admitted
        with ctx.app.app_context():
            db.session.execute(
                sa_update(Patient)
                .where(Patient.id == ctx.world.child_a1)
                .values(discharged_at=utcnow())
            )
            db.session.commit()
        got = send(nurse, method, url_of(ctx.app, endpoint, values), data).status_code
        if got != want:
            problems.append(f"{endpoint}: expected {want}, got {got}")
        with ctx.app.app_context():  # admitted again for the next row's set-up
            db.session.execute(
                sa_update(Patient)
                .where(Patient.id == ctx.world.child_a1)
                .values(discharged_at=None)
            )
            db.session.commit()
    assert problems == [], "\n" + "\n".join(problems)
