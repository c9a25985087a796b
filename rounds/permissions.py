"""THE place that decides who may see or do what for which child.

Staff act only on children in their units, and only as their role allows (PRODUCT.md, "Who
may do what"). Family members act only on children they hold a grant in force for (confirmed,
not revoked, the child in the unit or discharged only days ago). Anything not allowed looks
exactly like something that does not exist: 404.
"""

from datetime import datetime, timedelta
from enum import Enum
from functools import wraps

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import joinedload

from rounds.extensions import db
from rounds.forms import whole_number
from rounds.i18n import LANGUAGE_BY_CODE, LANGUAGES
from rounds.models import (
    AccessGrant,
    AccessRequest,
    Patient,
    Question,
    StaffMembership,
    Unit,
    Update,
    UpdateRetraction,
    User,
)
from rounds.models.types import utcnow


class Action(Enum):
    """What someone wants to do with a child."""

    READ = "read"
    POST = "post"  # post a new update
    AMEND = "amend"  # correct or retract an update (also after discharge: the record matters)
    ADMIT = "admit"  # admit, discharge
    MANAGE_ACCESS = "manage_access"  # see who has access, and take it away
    GRANT = "grant"  # give a family member access
    ANSWER = "answer"  # mark a family's question answered


WRITERS = frozenset(Action)
STAFF_ACTIONS: dict[str, frozenset[Action]] = {
    "clinician": WRITERS,
    "nurse": WRITERS,
    "interpreter": frozenset({Action.READ}),
    "admin": frozenset(),
}
CENSUS_ROLES = ("clinician", "nurse", "interpreter")
WRITER_ROLES = ("clinician", "nurse")
# Nothing new starts for a child who has left the unit; the record can still be amended and
# access still taken away.
NEEDS_ADMITTED = frozenset({Action.POST, Action.ADMIT, Action.GRANT})


def can_see_census(user: User) -> bool:
    """Clinicians, nurses and interpreters see their units' census."""
    return user.is_authenticated and user.staff_role in CENSUS_ROLES


def can_admit(user: User) -> bool:
    """Clinicians and nurses admit children to their units."""
    return user.is_authenticated and user.staff_role in WRITER_ROLES


def census_units(user: User) -> list[Unit]:
    """The units whose census ``user`` sees: their own, if their role sees a census."""
    return list(user.units) if can_see_census(user) else []


def can_administer(user: User) -> bool:
    """Admins manage staff accounts and units and read the audit log; nobody else does."""
    return user.is_authenticated and user.staff_role == "admin"


def has_family_settings(user: User) -> bool:
    """A family member chooses the language they read in; staff screens are English."""
    return user.is_authenticated and user.staff_role is None


def census_unit_ids(staff_role: str | None, unit_ids: set[int]) -> set[int]:
    """The units whose live rooms (census, staff pages) someone with ``staff_role`` in
    ``unit_ids`` follows: their units if they see the census, else none."""
    return set(unit_ids) if staff_role in CENSUS_ROLES else set()


def followed_unit_ids(user: User) -> set[int]:
    """``census_unit_ids`` of a person as they are now."""
    return census_unit_ids(user.staff_role, user.unit_ids) if user.is_authenticated else set()


def admitting_units(user: User) -> list[Unit]:
    """The units ``user`` may admit a child to: their own, if their role admits."""
    return list(user.units) if can_admit(user) else []


def get_admitting_unit(unit_id: int | None) -> Unit:
    """A unit the current user may admit a child to; else 404."""
    unit = next((u for u in admitting_units(current_user) if u.id == unit_id), None)
    if unit is None:
        abort(404)
    return unit


def staff_may(user: User, action: Action, patient: Patient, in_unit: bool | None = None) -> bool:
    """A staff member's role allows ``action``, the child is in one of their units, and
    (for anything new) the child is still admitted. ``in_unit``: whether the child is in one
    of their units, when it was read with the child (else their units are read)."""
    if user.staff_role is None:
        return False
    if action in NEEDS_ADMITTED and not patient.is_admitted:
        return False
    if action not in STAFF_ACTIONS[user.staff_role]:
        return False
    return in_unit if in_unit is not None else patient.unit_id in user.unit_ids


