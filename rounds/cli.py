"""Command-line tasks: ``flask --app app seed-demo`` loads fictional demo data."""

from datetime import UTC, datetime, time, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from rounds.demo_data import (
    CHILDREN,
    DEMO_PASSWORD,
    FAMILY,
    QUESTIONS,
    ROUNDS_ANSWERS,
    STAFF,
    UNITS,
)
from rounds.extensions import db
from rounds.models import Patient, Unit, Update
from rounds.models.types import utcnow
from rounds.services.access import grant_family_access
from rounds.services.accounts import (
    RoundsSettings,
    create_unit,
    create_user,
    find_user_by_email,
)
from rounds.services.family_rounds import answer_rounds, ask_question, render_question
from rounds.services.invitations import request_access
from rounds.services.patients import admit_patient
from rounds.services.translations import TranslationFields, add_translation
from rounds.services.updates import UpdateFields, correct_update, post_update, retract_update
from rounds.timefmt import zone


def register_cli(app: Flask) -> None:
    """Add the project's commands to ``flask``."""
    app.cli.add_command(seed_demo)


def print_sign_ins() -> None:
    """The demo accounts, for the person trying Rounds."""
    click.echo("\nRounds demo sign-ins (fictional people; password for all: " + DEMO_PASSWORD + ")")
    for person in STAFF:
        click.echo(f"  {person['role']:<12} {person['email']}")
    for person in FAMILY:
        click.echo(f"  {'family':<12} {person['email']}  ({person['note']})")
    click.echo("")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the fictional demo unit, staff, families and a week of updates (safe to rerun)."""
    if db.session.scalar(select(Unit).where(Unit.name == UNITS[0]["name"])) is not None:
        click.echo("Demo data is already loaded.")
        print_sign_ins()
        return
    units = {
        u["key"]: create_unit(
            u["name"], u["phone"], u["timezone"], u.get("city", ""), RoundsSettings(**u["rounds"])
        )
        for u in UNITS
    }
    for person in STAFF:
        create_user(
            person["email"],
            person["name"],
            DEMO_PASSWORD,
            staff_role=person["role"],
            units=[units[key] for key in person["units"]],
            translates=person.get("translates", ()),
        )
    for person in FAMILY:
        create_user(person["email"], person["name"], DEMO_PASSWORD, language=person["language"])
    clinicians, interpreters = {}, {}
    for person in STAFF:
        chosen = {"clinician": clinicians, "interpreter": interpreters}.get(person["role"])
        for key in person["units"] if chosen is not None else ():
            chosen.setdefault(key, find_user_by_email(person["email"]))
    now = utcnow()
    patients = {}
    for spec in CHILDREN:
        unit = units[spec["unit"]]
        clinician = clinicians[spec["unit"]]
        admitted = now - timedelta(days=len(spec["days"]) + 1)
        patient = admit_patient(clinician, unit, spec["name"], spec["bed"], at=admitted)
        patients[spec["name"]] = patient
        for email, relationship, guardian in spec["family"]:
            family_user = find_user_by_email(email)
            grant_family_access(clinician, patient, family_user, relationship, guardian)
        _post_history(clinician, interpreters.get(spec["unit"]), patient, unit, spec, now)
        for name, relationship, language, reason in spec.get("asked_for", []):
            guardian = find_user_by_email(spec["family"][0][0])
            request_access(guardian, patient, name, relationship, language, reason)
    by_unit = {units[key].id: person for key, person in interpreters.items()}
    _prepare_rounds(patients, by_unit, now)
    click.echo("Demo data loaded.")
    print_sign_ins()


def _post_history(
    clinician, interpreter, patient: Patient, unit: Unit, spec: dict, now: datetime
) -> None:
    """One update a day at morning rounds, the newest today (or yesterday, if ``skip_today``),
    each translated by the unit's interpreter a little later where the day says so."""
    tz = zone(unit.timezone)
    today = now.astimezone(tz).date()
    days = spec["days"]
    last_offset = 1 if spec.get("skip_today") else 0
    for index, day in enumerate(days):
        offset = len(days) - 1 - index + last_offset
        posted = datetime.combine(today - timedelta(days=offset), time(9, 10), tzinfo=tz)
        posted = min(posted.astimezone(UTC), now - timedelta(minutes=5 + offset))
        next_at = datetime.combine(today - timedelta(days=offset - 1), time(9, 0), tzinfo=tz)
        fields = UpdateFields(
            status=day["status"],
            summary=day["summary"],
            body_notes=day.get("notes", {}),
            plan=day.get("plan", ""),
            watch_for=day.get("watch", []),
            milestones=day.get("milestones", ""),
            care_team=spec["care_team"],
            next_update_at=next_at.astimezone(UTC),
            language=day.get("language", "en"),
        )
        update = db.session.get(Update, post_update(clinician, patient, fields, at=posted))
        for language, words in day.get("translations", {}).items():
            translated = TranslationFields(
                summary=words["summary"],
                body_notes=words.get("notes", {}),
                plan=words.get("plan", ""),
                watch_for=words.get("watch", []),
                milestones=words.get("milestones", ""),
            )
            # Soon after rounds, and never in the future (today's post may be minutes old).
            at = min(posted + timedelta(minutes=45), now - timedelta(minutes=2))
            add_translation(interpreter, update, language, translated, at=at)
        if day.get("correct"):
            corrected = UpdateFields(**{**fields.__dict__, **day["correct"]["fields"]})
            correct_update(
                clinician,
                update,
                corrected,
                day["correct"]["reason"],
                at=posted + timedelta(minutes=25),
            )
        if day.get("retract_wrong_child"):
            wrong_id = post_update(
                clinician,
                patient,
                UpdateFields(status="serious", summary=day["retract_wrong_child"]),
                at=posted + timedelta(minutes=40),
            )
            wrong = db.session.get(Update, wrong_id)
            retract_update(clinician, wrong, "Posted to the wrong child")


def _prepare_rounds(patients: dict[str, Patient], interpreters: dict, now: datetime) -> None:
    """Families' answers for the next rounds, and their questions for the team: one in
    Spanish rendered by the unit's interpreter, another still waiting for them. Rounds are
    not started (staff trying the demo start them)."""
    for email, child, choice, phone in ROUNDS_ANSWERS:
        answer_rounds(find_user_by_email(email), patients[child], choice, phone, now=now)
    for number, spec in enumerate(QUESTIONS):
        patient = patients[spec["child"]]
        asked = now - timedelta(minutes=50 - 10 * number)
        asker = find_user_by_email(spec["email"])
        question = ask_question(asker, patient, spec["text"], spec["language"], now=asked)
        if spec.get("rendering"):
            interpreter = interpreters[patient.unit_id]
            rendered = asked + timedelta(minutes=5)
            render_question(interpreter, question, spec["rendering"], now=rendered)
