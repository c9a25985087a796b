"""The data of bench/lighthouse.py: the fictional demo, with Noah Chen on a long stay.

The demo gives Noah a week of daily updates (8 versions). A long stay is the same child with
many more: posts copied forward from the demo's update of that day, as a clinician's composer
does, spread evenly over his stay (the demo's newest stays the newest, so the page's top is
the demo's), every tenth corrected, and two translated. All through the app's services, as
``flask seed-demo`` does; every word is invented.
"""

import logging
import sys
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from rounds import create_app  # noqa: E402
from rounds.demo_data import CHILDREN, STAFF  # noqa: E402
from rounds.extensions import db  # noqa: E402
from rounds.models import Patient, Update, UpdateTranslation  # noqa: E402
from rounds.services.accounts import find_user_by_email  # noqa: E402
from rounds.services.translations import TranslationFields, add_translation  # noqa: E402
from rounds.services.updates import UpdateFields, correct_update, post_update  # noqa: E402

CHILD = "Noah Chen"
CORRECT_EVERY = 10  # every tenth extra post gets one correction
TRANSLATIONS = 2  # the newest extra posts, into Spanish
SUMMARIES = [
    "Noah had a quiet few hours on ECMO. His blood tests look as we expected.",
    "Noah's nurse turned him gently to protect his skin. He stayed calm.",
    "We checked the ECMO tubes and the machine. Everything is working well.",
    "Noah's blood pressure is steady. He needed no extra medicine for it.",
    "Noah moved his hands a little when we spoke to him. He is comfortable.",
    "We took a chest X-ray. His lungs look about the same as this morning.",
    "Noah's kidneys made a little more urine in the last few hours.",
    "The team talked about Noah at the bedside. The plan stays the same for now.",
]
SPANISH = "Noah pasó unas horas tranquilas. Sus análisis de sangre salieron como esperábamos."


@dataclass(frozen=True)
class Stay:
    """Who to sign in as, which child, and what the child's history holds."""

    patient_id: int
    clinician_email: str
    parent_email: str
    posts: int
    versions: int
    translations: int


def correction_plan(extra_versions: int) -> list[bool]:
    """For each extra post, whether it is corrected: every tenth, until the versions add up."""
    plan: list[bool] = []
    while extra_versions > 0:
        corrected = len(plan) % CORRECT_EVERY == CORRECT_EVERY - 1 and extra_versions > 1
        plan.append(corrected)
        extra_versions -= 1 + corrected
    return plan


def make_database(url: str, versions: int) -> Stay:
    """Migrate ``url``, load the demo, and give Noah ``versions`` versions in all."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})  # cheap password hashing
    logging.disable(logging.INFO)  # alembic's line per migration
    with app.app_context():
        upgrade()
    logging.disable(logging.NOTSET)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    if result.exit_code != 0:
        raise RuntimeError(f"seed-demo failed: {result.output}{result.exception!r}")
    spec = next(child for child in CHILDREN if child["name"] == CHILD)
    unit = spec["unit"]
    clinician_email = next(
        p["email"] for p in STAFF if p["role"] == "clinician" and unit in p["units"]
    )
    interpreter_email = next(
        p["email"] for p in STAFF if p["role"] == "interpreter" and "es" in p["translates"]
    )
    with app.app_context():
        patient = db.session.scalar(select(Patient).where(Patient.display_name == CHILD))
        clinician = find_user_by_email(clinician_email)
        interpreter = find_user_by_email(interpreter_email)
        _lengthen_stay(patient, clinician, interpreter, versions)
        stay = Stay(
            patient_id=patient.id,
            clinician_email=clinician_email,
            parent_email=spec["family"][0][0],
            posts=_count(Update.id, Update.original_id.is_(None), patient),
            versions=_count(Update.id, None, patient),
            translations=db.session.scalar(
                select(func.count(UpdateTranslation.id))
                .join(Update, Update.id == UpdateTranslation.update_id)
                .where(Update.patient_id == patient.id)
            ),
        )
        db.session.remove()
        db.engine.dispose()
    return stay


def _count(column, where, patient: Patient) -> int:
    query = select(func.count(column)).where(Update.patient_id == patient.id)
    return db.session.scalar(query if where is None else query.where(where))


def _lengthen_stay(patient: Patient, clinician, interpreter, versions: int) -> None:
    """Extra posts between admission and the demo's newest post, oldest first."""
    demo = db.session.scalars(
        select(Update)
        .where(Update.patient_id == patient.id, Update.original_id.is_(None))
        .order_by(Update.created_at)
    ).all()
    plan = correction_plan(versions - _count(Update.id, None, patient))
    if not plan:
        return
    start = patient.admitted_at + timedelta(hours=1)
    step = (demo[-1].created_at - timedelta(hours=1) - start) / len(plan)
    for index, corrected in enumerate(plan):
        at = start + step * index
        # Copied forward from the demo's update of that day (the first, before it).
        base = next((u for u in reversed(demo) if u.created_at <= at), demo[0])
        fields = replace(
            UpdateFields.from_update(base),
            summary=SUMMARIES[index % len(SUMMARIES)],
            next_update_at=at + step,
        )
        update = db.session.get(Update, post_update(clinician, patient, fields, at=at))
        if corrected:
            update = correct_update(
                clinician,
                update,
                replace(fields, summary=fields.summary + " (This was at the evening check.)"),
                "Wrong time of day",
                at=at + step / 4,
            )
        if index >= len(plan) - TRANSLATIONS:
            # The summary only, as the demo's translations mostly are.
            add_translation(interpreter, update, "es", TranslationFields(SPANISH), at=at + step / 2)