def read_cutoff() -> datetime:
    """A child discharged before this moment is closed to their family."""
    return utcnow() - timedelta(days=current_app.config["DISCHARGE_ACCESS_DAYS"])


def family_still_reads(cutoff=None):
    """The condition on a child whose family may still read: in the unit, or discharged less
    than DISCHARGE_ACCESS_DAYS ago (read-only, then closed). ``cutoff``: ``read_cutoff()``
    unless given (a bound parameter in a statement built once)."""
    if cutoff is None:
        cutoff = read_cutoff()
    return or_(Patient.discharged_at.is_(None), Patient.discharged_at > cutoff)


def grant_in_force(cutoff=None):
    """The conditions under which a grant lets a family member see its child (with the grant
    joined to its child): confirmed, not revoked, and the family may still read the child."""
    return (
        AccessGrant.revoked_at.is_(None),
        AccessGrant.confirmed_at.is_not(None),
        family_still_reads(cutoff),
    )


def family_may_still_read(patient: Patient) -> bool:
    """``family_still_reads`` for one child already loaded."""
    return patient.discharged_at is None or patient.discharged_at > read_cutoff()


# "Add a translation of an update": interpreters, and clinicians and nurses "if bilingual"
# (the languages an admin ticked for them). Interpreters with nothing ticked translate into
# every language; ticking languages narrows what they are asked for.
TRANSLATOR_ROLES = ("interpreter", *WRITER_ROLES)


def translatable_languages(user: User) -> list[str]:
    """The language codes ``user`` may translate updates into (in Rounds' order), in any of
    their units; empty for admins, family members and anyone signed out."""
    if not user.is_authenticated or user.staff_role not in TRANSLATOR_ROLES or not user.unit_ids:
        return []
    ticked = set(user.translation_languages)
    if user.staff_role == "interpreter" and not ticked:
        return [language.code for language in LANGUAGES]
    return [language.code for language in LANGUAGES if language.code in ticked]


def may_translate(user: User, language: str, patient: Patient | None = None) -> bool:
    """Whether ``user`` may add a translation into ``language`` (for ``patient``: a child of
    one of their units whose family still reads)."""
    if language not in translatable_languages(user):
        return False
    return patient is None or (patient.unit_id in user.unit_ids and family_may_still_read(patient))


def may_translate_update(user: User, update: Update, patient: Patient, language: str) -> bool:
    """Whether ``user`` may translate this update of ``patient`` into ``language``: a language
    Rounds speaks other than the update's own, and ``may_translate``."""
    return (
        language in LANGUAGE_BY_CODE
        and language != update.language
        and may_translate(user, language, patient)
    )


def get_translatable_update(update_id: int, language: str) -> tuple[Update, Patient]:
    """An update the current user may translate into ``language``, and its child; else 404,
    the same for an update that does not exist, one of a child outside the user's units, a
    language they do not translate or the update's own, and a retracted update."""
    update = db.session.get(Update, update_id)
    if update is None:
        abort(404)
    patient = get_staff_patient(update.patient_id, Action.READ)
    retracted = db.session.scalar(
        select(UpdateRetraction.id).where(UpdateRetraction.update_id == update.thread_id)
    )
    if retracted is not None or not may_translate_update(current_user, update, patient, language):
        abort(404)
    return update, patient


# A family member's own reads, run by every events fetch after a push and every socket
# connect, are built once, with the person, the child and the cutoff bound when run: building a
# select and working out its cache key cost the server more than the database's answer
# (bench/request_cost.py with py-spy; see rounds.auth.sessions._SIGNED_IN).
_IN_FORCE_FOR_USER = (
    AccessGrant.user_id == bindparam("user_id"),
    *grant_in_force(bindparam("cutoff")),
)
_FAMILY_CHILD = (
    select(Patient)
    .join(AccessGrant, AccessGrant.patient_id == Patient.id)
    .where(Patient.id == bindparam("patient_id"), *_IN_FORCE_FOR_USER)
    .limit(1)
)


def _followed(what):
    """A query for ``what`` of each child the bound ``user_id`` holds a grant in force for
    (grants joined to their children)."""
    return (
        select(what)
        .select_from(AccessGrant)
        .join(Patient, Patient.id == AccessGrant.patient_id)
        .where(*_IN_FORCE_FOR_USER)
    )


