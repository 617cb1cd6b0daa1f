"""player_event: every event of a player, sign-ins and game servers' events alike

The sign-in table becomes the general one: it keeps its rows (each a `sign_in`), gains the quest
event type and the event's properties, and its envelope type may be as long as CloudEvents
allows. A sum quest's progress is a running total, so `quest_progress.streak` holds a number.

Create Date: 2026-12-05 11:45:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "p0108_player_event"
down_revision: str | None = "p0107_players"


def upgrade() -> None:
    op.rename_table("sign_in_event", "player_event")
    op.execute("ALTER INDEX ix_sign_in_event_user_seq RENAME TO ix_player_event_user_seq")
    op.execute("ALTER TABLE player_event RENAME CONSTRAINT sign_in_event_pkey TO player_event_pkey")
    op.alter_column("player_event", "type", type_=sa.String(length=128))
    op.add_column(
        "player_event",
        sa.Column("event_type", sa.String(length=64), nullable=False, server_default="sign_in"),
    )
    op.add_column(
        "player_event",
        sa.Column(
            "data",
            postgresql.JSONB(),
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
        ),
    )
    op.alter_column("quest_progress", "streak", type_=sa.Float(), existing_nullable=False)


def downgrade() -> None:
    op.alter_column(
        "quest_progress", "streak", type_=sa.Integer(), postgresql_using="streak::integer"
    )
    op.drop_column("player_event", "data")
    op.drop_column("player_event", "event_type")
    op.alter_column("player_event", "type", type_=sa.String(length=64))
    op.execute("ALTER TABLE player_event RENAME CONSTRAINT player_event_pkey TO sign_in_event_pkey")
    op.execute("ALTER INDEX ix_player_event_user_seq RENAME TO ix_sign_in_event_user_seq")
    op.rename_table("player_event", "sign_in_event")
