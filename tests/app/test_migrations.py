"""The record tables refuse to be rewritten, on both databases, at the migrations' head."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from rounds.extensions import db

APPEND_ONLY = [
    "audit_events",
    "updates",
    "update_retractions",
    "family_events",
    "update_translations",
    "rounds_changes",
]


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_rows_cannot_be_updated_or_deleted(app, world, table):
    with app.app_context():
        if table == "update_retractions":
            db.session.execute(
                sa.text(
                    "INSERT INTO update_retractions"
                    " (update_id, retracted_by_id, reason, created_at)"
                    " VALUES (:u, :by, 'wrong child', CURRENT_TIMESTAMP)"
                ),
                {"u": world.update_a1, "by": world.clinician.id},
            )
            db.session.commit()
        if table == "update_translations":
            db.session.execute(
                sa.text(
                    "INSERT INTO update_translations (update_id, language, summary, body_notes,"
                    " plan, watch_for, milestones, translator_id, created_at)"
                    " VALUES (:u, 'es', 'Estable.', '{}', '', '[]', '', :by, CURRENT_TIMESTAMP)"
                ),
                {"u": world.update_a1, "by": world.clinician.id},
            )
            db.session.commit()
        if table == "rounds_changes":
            db.session.execute(
                sa.text(
                    "INSERT INTO rounds_sessions (unit_id, day, started_at, started_by_id,"
                    " version, changed_at) VALUES (:unit, CURRENT_DATE, CURRENT_TIMESTAMP,"
                    " :by, 1, CURRENT_TIMESTAMP)"
                ),
                {"unit": world.unit_a, "by": world.nurse.id},
            )
            db.session.execute(
                sa.text(
                    "INSERT INTO rounds_changes (session_id, version, kind, actor_id, at)"
                    " SELECT id, 1, 'started', :by, CURRENT_TIMESTAMP FROM rounds_sessions"
                ),
                {"by": world.nurse.id},
            )
            db.session.commit()
        count = db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608
        assert count > 0
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {table}")) == count  # noqa: S608


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_tables_cannot_be_truncated_on_postgresql(app, world, table):
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(sa.text(f"TRUNCATE {table} CASCADE"))
        db.session.rollback()


def test_schema_is_made_by_the_migrations(app):
    with app.app_context():
        version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert version == "0006"


def test_times_come_back_aware_utc_on_both_databases(app, world):
    from rounds.models import Update

    with app.app_context():
        update = db.session.get(Update, world.update_a1)
        assert update.created_at.tzinfo is not None
        assert update.created_at.utcoffset().total_seconds() == 0
