"""Alembic operations for the tables `quest_common` gives more than one service: the outbox
(`quest_common.outbox`) and the audit trail (`quest_common.audit`). Each service's revision
calls these instead of spelling the table out again.

Every function is the table as the revisions that call it created it, not the model as it is
today: a revision must replay the same way for as long as it exists. A later change to one of
these tables is a new revision in each service, with operations of its own, never an edit here.

Imported only by Alembic revisions, which run where Alembic is installed (every service
depends on it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlmodel.sql.sqltypes import AutoString

# The relay's lookup (see OutboxEvent): only the rows still to publish are indexed.
_OUTBOX_UNPUBLISHED = sa.text("published_at IS NULL")


def create_outbox_table() -> None:
    """`outbox_event` and its index, as auth's and catalog's revision 0001 create them."""
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("routing_key", AutoString(length=255), nullable=False),
        sa.Column("event_type", AutoString(length=128), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_outbox_event_unpublished",
        "outbox_event",
        ["created_at"],
        unique=False,
        postgresql_where=_OUTBOX_UNPUBLISHED,
    )


def drop_outbox_table() -> None:
    op.drop_index(
        "ix_outbox_event_unpublished",
        table_name="outbox_event",
        postgresql_where=_OUTBOX_UNPUBLISHED,
    )
    op.drop_table("outbox_event")


def create_audit_table() -> None:
    """`audit_entry` and its indexes, as auth's a0104, catalog's c0104 and processing's
    p0104 create them."""
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", AutoString(length=64), nullable=False),
        sa.Column("actor_name", AutoString(length=128), nullable=False),
        sa.Column("action", AutoString(length=64), nullable=False),
        sa.Column("target_type", AutoString(length=64), nullable=False),
        sa.Column("target_id", AutoString(length=128), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"], unique=False)
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id"], unique=False)


def drop_audit_table() -> None:
    op.drop_index("ix_audit_entry_actor_id", table_name="audit_entry")
    op.drop_index("ix_audit_entry_at", table_name="audit_entry")
    op.drop_table("audit_entry")
