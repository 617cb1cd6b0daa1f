"""users.time_zone (IANA name, default UTC) and users.time_zone_changed_at

Existing users get UTC, the zone every day was counted in before. `last_sign_in_at` already
exists; resumed sessions that count as sign-ins now update it too.

Create Date: 2026-11-30 21:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'a0103_time_zone'
down_revision: str | None = 'a0102_access'


def upgrade() -> None:
    op.add_column('users', sa.Column('time_zone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default='UTC'))
    op.add_column('users', sa.Column('time_zone_changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'time_zone_changed_at')
    op.drop_column('users', 'time_zone')
