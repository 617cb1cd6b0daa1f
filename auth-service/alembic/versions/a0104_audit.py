"""audit trail, adjustments' actor, deleted accounts"""

import sqlalchemy as sa
from alembic import op

from quest_common import migration_ops

revision: str = "a0104_audit"
down_revision: str | None = "a0103_time_zone"


def upgrade() -> None:
    migration_ops.create_audit_table()
    op.add_column("users", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("wallet_ledger", sa.Column("actor_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("wallet_ledger", "actor_id")
    op.drop_column("users", "deleted_at")
    migration_ops.drop_audit_table()
