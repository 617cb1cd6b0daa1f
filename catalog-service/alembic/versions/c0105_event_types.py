"""event types (sign_in built in) and quests on any event: event_type, where, measure, requires

Existing quests become sign-in quests counted one by one with no filters and no prerequisites,
which is what they did before.

Create Date: 2026-12-05 08:00:00
"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c0105_event_types"
down_revision: str | None = "c0107_offers"

# What auth's sign-in events carry in `data`, as catalog_service.event_types.models has it
# today (a migration keeps its own copy: the model may change later, this revision may not).
SIGN_IN_PROPERTIES = {
    "user_name": {"type": "string", "required": True},
    "signed_in_at": {"type": "string", "required": True},
    "time_zone": {"type": "string", "required": True},
    "method": {"type": "string", "required": True},
}


def upgrade() -> None:
    op.create_table(
        "event_type",
        sa.Column("event_type_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column(
            "properties",
            postgresql.JSONB(),
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("built_in", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_type_id"),
        sa.UniqueConstraint("name"),
    )
    op.execute(
        sa.text(
            "INSERT INTO event_type (event_type_id, name, title, description, properties, "
            "is_active, built_in, created_at, updated_at) VALUES (gen_random_uuid(), 'sign_in', "
            "'Sign-in', 'A player signed in (a password sign-in or a resumed session). "
            "Emitted by auth alone.', CAST(:properties AS jsonb), true, true, now(), now())"
        ).bindparams(properties=json.dumps(SIGN_IN_PROPERTIES))
    )
    op.add_column(
        "quest",
        sa.Column("event_type", sa.String(length=64), nullable=False, server_default="sign_in"),
    )
    op.add_column(
        "quest",
        sa.Column(
            "where", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")
        ),
    )
    op.add_column(
        "quest",
        sa.Column("measure", sa.String(length=16), nullable=False, server_default="count"),
    )
    op.add_column("quest", sa.Column("measure_property", sa.String(length=64), nullable=True))
    op.add_column(
        "quest",
        sa.Column(
            "requires", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")
        ),
    )
    op.create_index("ix_quest_event_type", "quest", ["event_type"], unique=False)
    op.create_foreign_key(
        "quest_event_type_fkey", "quest", "event_type", ["event_type"], ["name"]
    )


def downgrade() -> None:
    op.drop_constraint("quest_event_type_fkey", "quest", type_="foreignkey")
    op.drop_index("ix_quest_event_type", table_name="quest")
    for column in ("requires", "measure_property", "measure", "where", "event_type"):
        op.drop_column("quest", column)
    op.drop_table("event_type")
