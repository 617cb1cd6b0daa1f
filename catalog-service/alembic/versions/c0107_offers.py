"""offers and redemptions (the shop)

Create Date: 2026-12-05 08:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = 'c0107_offers'
down_revision: str | None = 'c0106_levels'


def upgrade() -> None:
    op.create_table(
        'offer',
        sa.Column('offer_id', sa.Uuid(), nullable=False),
        sa.Column('name', AutoString(length=64), nullable=False),
        sa.Column('title', AutoString(length=200), nullable=False),
        sa.Column('description', AutoString(length=2000), nullable=False),
        sa.Column('price_item', sa.String(length=16), nullable=False),
        sa.Column('price_qty', sa.Integer(), nullable=False),
        sa.Column('stock', sa.Integer(), nullable=True),
        sa.Column('per_player_limit', sa.Integer(), nullable=True),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('offer_id'),
        sa.UniqueConstraint('name'),
        # The last line of defence of "never oversold": a stock below zero cannot be stored.
        sa.CheckConstraint('stock IS NULL OR stock >= 0', name='ck_offer_stock_not_negative'),
        sa.CheckConstraint('price_qty >= 1', name='ck_offer_price_positive'),
    )
    op.create_table(
        'redemption',
        sa.Column('redemption_id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('idempotency_key', AutoString(length=200), nullable=False),
        sa.Column('offer_id', sa.Uuid(), nullable=True),
        sa.Column('offer_name', AutoString(length=64), nullable=False),
        sa.Column('offer_title', AutoString(length=200), nullable=False),
        sa.Column('price_item', AutoString(length=16), nullable=False),
        sa.Column('price_qty', sa.Integer(), nullable=False),
        sa.Column('status', AutoString(length=16), nullable=False),
        sa.Column('code', AutoString(length=32), nullable=True),
        sa.Column('refusal', AutoString(length=200), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', AutoString(length=500), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['offer_id'], ['offer.offer_id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('redemption_id'),
        sa.UniqueConstraint('user_id', 'idempotency_key', name='uq_redemption_user_key'),
    )
    op.create_index('ix_redemption_user_id', 'redemption', ['user_id'])
    op.create_index('ix_redemption_offer_id', 'redemption', ['offer_id'])
    op.create_index('ix_redemption_status', 'redemption', ['status'])


def downgrade() -> None:
    op.drop_index('ix_redemption_status', table_name='redemption')
    op.drop_index('ix_redemption_offer_id', table_name='redemption')
    op.drop_index('ix_redemption_user_id', table_name='redemption')
    op.drop_table('redemption')
    op.drop_table('offer')