_FOLLOWED_IDS = _followed(AccessGrant.patient_id).distinct()
_FOLLOWED_CHILDREN = _followed(Patient)


def _family_reads(user: User, **more) -> dict:
    """The values bound into the statements above, for ``user`` now."""
    return {"user_id": user.id, "cutoff": read_cutoff(), **more}


def open_grant(user: User, patient_id: int) -> AccessGrant | None:
    """The family member's grant for this child that is not revoked (in force or waiting for
    confirmation): the database allows one."""
    return db.session.scalar(
        select(AccessGrant).where(
            AccessGrant.user_id == user.id,
            AccessGrant.patient_id == patient_id,
            AccessGrant.revoked_at.is_(None),
        )
    )


def family_may_read(user: User, patient_id: int) -> bool:
    """A family member reads a child only while they hold a grant in force."""
    granted = db.session.scalar(_FAMILY_CHILD, _family_reads(user, patient_id=patient_id))
    return granted is not None


def may(user: User, action: Action, patient: Patient) -> bool:
    """Whether ``user`` may do ``action`` for ``patient``."""
    if not user.is_authenticated:
        return False
    if staff_may(user, action, patient):
        return True
    return action is Action.READ and family_may_read(user, patient.id)


# With its unit: staff pages and checks nearly always need it (time zone, name). Built once,
# as the family's reads above: every post and staff page of a child runs it.
_CHILD_WITH_UNIT = (
    select(Patient).options(joinedload(Patient.unit)).where(Patient.id == bindparam("patient_id"))
)


def readable_child(
    user: User, patient_id: int, followed: dict[int, Patient] | None = None
) -> Patient | None:
    """The child, if ``user`` may read their updates: as family (a grant in force) or as staff
    of the child's unit; else None. ``followed``: the children this person's grants were just
    read to be (``family_patients``), which spares a family member the query.

    A family member, the most frequent reader by far (every push brings each of them here),
    gets the child and the grant in one query; staff go the long way, by role and unit.
    """
    if not user.is_authenticated:
        return None
    if followed is not None and patient_id in followed:
        return followed[patient_id]
    if user.staff_role is None:
        if followed is not None:
            return None
        return db.session.scalar(_FAMILY_CHILD, _family_reads(user, patient_id=patient_id))
    patient = db.session.scalar(_CHILD_WITH_UNIT, {"patient_id": patient_id})
    return patient if patient is not None and may(user, Action.READ, patient) else None


def get_patient(patient_id: int) -> Patient:
    """A child whose updates the current user may read; else 404, the same as a child that
    does not exist."""
    patient = readable_child(current_user, patient_id)
    if patient is None:
        abort(404)
    return patient


def _granted_patient_or_404(patient_id: int, *also) -> Patient:
    """The child, with the current family member's grant in force for it (and ``also``), in
    one query; else 404."""
    statement = _FAMILY_CHILD.where(*also) if also else _FAMILY_CHILD
    patient = db.session.scalar(statement, _family_reads(current_user, patient_id=patient_id))
    if patient is None:
        abort(404)
    return patient


def get_staff_patient(patient_id: int, action: Action = Action.READ) -> Patient:
    """A child for a staff screen: only staff rights count, never a family grant the same
    person may also hold (a nurse who is a parent sees their child as family, elsewhere).
    The child, its unit and whether it is one of theirs in one query: every post runs it."""
    if not current_user.is_authenticated or current_user.staff_role is None:
        abort(404)
    found = db.session.execute(
        _STAFF_CHILD, {"patient_id": patient_id, "user_id": current_user.id}
    ).first()
    if found is None or not staff_may(current_user, action, found[0], in_unit=found[1]):
        abort(404)
    return found[0]


_STAFF_CHILD = _CHILD_WITH_UNIT.add_columns(
    exists()
    .where(
        StaffMembership.user_id == bindparam("user_id"),
        StaffMembership.unit_id == Patient.unit_id,
    )
    .label("in_unit")
)


def get_child_row(model, row_id: int, patient: Patient):
    """A row (update, grant, invitation) of this already-checked child; 404 for one of
    another child, the same as one that does not exist."""
    row = db.session.get(model, row_id)
    if row is None or row.patient_id != patient.id:
        abort(404)
    return row


