"""users.tokens_valid_after: access tokens issued before it are void"""

import sqlalchemy as sa
from alembic import op

revision: str = "a0102_access"
down_revision: str | None = "0001"


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("tokens_valid_after", sa.DateTime(timezone=True), nullable=True)
    )
    # The snapshot other services load at start reads the recent ones only.
    op.create_index(
        "ix_users_tokens_valid_after",
        "users",
        ["tokens_valid_after"],
        postgresql_where=sa.text("tokens_valid_after IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_users_tokens_valid_after", table_name="users")
    op.drop_column("users", "tokens_valid_after")
