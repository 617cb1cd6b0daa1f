"""grant badge: the badge a grant gives (its reward's name), for badge rewards

Create Date: 2026-12-05 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "p0106_grant_badge"
down_revision: str | None = "p0104_ops_tools"


def upgrade() -> None:
    op.add_column("reward_grant", sa.Column("badge", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("reward_grant", "badge")
