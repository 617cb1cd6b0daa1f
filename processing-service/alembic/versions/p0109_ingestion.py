"""ingestion: the accepted (client, id) pairs of game servers' events, and each source's days

`ingested_event` makes a client's retry of an event a duplicate; `ingest_source_day` holds each
source's accepted events per type, refused events and last request, per UTC day (DESIGN §14).

Create Date: 2026-12-12 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "p0109_ingestion"
down_revision: str | None = "p0108_player_event"


def upgrade() -> None:
    op.create_table(
        "ingested_event",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("envelope_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "event_id"),
    )
    op.create_index("ix_ingested_event_user_id", "ingested_event", ["user_id"])
    op.create_table(
        "ingest_source_day",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "events",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("ingest_source_day")
    op.drop_index("ix_ingested_event_user_id", table_name="ingested_event")
    op.drop_table("ingested_event")
