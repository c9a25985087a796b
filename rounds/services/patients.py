"""Admit and discharge children."""

from rounds.extensions import db
from rounds.models import Patient, Unit, User
from rounds.models.types import utcnow
from rounds.services.audit import audit


def admit_patient(by: User, unit: Unit, display_name: str, bed: str) -> Patient:
    """Admit a child to a unit."""
    patient = Patient(unit_id=unit.id, display_name=display_name, bed=bed, admitted_at=utcnow())
    db.session.add(patient)
    db.session.flush()
    audit("admit", by, patient.id, target=f"unit:{unit.id}")
    db.session.commit()
    return patient


def discharge_patient(by: User, patient: Patient) -> None:
    """Discharge a child: they leave the census; the family keeps what was written."""
    patient.discharged_at = utcnow()
    audit("discharge", by, patient.id)
    db.session.commit()
