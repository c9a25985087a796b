"""Languages: an update's own language, interpreters' translations, and where a unit is.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

- ``updates.language``: the language an update was written in (English before).
- ``update_translations``: an interpreter's (or bilingual clinician's) translation of one
  version of an update into one language. Append-only like the updates: a better translation
  is a new row, and the newest one is what the family reads.
- ``family_events.kind`` may be ``translated``: a translation reaching the family is an event.
  On SQLite the table is copied to change its check, so its append-only triggers are made again.
- ``users.translates``: the languages a staff member may translate into (space-separated).
- ``units.city``: where the unit is, for "8:10 in Miami, 14:10 for you".
- Family members' languages map onto the five Rounds speaks ("pt" is "pt-BR"; others English).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SPOKEN = ("en", "es", "ht", "pt-BR", "ar")
OLD_KINDS = "kind IN ('posted', 'corrected', 'retracted')"
NEW_KINDS = "kind IN ('posted', 'corrected', 'retracted', 'translated')"


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


def drop_append_only(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def change_event_kinds(check):
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_family_events_kind"), "family_events", type_="check")
        op.create_check_constraint("kind", "family_events", check)
        return
    drop_append_only("family_events")
    with op.batch_alter_table("family_events", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_family_events_kind"), type_="check")
        batch.create_check_constraint("kind", check)
    append_only("family_events")


def upgrade():
    op.add_column(
        "updates", sa.Column("language", sa.String(length=10), nullable=False, server_default="en")
    )
    op.add_column(
        "users", sa.Column("translates", sa.String(length=60), nullable=False, server_default="")
    )
    op.add_column("units", sa.Column("city", sa.String(length=80), nullable=False, server_default=""))
    op.execute("UPDATE users SET language = 'pt-BR' WHERE language IN ('pt', 'pt_BR')")
    spoken = ", ".join(f"'{code}'" for code in SPOKEN)
    op.execute(f"UPDATE users SET language = 'en' WHERE language NOT IN ({spoken})")  # noqa: S608
    op.create_table(
        "update_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_notes", sa.JSON(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("watch_for", sa.JSON(), nullable=False),
        sa.Column("milestones", sa.Text(), nullable=False),
        sa.Column("translator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"], ["updates.id"], name=op.f("fk_update_translations_update_id_updates")
        ),
        sa.ForeignKeyConstraint(
            ["translator_id"],
            ["users.id"],
            name=op.f("fk_update_translations_translator_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_translations")),
    )
    op.create_index(
        "ix_update_translations_update_language", "update_translations", ["update_id", "language"]
    )
    append_only("update_translations")
    change_event_kinds(NEW_KINDS)


def downgrade():
    # The event sequence is append-only: a database with translation events cannot go back.
    change_event_kinds(OLD_KINDS)
    drop_append_only("update_translations")
    op.drop_index("ix_update_translations_update_language", table_name="update_translations")
    op.drop_table("update_translations")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("city")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("translates")
    with op.batch_alter_table("updates") as batch:
        batch.drop_column("language")
