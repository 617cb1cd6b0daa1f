"""quest time rules: reset, grace_days, cooldown_s, claim_within_s

Existing quests get the defaults, which keep them behaving as before: no reset, no grace, no
cooldown, rewards that never expire.

Create Date: 2026-11-30 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = 'c0103_quest_time_rules'
down_revision: str | None = '0001'


def upgrade() -> None:
    op.add_column('quest', sa.Column('reset', sa.String(length=16), nullable=False, server_default='none'))
    op.add_column('quest', sa.Column('grace_days', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('quest', sa.Column('cooldown_s', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('quest', sa.Column('claim_within_s', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('quest', 'claim_within_s')
    op.drop_column('quest', 'cooldown_s')
    op.drop_column('quest', 'grace_days')
    op.drop_column('quest', 'reset')