def get_update(patient: Patient, update_id: int) -> Update:
    """An update of this (already checked) child; 404 for one of another child."""
    return get_child_row(Update, update_id, patient)


def get_thread_cursor(patient: Patient, given: str | None) -> Update | None:
    """Where a page of a child's updates starts (``?before=``: the thread a shown page ended
    with): the first version of that thread, of this (already checked) child. Retracted or
    not, since only its place is used (the last card shown may be retracted meanwhile); a
    value that is no number is no cursor (the first page); another child's update is 404."""
    update_id = whole_number(given)
    if update_id is None:
        return None
    return db.session.get(Update, get_update(patient, update_id).thread_id)


def family_patient_ids(user: User) -> list[int]:
    """The children a family member holds grants in force for (the rooms they may join)."""
    return list(db.session.scalars(_FOLLOWED_IDS, _family_reads(user)))


def family_patients(user: User) -> dict[int, Patient]:
    """``family_patient_ids`` with the children themselves, by id."""
    children = db.session.scalars(_FOLLOWED_CHILDREN, _family_reads(user))
    return {patient.id: patient for patient in children}


def get_guardian_patient(patient_id: int) -> Patient:
    """A child the current family member is a parent or legal guardian of, still in the unit
    (a guardian asks for a relative's access); else 404."""
    if not current_user.is_authenticated:
        abort(404)
    return _granted_patient_or_404(
        patient_id, Patient.discharged_at.is_(None), AccessGrant.is_guardian.is_(True)
    )


def may_ask_for_relative(user: User, patient: Patient) -> bool:
    """A parent or legal guardian of a child still in the unit asks for another relative."""
    grant = open_grant(user, patient.id) if user.is_authenticated else None
    return grant is not None and grant.is_active and grant.is_guardian and patient.is_admitted


def get_approved_request(patient: Patient, request_id: int) -> AccessRequest:
    """A request the current guardian made for this (already checked) child and a nurse
    approved; 404 for anyone else's, one waiting or declined, or another child's."""
    asked = get_child_row(AccessRequest, request_id, patient)
    if asked.requested_by_id != current_user.id or not asked.approved:
        abort(404)
    return asked


def staff_required(*roles: str):
    """A view only for staff with one of ``roles``; anyone else gets 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.staff_role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# The rounds queue: clinicians and nurses of a unit run it; interpreters of the unit see it
# (to have one ready at the bedside). Families see only their own child's place, as a count
# (rounds.tracker), and take part through their grant.
ROUNDS_RUNNERS = WRITER_ROLES


def may_run_rounds(user: User, unit_id: int) -> bool:
    """A clinician or nurse of the unit starts, orders and ends its rounds."""
    return user.is_authenticated and user.staff_role in ROUNDS_RUNNERS and unit_id in user.unit_ids


def get_rounds_unit(unit_id: int, run: bool = False) -> Unit:
    """A unit whose rounds queue the current user sees (``run``: runs); else 404, the same as
    a unit that does not exist."""
    units = census_units(current_user) if current_user.is_authenticated else []
    unit = next((u for u in units if u.id == unit_id), None)
    if unit is None or (run and not may_run_rounds(current_user, unit.id)):
        abort(404)
    return unit


def may_take_part(user: User, patient: Patient) -> bool:
    """A family member with a grant in force answers about rounds and asks questions, while
    the child is in the unit (after discharge the page only reads)."""
    return user.is_authenticated and patient.is_admitted and family_may_read(user, patient.id)


def get_taking_part_child(patient_id: int) -> Patient:
    """A child still in the unit the current family member holds a grant in force for;
    else 404 (staff rights do not count: this is the family's part)."""
    if not current_user.is_authenticated:
        abort(404)
    return _granted_patient_or_404(patient_id, Patient.discharged_at.is_(None))


def get_own_question(patient: Patient, question_id: int) -> Question:
    """A question the current user asked about this (already checked) child; 404 for a
    relative's, another child's, or one that does not exist."""
    question = get_child_row(Question, question_id, patient)
    if question.asked_by_id != current_user.id:
        abort(404)
    return question


def may_render_question(user: User, question: Question, patient: Patient) -> bool:
    """An interpreter (or a bilingual clinician or nurse) who translates the question's
    language renders it into the team's."""
    return question.language != patient.unit.team_language and may_translate(
        user, question.language, patient
    )
