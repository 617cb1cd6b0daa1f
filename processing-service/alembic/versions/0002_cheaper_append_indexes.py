"""cheaper indexes on the two append-only tables the worker writes per event

Every sign-in inserts one event row and one or two notification rows, and each index is written
with them. `notification.created_at` only serves the retention cleanup and the replay window on
an append-only table: a BRIN index is a fraction of a btree's insert cost. The (type, seq) index
of `sign_in_event` served only the admin's type filter, which the seq order already serves.
"""

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    op.drop_index("ix_notification_created_at", table_name="notification")
    op.create_index(
        "ix_notification_created_at", "notification", ["created_at"], postgresql_using="brin"
    )
    op.drop_index("ix_sign_in_event_type_seq", table_name="sign_in_event")


def downgrade() -> None:
    op.create_index("ix_sign_in_event_type_seq", "sign_in_event", ["type", "seq"])
    op.drop_index("ix_notification_created_at", table_name="notification")
    op.create_index("ix_notification_created_at", "notification", ["created_at"])
