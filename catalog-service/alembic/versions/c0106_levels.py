"""level curve: one row of XP thresholds, the default curve stored at once

Create Date: 2026-12-05 08:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'c0106_levels'
down_revision: str | None = 'c0104_audit'

# quest_common.progression.DEFAULT_LEVEL_THRESHOLDS when this revision was written: a migration
# keeps the values it was written with, whatever the code's default becomes later.
DEFAULT = [0, 100, 250, 500, 1000, 2000, 3500, 5500, 8000, 12000]


def upgrade() -> None:
    op.create_table(
        'level_curve',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thresholds', postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute(
        sa.text('INSERT INTO level_curve (id, thresholds, updated_at) VALUES (1, :t, now())')
        .bindparams(sa.bindparam('t', DEFAULT, type_=postgresql.ARRAY(sa.BigInteger())))
    )


def downgrade() -> None:
    op.drop_table('level_curve')
