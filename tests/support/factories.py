"""Test data, written through the services so it is shaped exactly as the app shapes it."""

from dataclasses import dataclass
from itertools import count
from types import SimpleNamespace

from rounds import tracker
from rounds.extensions import db
from rounds.models import Patient, Question, Unit, Update, User
from rounds.services.access import grant_family_access, revoke_family_access
from rounds.services.accounts import create_unit, create_user
from rounds.services.family_rounds import answer_rounds, ask_question, render_question
from rounds.services.invitations import create_invitation
from rounds.services.patients import admit_patient
from rounds.services.rounds_queue import change_rounds, start_rounds
from rounds.services.sessions import set_account_active
from rounds.services.updates import UpdateFields, correct_update, post_update, retract_update

_serial = count(1)


@dataclass(frozen=True)
class Person:
    """Who a test signs in as."""

    id: int
    email: str
    name: str


class Factory:
    """Short calls that make units, people, children, grants and updates."""

    PASSWORD = "correct horse battery staple"  # noqa: S105 - fictional test password

    def __init__(self, app):
        self.app = app

    def unit(self, name: str | None = None, timezone: str = "America/New_York") -> int:
        """A unit; returns its id."""
        with self.app.app_context():
            return create_unit(name or f"Unit {next(_serial)}", "+1 555 0100", timezone).id

    def person(
        self, role: str | None = None, units: tuple[int, ...] = (), name: str = ""
    ) -> Person:
        """An account: staff with ``role`` in ``units``, or family when role is None."""
        n = next(_serial)
        name = name or f"{(role or 'family').title()} Person{n}"
        email = f"{role or 'family'}{n}@example.org"
        with self.app.app_context():
            unit_rows = [db.session.get(Unit, unit_id) for unit_id in units]
            user = create_user(email, name, self.PASSWORD, staff_role=role, units=unit_rows)
            return Person(user.id, email, name)

    def place(self, unit_id: int, city: str) -> None:
        """Say where a unit is (for "8:10 in Miami, 14:10 for you")."""
        with self.app.app_context():
            db.session.get(Unit, unit_id).city = city
            db.session.commit()

    def speaks(self, person: Person, code: str) -> None:
        """Set a family member's language."""
        with self.app.app_context():
            db.session.get(User, person.id).language = code
            db.session.commit()

    def patient(self, unit_id: int, name: str | None = None, bed: str | None = None) -> int:
        """A child admitted to a unit; returns their id."""
        n = next(_serial)
        with self.app.app_context():
            admitter = self._system_user(unit_id)
            unit = db.session.get(Unit, unit_id)
            return admit_patient(admitter, unit, name or f"Child Number{n}", bed or str(n)).id

    def grant(self, person: Person, patient_id: int, guardian: bool = True) -> int:
        """Give a family member access to a child; returns the grant id."""
        with self.app.app_context():
            patient = db.session.get(Patient, patient_id)
            by = self._system_user(patient.unit_id)
            user = db.session.get(User, person.id)
            return grant_family_access(by, patient, user, "Mother", guardian).id

    def invitation(self, patient_id: int, name: str = "Ana Example") -> int:
        """An open invitation to follow a child, made by a nurse of its unit; returns its id."""
        with self.app.app_context():
            patient = db.session.get(Patient, patient_id)
            nurse = self.person("nurse", (patient.unit_id,))
            made = create_invitation(
                db.session.get(User, nurse.id), patient, name, "Grandparent", False, "en"
            )
            return made.invitation.id

    def revoke(self, grant_id: int) -> None:
        """Take a grant away through the service."""
        from rounds.models import AccessGrant

        with self.app.app_context():
            grant = db.session.get(AccessGrant, grant_id)
            by = self._system_user(grant.patient.unit_id)
            revoke_family_access(by, grant)

    def disable(self, person: Person) -> None:
        """Disable an account through the service an admin's button calls."""
        with self.app.app_context():
            set_account_active(None, db.session.get(User, person.id), False)

    def pending_grant(self, person: Person, patient_id: int) -> int:
        """A grant waiting for a bedside check: invited with the check, then joined."""
        from rounds.services.invitations import accept_invitation

        with self.app.app_context():
            patient = db.session.get(Patient, patient_id)
            made = create_invitation(
                self._system_user(patient.unit_id),
                patient,
                person.name,
                "Father",
                True,
                "en",
                needs_bedside_check=True,
            )
            return accept_invitation(made.invitation.id, db.session.get(User, person.id)).id

    def restrict(self, patient_id: int, note: str = "Court order") -> None:
        """Mark a child restricted through the service."""
        from rounds.services.access import restrict_child

        with self.app.app_context():
            patient = db.session.get(Patient, patient_id)
            restrict_child(self._system_user(patient.unit_id), patient, note)

    def access_request(self, guardian: Person, patient_id: int, approved: bool | None = None):
        """A guardian's request for a relative (decided by a nurse if ``approved`` is given);
        returns its id. Made through the services, whoever the guardian is."""
        from rounds.services.invitations import decide_request, request_access

        with self.app.app_context():
            patient = db.session.get(Patient, patient_id)
            user = db.session.get(User, guardian.id)
            asked = request_access(user, patient, "Lucia Example", "Grandparent", "pt-BR", "")
            if approved is not None:
                decide_request(self._system_user(patient.unit_id), asked, approved)
            return asked.id

    def post(
        self, author: Person, patient_id: int, summary: str = "A calm night.", **fields
    ) -> int:
        """Post an update through the service; returns the update id."""
        with self.app.app_context():
            return post_update(
                db.session.get(User, author.id),
                db.session.get(Patient, patient_id),
                UpdateFields(status=fields.pop("status", "serious"), summary=summary, **fields),
            )

    def correct(self, author: Person, update_id: int, summary: str) -> int:
        """Correct an update's summary through the service; returns the new version's id."""
        with self.app.app_context():
            update = db.session.get(Update, update_id)
            fields = UpdateFields.from_update(update)
            fields.summary = summary
            return correct_update(db.session.get(User, author.id), update, fields, "Clearer").id

    def retract(self, author: Person, update_id: int) -> None:
        """Retract an update through the service."""
        with self.app.app_context():
            retract_update(
                db.session.get(User, author.id), db.session.get(Update, update_id), "Wrong child"
            )

    def in_the_morning(self, *unit_ids: int) -> None:
        """Put units where it is mid-morning now (``morning_zone``): rounds a test starts there
        never cross the unit's midnight, whenever the suite runs."""
        with self.app.app_context():
            for unit_id in unit_ids:
                db.session.get(Unit, unit_id).timezone = morning_zone()
            db.session.commit()

    def start_rounds(self, by: Person, unit_id: int) -> int:
        """Start a unit's rounds through the service; returns the queue's version (1)."""
        with self.app.app_context():
            start_rounds(db.session.get(User, by.id), db.session.get(Unit, unit_id))
            return 1

    def change_rounds(self, by: Person, unit_id: int, kind: str, patient_id=None, **more) -> int:
        """One change to a unit's running rounds, on the version it is at; the new version."""
        with self.app.app_context():
            unit = db.session.get(Unit, unit_id)
            version = tracker.open_session(unit_id).version
            return change_rounds(
                db.session.get(User, by.id), unit, version, kind, patient_id=patient_id, **more
            )

    def answer(self, person: Person, patient_id: int, choice: str, phone: str = "") -> None:
        """A family member's answer for a child's next rounds."""
        with self.app.app_context():
            answer_rounds(
                db.session.get(User, person.id), db.session.get(Patient, patient_id), choice, phone
            )

    def question(
        self,
        person: Person,
        patient_id: int,
        text: str = "Can she eat today?",
        language: str = "en",
        at=None,
    ) -> int:
        """A family member's question for rounds (asked ``at``, now by default); its id."""
        with self.app.app_context():
            user, patient = db.session.get(User, person.id), db.session.get(Patient, patient_id)
            return ask_question(user, patient, text, language, now=at).id

    def render(self, interpreter: Person, question_id: int, rendering: str) -> None:
        """An interpreter's rendering of a family's question."""
        with self.app.app_context():
            render_question(
                db.session.get(User, interpreter.id),
                db.session.get(Question, question_id),
                rendering,
            )

    def get_unit_of(self, patient_id: int) -> int:
        """The unit a child is in."""
        with self.app.app_context():
            return db.session.get(Patient, patient_id).unit_id

    def get(self, model, ident):
        """Read one row in a fresh context (detached, attributes loaded)."""
        with self.app.app_context():
            row = db.session.get(model, ident)
            db.session.expunge(row)
            return row

    def _system_user(self, unit_id: int) -> User:
        """A nurse of the unit to act as the granting/admitting staff member."""
        nurse = db.session.scalar(
            db.select(User)
            .where(User.staff_role == "nurse", User.email.like("factory-nurse-%"))
            .where(User.units.any(Unit.id == unit_id))
        )
        if nurse is None:
            unit = db.session.get(Unit, unit_id)
            nurse = create_user(
                f"factory-nurse-{unit_id}-{next(_serial)}@example.org",
                "Factory Nurse",
                self.PASSWORD,
                staff_role="nurse",
                units=[unit],
            )
        return nurse

    def world(self) -> SimpleNamespace:
        """Unit A and unit B, staff of every role, children, and families.

        - clinician, nurse, interpreter work in unit A; admin in none; clinician_b in unit B
        - child_a1, child_a2 in unit A; child_b1 in unit B
        - parent_a1 sees child_a1; parent_a2 sees child_a2; parent_both sees a1 and a2;
          parent_b1 sees child_b1; stranger (a family account) sees nobody
        """
        w = SimpleNamespace()
        w.unit_a, w.unit_b = self.unit(), self.unit()
        w.clinician = self.person("clinician", (w.unit_a,))
        w.nurse = self.person("nurse", (w.unit_a,))
        w.interpreter = self.person("interpreter", (w.unit_a,))
        w.admin = self.person("admin")
        w.clinician_b = self.person("clinician", (w.unit_b,))
        w.child_a1 = self.patient(w.unit_a)
        w.child_a2 = self.patient(w.unit_a)
        w.child_b1 = self.patient(w.unit_b)
        w.parent_a1, w.parent_a2 = self.person(), self.person()
        w.parent_both, w.parent_b1, w.stranger = self.person(), self.person(), self.person()
        w.grant_a1 = self.grant(w.parent_a1, w.child_a1)
        w.grant_a2 = self.grant(w.parent_a2, w.child_a2)
        w.grant_both_a1 = self.grant(w.parent_both, w.child_a1)
        w.grant_both_a2 = self.grant(w.parent_both, w.child_a2)
        w.grant_b1 = self.grant(w.parent_b1, w.child_b1)
        w.update_a1 = self.post(w.clinician, w.child_a1, "Child A1 slept well.")
        w.update_a2 = self.post(w.clinician, w.child_a2, "Child A2 is improving.")
        w.update_b1 = self.post(w.clinician_b, w.child_b1, "Child B1 is stable.")
        return w


__all__ = ["Factory", "Person", "Update"]


def morning_zone() -> str:
    """A time zone where it is now mid-morning (9 to 11): rounds tested there run inside the
    day's usual window and far from the unit's midnight, whenever the suite runs."""
    from datetime import UTC, datetime

    offset = ((10 - datetime.now(UTC).hour + 12) % 24) - 12  # hours east of UTC, -12..11
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


# All a family is told of the queue (rounds.tracker.family_state): its own child's place.
FAMILY_STATE_KEYS = frozenset(
    {
        "patient",
        "state",
        "away",
        "turn_started_at",
        "minutes_per_child",
        "usual_start",
        "ends_by",
        "session",
        "version",
    }
)
