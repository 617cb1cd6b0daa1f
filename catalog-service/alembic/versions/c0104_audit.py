"""audit trail"""

from quest_common import migration_ops

revision: str = "c0104_audit"
down_revision: str | None = "c0103_quest_time_rules"


def upgrade() -> None:
    migration_ops.create_audit_table()


def downgrade() -> None:
    migration_ops.drop_audit_table()
