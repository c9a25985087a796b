"""The rounds queue, families' answers about rounds, and their questions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

- ``units``: the rounds settings an admin sets (usual start, minutes per child, idle hours,
  join link pattern, the team's language).
- ``users.phone``: the number a family member gave to be called at rounds.
- ``rounds_sessions`` (at most one open per unit), ``rounds_places`` (each child's place and
  state), ``rounds_changes`` (append-only: every change, its version, who and when).
- ``rounds_answers``: a family member's answer for one child and day.
- ``questions``: families' questions for rounds, their rendering and how they were answered.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def append_only(table):
    """The triggers of migration 0001, for one table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION rounds_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION rounds_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def when(column):
    return sa.Column(column, sa.DateTime(timezone=True), nullable=True)


def fk(table, column, target):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    unit_columns = [
        ("rounds_start", sa.String(length=5), "07:30"),
        ("minutes_per_child", sa.Integer(), "10"),
        ("rounds_idle_hours", sa.Integer(), "3"),
        ("join_link_pattern", sa.String(length=200), ""),
        ("team_language", sa.String(length=10), "en"),
    ]
    for name, kind, default in unit_columns:
        op.add_column("units", sa.Column(name, kind, nullable=False, server_default=default))
    op.add_column(
        "users", sa.Column("phone", sa.String(length=40), nullable=False, server_default="")
    )
    op.create_table(
        "rounds_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        when("ended_at"),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        fk("rounds_sessions", "unit_id", "units"),
        fk("rounds_sessions", "started_by_id", "users"),
        fk("rounds_sessions", "ended_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds_sessions")),
    )
    op.create_index(
        "uq_rounds_sessions_one_open",
        "rounds_sessions",
        ["unit_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index("ix_rounds_sessions_unit_day", "rounds_sessions", ["unit_id", "day"])
    op.create_table(
        "rounds_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        when("turn_started_at"),
        when("done_at"),
        sa.Column("join_link", sa.String(length=300), nullable=False, server_default=""),
        fk("rounds_places", "session_id", "rounds_sessions"),
        fk("rounds_places", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds_places")),
        sa.UniqueConstraint("session_id", "patient_id", name="uq_rounds_places_child"),
    )
    op.create_index(
        op.f("ix_rounds_places_session_id"), "rounds_places", ["session_id"], unique=False
    )
    op.create_table(
        "rounds_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        fk("rounds_changes", "session_id", "rounds_sessions"),
        fk("rounds_changes", "patient_id", "patients"),
        fk("rounds_changes", "actor_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds_changes")),
        sa.UniqueConstraint("session_id", "version", name="uq_rounds_changes_version"),
    )
    append_only("rounds_changes")
    op.create_table(
        "rounds_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        fk("rounds_answers", "user_id", "users"),
        fk("rounds_answers", "patient_id", "patients"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds_answers")),
        sa.UniqueConstraint("user_id", "patient_id", "day", name="uq_rounds_answers_person_day"),
    )
    op.create_index("ix_rounds_answers_patient_day", "rounds_answers", ["patient_id", "day"])
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        when("withdrawn_at"),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        when("answered_at"),
        sa.Column("answer_update_id", sa.Integer(), nullable=True),
        sa.Column("rendering", sa.Text(), nullable=False, server_default=""),
        sa.Column("rendered_by_id", sa.Integer(), nullable=True),
        when("rendered_at"),
        fk("questions", "patient_id", "patients"),
        fk("questions", "asked_by_id", "users"),
        fk("questions", "answered_by_id", "users"),
        fk("questions", "answer_update_id", "updates"),
        fk("questions", "rendered_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index("ix_questions_patient_asked", "questions", ["patient_id", "asked_at"])


def downgrade():
    op.drop_index("ix_questions_patient_asked", table_name="questions")
    op.drop_table("questions")
    op.drop_index("ix_rounds_answers_patient_day", table_name="rounds_answers")
    op.drop_table("rounds_answers")
    op.drop_table("rounds_changes")
    op.drop_index(op.f("ix_rounds_places_session_id"), table_name="rounds_places")
    op.drop_table("rounds_places")
    op.drop_index("ix_rounds_sessions_unit_day", table_name="rounds_sessions")
    op.drop_index("uq_rounds_sessions_one_open", table_name="rounds_sessions")
    op.drop_table("rounds_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("phone")
    with op.batch_alter_table("units") as batch:
        for name in ("team_language", "join_link_pattern", "rounds_idle_hours",
                     "minutes_per_child", "rounds_start"):
            batch.drop_column(name)
