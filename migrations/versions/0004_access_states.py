"""Access states and sessions: bedside confirmation, restricted children, guardians' requests,
re-invitations, and a server-side record of every signed-in session.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Columns are added in place (no table copies), so SQLite keeps the partial unique index on
access grants; foreign keys of added columns are declared on PostgreSQL, which can add them.
Every grant that existed before is confirmed as of when it was given.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ADDED_USER_REFERENCES = [
    ("access_grants", "confirmed_by_id"),
    ("patients", "restricted_by_id"),
    ("invitations", "for_user_id"),
]


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)
    op.add_column("access_grants", sa.Column("confirmed_at", sa.DateTime(timezone=True)))
    op.add_column("access_grants", sa.Column("confirmed_by_id", sa.Integer()))
    op.add_column(
        "access_grants",
        sa.Column("needs_second_staff", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE access_grants SET confirmed_at = granted_at")
    op.add_column("patients", sa.Column("restricted_at", sa.DateTime(timezone=True)))
    op.add_column("patients", sa.Column("restricted_by_id", sa.Integer()))
    op.add_column(
        "patients",
        sa.Column("restricted_note", sa.String(length=500), nullable=False, server_default=""),
    )
    op.add_column(
        "invitations",
        sa.Column("needs_bedside_check", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # A re-invitation (lost phone, forgotten passphrase): a new passphrase for this account.
    op.add_column("invitations", sa.Column("for_user_id", sa.Integer()))
    if op.get_bind().dialect.name == "postgresql":
        for table, column in ADDED_USER_REFERENCES:
            op.create_foreign_key(
                op.f(f"fk_{table}_{column}_users"), table, "users", [column], ["id"]
            )
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("invited_name", sa.String(length=120), nullable=False),
        sa.Column("relationship_to_child", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_access_requests_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_access_requests_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_access_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_access_requests_invitation_id_invitations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
    )
    op.create_index(
        op.f("ix_access_requests_patient_id"), "access_requests", ["patient_id"], unique=False
    )
    # The admins' audit search filters by person and by action.
    op.create_index("ix_audit_events_actor_at", "audit_events", ["actor_id", "at"])
    op.create_index("ix_audit_events_action_at", "audit_events", ["action", "at"])


def downgrade():
    op.drop_index("ix_audit_events_action_at", table_name="audit_events")
    op.drop_index("ix_audit_events_actor_at", table_name="audit_events")
    op.drop_index(op.f("ix_access_requests_patient_id"), table_name="access_requests")
    op.drop_table("access_requests")
    if op.get_bind().dialect.name == "postgresql":
        for table, column in ADDED_USER_REFERENCES:
            op.drop_constraint(op.f(f"fk_{table}_{column}_users"), table, type_="foreignkey")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("for_user_id")
        batch.drop_column("needs_bedside_check")
    with op.batch_alter_table("patients") as batch:
        for column in ("restricted_note", "restricted_by_id", "restricted_at"):
            batch.drop_column(column)
    with op.batch_alter_table("access_grants") as batch:
        for column in ("needs_second_staff", "confirmed_by_id", "confirmed_at"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
