"""At most one active access grant per person and child.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

A partial unique index (SQLite and PostgreSQL both support WHERE on an index): without it,
two nurses giving the same relative access at the same moment made two active grants, and
revoking one left the other open.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_access_grants_one_active",
        "access_grants",
        ["user_id", "patient_id"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade():
    op.drop_index("uq_access_grants_one_active", table_name="access_grants")
