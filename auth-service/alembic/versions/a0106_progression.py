"""progression: XP on the user row, badges, and the leaderboards kept by the ledger itself

- `users.xp` is a balance like diamonds (credited through the ledger, never below 0);
  `users.level_announced` is the highest level an `auth.LevelReached` was stored for, so that
  every level is announced once and none is skipped.
- `user_badge`: a badge once per player (unique per player and name); the credit's idempotency
  key is kept so that a retried credit answers the same.
- `leaderboard_entry`: one row per (item, period, period start, player), and `leaderboard_count`,
  how many players hold each value on each board, both maintained by a trigger on
  `wallet_ledger` in the inserting transaction, so every writer of the ledger (credits,
  adjustments, debits) keeps the boards right without knowing of them; a board is an index
  range and a rank a sum over the distinct values above, never a scan of the ledger. `all`
  holds the balance after the player's latest entry; `week` (UTC ISO week) and `month` (UTC
  calendar month) what was earned in that period: credits and admin adjustments, not debits
  (spending is not un-earning). `reached_at` is when the row's
  value was reached: ties go to whoever got there first. The period bounds are the same as
  `quest_common.progression.period_bounds` (a test holds them equal).

Existing ledger rows are filed once (backfill) for every period they belong to. The indexes on
the diamond and gold columns, which the old balance board read, go.

Create Date: 2026-12-05 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "a0106_progression"
down_revision: str | None = "a0104_audit"

# One board row moved to a new value (`add`: by an amount, never below 0), and the count of
# players per value kept with it: a player's rank is then a sum over the distinct values above
# theirs rather than a count of every player above them.
MOVE = """
CREATE FUNCTION leaderboard_move(
    b_item text, b_period text, b_start timestamptz, b_user uuid, b_amount bigint,
    b_add boolean, b_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    old_value bigint;
    new_value bigint;
BEGIN
    SELECT e.value INTO old_value FROM leaderboard_entry e
    WHERE e.item = b_item AND e.period = b_period AND e.period_start = b_start
      AND e.user_id = b_user
    FOR UPDATE;
    new_value := CASE WHEN b_add THEN GREATEST(COALESCE(old_value, 0) + b_amount, 0)
                      ELSE b_amount END;
    INSERT INTO leaderboard_entry (item, period, period_start, user_id, value, reached_at)
    VALUES (b_item, b_period, b_start, b_user, new_value, b_at)
    ON CONFLICT ON CONSTRAINT leaderboard_entry_pkey DO UPDATE
        SET value = EXCLUDED.value, reached_at = EXCLUDED.reached_at;
    IF old_value IS NOT DISTINCT FROM new_value THEN
        RETURN;
    END IF;
    IF COALESCE(old_value, 0) > 0 THEN
        UPDATE leaderboard_count c SET players = c.players - 1
        WHERE c.item = b_item AND c.period = b_period AND c.period_start = b_start
          AND c.value = old_value;
        DELETE FROM leaderboard_count c
        WHERE c.item = b_item AND c.period = b_period AND c.period_start = b_start
          AND c.value = old_value AND c.players <= 0;
    END IF;
    IF new_value > 0 THEN
        INSERT INTO leaderboard_count (item, period, period_start, value, players)
        VALUES (b_item, b_period, b_start, new_value, 1)
        ON CONFLICT ON CONSTRAINT leaderboard_count_pkey DO UPDATE
            SET players = leaderboard_count.players + 1;
    END IF;
END
$$
"""

# Every ledger row of a balance item files the player's balance on the all-time board; credits
# and admin adjustments (not debits: spending is not un-earning) add to the week and month boards.
FILE_ENTRY = """
CREATE FUNCTION leaderboard_file_entry() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    board_period text;
BEGIN
    IF NEW.item NOT IN ('diamond', 'gold', 'xp') THEN
        RETURN NEW;
    END IF;
    PERFORM leaderboard_move(NEW.item, 'all', '1970-01-01T00:00:00Z', NEW.user_id,
                             NEW.balance_after, false, NEW.created_at);
    IF NEW.qty > 0 OR NEW.actor_id IS NOT NULL THEN
        FOREACH board_period IN ARRAY ARRAY['week', 'month'] LOOP
            PERFORM leaderboard_move(
                NEW.item, board_period,
                date_trunc(board_period, NEW.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                NEW.user_id, NEW.qty, true, NEW.created_at);
        END LOOP;
    END IF;
    RETURN NEW;
END
$$
"""

BACKFILL = """
INSERT INTO leaderboard_entry (item, period, period_start, user_id, value, reached_at)
SELECT DISTINCT ON (item, user_id) item, 'all', '1970-01-01T00:00:00Z'::timestamptz, user_id,
       balance_after, created_at
FROM wallet_ledger WHERE item IN ('diamond', 'gold', 'xp')
ORDER BY item, user_id, created_at DESC, entry_id DESC;
INSERT INTO leaderboard_entry (item, period, period_start, user_id, value, reached_at)
SELECT item, p.name, date_trunc(p.name, created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       user_id, GREATEST(sum(qty), 0), max(created_at)
FROM wallet_ledger CROSS JOIN (VALUES ('week'), ('month')) AS p(name)
WHERE item IN ('diamond', 'gold', 'xp') AND (qty > 0 OR actor_id IS NOT NULL)
GROUP BY item, p.name, 3, user_id;
"""

COUNT_BACKFILL = """
INSERT INTO leaderboard_count (item, period, period_start, value, players)
SELECT item, period, period_start, value, count(*) FROM leaderboard_entry WHERE value > 0
GROUP BY item, period, period_start, value;
"""


def upgrade() -> None:
    op.add_column("users", sa.Column("xp", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column(
        "users", sa.Column("level_announced", sa.Integer(), nullable=False, server_default="1")
    )
    # Players with nothing on a board are listed by sign-up, after everyone with something.
    op.create_index("ix_users_created_at", "users", ["created_at", "user_id"])
    # The boards read their own entries now, not the balance columns.
    op.drop_index("ix_users_diamond", table_name="users")
    op.drop_index("ix_users_gold", table_name="users")
    op.create_table(
        "user_badge",
        sa.Column("badge_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("badge", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("earned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("badge_id"),
        sa.UniqueConstraint("user_id", "badge", name="uq_user_badge_user_badge"),
        sa.UniqueConstraint("idempotency_key", name="uq_user_badge_idempotency_key"),
    )
    op.create_table(
        "leaderboard_entry",
        sa.Column("item", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "item", "period", "period_start", "user_id", name="leaderboard_entry_pkey"
        ),
    )
    op.create_table(
        "leaderboard_count",
        sa.Column("item", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("players", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "item", "period", "period_start", "value", name="leaderboard_count_pkey"
        ),
    )
    # The board's order: the top N is the first N entries of this index; ties at one value
    # are a range of it.
    op.execute(
        "CREATE INDEX ix_leaderboard_entry_rank ON leaderboard_entry"
        " (item, period, period_start, value DESC, reached_at, user_id)"
    )
    # Banned and deleted players are counted on the boards' counts and taken off at read time.
    op.execute(
        "CREATE INDEX ix_users_hidden ON users (user_id)"
        " WHERE status = 2 OR deleted_at IS NOT NULL"
    )
    op.execute(MOVE)
    op.execute(FILE_ENTRY)
    op.execute(
        "CREATE TRIGGER wallet_ledger_files_leaderboard AFTER INSERT ON wallet_ledger"
        " FOR EACH ROW EXECUTE FUNCTION leaderboard_file_entry()"
    )
    op.execute(BACKFILL)
    op.execute(COUNT_BACKFILL)


def downgrade() -> None:
    op.execute("DROP TRIGGER wallet_ledger_files_leaderboard ON wallet_ledger")
    op.execute("DROP FUNCTION leaderboard_file_entry()")
    op.execute("DROP FUNCTION leaderboard_move(text, text, timestamptz, uuid, bigint, boolean, timestamptz)")
    op.drop_index("ix_users_hidden", table_name="users")
    op.drop_table("leaderboard_count")
    op.drop_table("leaderboard_entry")
    op.drop_table("user_badge")
    op.execute("CREATE INDEX ix_users_gold ON users (gold DESC)")
    op.execute("CREATE INDEX ix_users_diamond ON users (diamond DESC)")
    op.drop_index("ix_users_created_at", table_name="users")
    op.drop_column("users", "level_announced")
    op.drop_column("users", "xp")
