"""The demo data the run command loads: complete, fictional, and safe to load twice."""

import pytest
import sqlalchemy as sa

from rounds.extensions import db
from rounds.models import AccessGrant, AccessRequest, Patient, Unit, Update, UpdateRetraction, User


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_seed_demo_loads_a_full_unit_and_is_safe_to_rerun(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Pediatric ICU (demo)"))
        children = db.session.scalars(sa.select(Patient).where(Patient.unit_id == unit.id)).all()
        assert len(children) >= 6
        statuses = {
            u.status
            for u in db.session.scalars(
                sa.select(Update).where(Update.patient_id.in_([c.id for c in children]))
            )
        }
        assert {"critical", "comfort"} <= statuses
        ecmo = [u for u in db.session.scalars(sa.select(Update)) if "ECMO day" in u.milestones]
        assert len({u.created_at.date() for u in ecmo}) >= 7  # a week of history on ECMO
        roles = set(
            db.session.scalars(sa.select(User.staff_role).where(User.staff_role.is_not(None)))
        )
        assert roles == {"clinician", "nurse", "interpreter", "admin"}
        grants_per_user = db.session.execute(
            sa.select(AccessGrant.user_id, sa.func.count()).group_by(AccessGrant.user_id)
        ).all()
        assert max(count for _user, count in grants_per_user) >= 2  # a parent of two children
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UpdateRetraction)) >= 1
        assert db.session.scalar(sa.select(sa.func.count()).where(Update.version > 1)) >= 1
        # A guardian's request waits on the family access page, for a nurse to decide.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessRequest)) == 1
        emails = db.session.scalars(sa.select(User.email)).all()
        assert all(email.endswith("@example.org") for email in emails)  # fictional only
