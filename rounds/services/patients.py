"""Admit and discharge children."""

from datetime import datetime

from rounds.extensions import db
from rounds.models import Patient, Unit, User
from rounds.models.types import utcnow
from rounds.services.audit import audit
from rounds.services.rounds_queue import leave_rounds, publish


def admit_patient(
    by: User, unit: Unit, display_name: str, bed: str, at: datetime | None = None
) -> Patient:
    """Admit a child to a unit (``at`` backdates it, for demo history only)."""
    patient = Patient(
        unit_id=unit.id, display_name=display_name, bed=bed, admitted_at=at or utcnow()
    )
    db.session.add(patient)
    db.session.flush()
    audit("admit", by, patient.id, target=f"unit:{unit.id}")
    db.session.commit()
    return patient


def discharge_patient(by: User, patient: Patient) -> None:
    """Discharge a child: they leave the census (and today's rounds queue, if they are in
    it); the family keeps what was written."""
    now = utcnow()
    patient.discharged_at = now
    db.session.flush()
    queue_changed = leave_rounds(by, patient, now)
    audit("discharge", by, patient.id)
    db.session.commit()
    if queue_changed:
        publish(patient.unit)
