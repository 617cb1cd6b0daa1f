"""players: the set of known players and each one's latest zone

Filled from `auth.UserCreated` (auth announces every existing account once) and from sign-ins;
the players already seen signing in are added here, each in the zone of their newest sign-in.

Create Date: 2026-12-05 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "p0107_players"
down_revision: str | None = "p0106_grant_badge"


def upgrade() -> None:
    op.create_table(
        "player",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("zone_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("known_since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.execute(
        "INSERT INTO player (user_id, time_zone, zone_at, known_since) "
        "SELECT DISTINCT ON (user_id) user_id, time_zone, occurred_at, occurred_at "
        "FROM sign_in_event ORDER BY user_id, occurred_at DESC, seq DESC"
    )


def downgrade() -> None:
    op.drop_table("player")
