"""operator tools: audit trail, simulation jobs, tombstones of deleted players

`reward_grant.credited_at` gets an index: the operations figures sum what was minted in the last
hour and day on every scrape.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from quest_common import migration_ops

revision: str = "p0104_ops_tools"
down_revision: str | None = "p0103_player_time"


def upgrade() -> None:
    migration_ops.create_audit_table()
    op.create_table(
        "simulation",
        sa.Column("simulation_id", sa.Uuid(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("simulation_id"),
    )
    op.create_table(
        "user_tombstone",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_reward_grant_credited_at", "reward_grant", ["credited_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reward_grant_credited_at", table_name="reward_grant")
    op.drop_table("user_tombstone")
    op.drop_table("simulation")
    migration_ops.drop_audit_table()
