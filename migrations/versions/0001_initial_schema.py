"""Initial schema, with append-only triggers on the record tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

The audit log, updates, retractions and the family event sequence are never changed or
deleted: triggers on both SQLite and PostgreSQL refuse UPDATE and DELETE (and TRUNCATE on
PostgreSQL), so not even a bug or a hand-typed query can rewrite the record.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY_TABLES = ("audit_events", "updates", "update_retractions", "family_events")


def create_append_only_triggers():
    """Refuse UPDATE, DELETE (and TRUNCATE) on the record tables."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION rounds_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END
            $$;
            """
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION rounds_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION rounds_append_only()"
            )
    else:
        for table in APPEND_ONLY_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def drop_append_only_triggers():
    """Remove the triggers (downgrade only)."""
    if op.get_context().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS rounds_append_only()")
    else:
        for table in APPEND_ONLY_TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def upgrade():
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', name=op.f('uq_units_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('staff_role', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("staff_role IN ('clinician', 'nurse', 'interpreter', 'admin')", name=op.f('ck_users_staff_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('bed', sa.String(length=20), nullable=False),
    sa.Column('admitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('discharged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_patients_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_unit_id'), ['unit_id'], unique=False)

    op.create_table('staff_memberships',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_staff_memberships_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'unit_id', name=op.f('pk_staff_memberships'))
    )
    op.create_table('access_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('relationship_to_child', sa.String(length=40), nullable=False),
    sa.Column('is_guardian', sa.Boolean(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_access_grants_granted_by_id_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_access_grants_patient_id_patients')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_access_grants_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grants'))
    )
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grants_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_access_grants_user_patient', ['user_id', 'patient_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=80), nullable=False),
    sa.Column('detail', sa.String(length=400), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_audit_events_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_patient_at', ['patient_id', 'at'], unique=False)

    op.create_table('updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('correction_reason', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body_notes', sa.JSON(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('watch_for', sa.JSON(), nullable=False),
    sa.Column('milestones', sa.Text(), nullable=False),
    sa.Column('care_team', sa.String(length=300), nullable=False),
    sa.Column('next_update_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('critical', 'serious', 'improving', 'ready', 'comfort')", name=op.f('ck_updates_status')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_updates_author_id_users')),
    sa.ForeignKeyConstraint(['corrects_id'], ['updates.id'], name=op.f('fk_updates_corrects_id_updates')),
    sa.ForeignKeyConstraint(['original_id'], ['updates.id'], name=op.f('fk_updates_original_id_updates')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_updates_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_updates')),
    sa.UniqueConstraint('corrects_id', name='uq_updates_corrects_id')
    )
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_updates_original_id'), ['original_id'], unique=False)
        batch_op.create_index('ix_updates_patient_created', ['patient_id', 'created_at'], unique=False)

    op.create_table('family_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('posted', 'corrected', 'retracted')", name=op.f('ck_family_events_kind')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_family_events_patient_id_patients')),
    sa.ForeignKeyConstraint(['update_id'], ['updates.id'], name=op.f('fk_family_events_update_id_updates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_events')),
    sa.UniqueConstraint('patient_id', 'seq', name='uq_family_events_patient_seq')
    )
    op.create_table('update_retractions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('retracted_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['retracted_by_id'], ['users.id'], name=op.f('fk_update_retractions_retracted_by_id_users')),
    sa.ForeignKeyConstraint(['update_id'], ['updates.id'], name=op.f('fk_update_retractions_update_id_updates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_update_retractions')),
    sa.UniqueConstraint('update_id', name=op.f('uq_update_retractions_update_id'))
    )
    create_append_only_triggers()



def downgrade():
    drop_append_only_triggers()
    op.drop_table('update_retractions')
    op.drop_table('family_events')
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_index('ix_updates_patient_created')
        batch_op.drop_index(batch_op.f('ix_updates_original_id'))

    op.drop_table('updates')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_patient_at')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_access_grants_user_patient')
        batch_op.drop_index(batch_op.f('ix_access_grants_patient_id'))

    op.drop_table('access_grants')
    op.drop_table('staff_memberships')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_unit_id'))

    op.drop_table('patients')
    op.drop_table('users')
    op.drop_table('units')
