"""refresh_token.successor_sealed: the successor of a spent token, for the reuse grace

A refresh racing the one that spent its token gets the same successor back within
REFRESH_REUSE_GRACE_SECONDS. The successor is sealed with a key derived from the spent token,
which is never stored, so the column holds no usable token.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a0108_refresh_grace"
down_revision: str | None = "a0106_progression"


def upgrade() -> None:
    op.add_column(
        "refresh_token",
        sa.Column("successor_sealed", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("refresh_token", "successor_sealed")
