"""player time: progress rule state, the event's zone, reward expiry, incidents

Progress keeps what the rules of DESIGN §10 need between sign-ins (cooldown, reset period,
grace, expired rewards). Each recorded sign-in keeps the zone it carried, so a replay or a
trace recomputes the local dates the worker used. A grant of a quest whose rewards expire is
stored when earned (status `earned`, `earned_at`) and claimed or expired later. Incidents are
the operators' windows that excuse a missed day.
"""

import sqlalchemy as sa
from alembic import op

revision: str = "p0103_player_time"
down_revision: str | None = "0002"


def upgrade() -> None:
    op.add_column(
        "quest_progress", sa.Column("last_counted_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("quest_progress", sa.Column("period", sa.Date(), nullable=True))
    for name in ("period_completed", "grace_used", "expired"):
        op.add_column(
            "quest_progress",
            sa.Column(name, sa.Integer(), nullable=False, server_default="0"),
        )
    op.add_column(
        "sign_in_event",
        sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC"),
    )
    op.add_column("reward_grant", sa.Column("earned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_grant_earned",
        "reward_grant",
        ["user_id", "quest_id", "earned_at"],
        postgresql_where=sa.text("status = 'earned'"),
    )
    op.create_table(
        "incident",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("declared_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name="ck_incident_window"),
        sa.PrimaryKeyConstraint("incident_id"),
    )


def downgrade() -> None:
    op.drop_table("incident")
    op.drop_index("ix_grant_earned", table_name="reward_grant")
    op.drop_column("reward_grant", "earned_at")
    op.drop_column("sign_in_event", "time_zone")
    for name in ("expired", "grace_used", "period_completed", "period", "last_counted_at"):
        op.drop_column("quest_progress", name)
