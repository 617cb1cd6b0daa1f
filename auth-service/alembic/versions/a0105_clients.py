"""OAuth2 clients; every existing player announced once as auth.UserCreated

Sign-ups from now on put `auth.UserCreated` in the outbox in their own transaction. The accounts
that exist already get theirs here, once (this revision runs once): one outbox row each, dated
when the account was created, so processing learns every player it has not seen sign in.
Deleted accounts are left out: they are gone (processing keeps their tombstones).

Create Date: 2026-12-05 08:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a0105_clients"
down_revision: str | None = "a0108_refresh_grace"

# The envelope `quest_common.events.stored_event` writes (CloudEvents 1.0, `time` in RFC 3339
# UTC with a `Z`), built in SQL so that a million accounts take one statement.
BACKFILL = """
INSERT INTO outbox_event (id, routing_key, event_type, payload, created_at, attempts)
SELECT e.id, 'auth.UserCreated', 'UserCreated',
       jsonb_build_object(
           'specversion', '1.0',
           'id', e.id::text,
           'source', 'auth-service',
           'type', 'UserCreated',
           'time', to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'subject', u.user_id::text,
           'datacontenttype', 'application/json',
           'data', jsonb_build_object(
               'user_id', u.user_id::text,
               'user_name', u.user_name,
               'time_zone', u.time_zone
           )
       ),
       now(), 0
FROM users AS u
CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) AS e
WHERE u.deleted_at IS NULL
"""


def upgrade() -> None:
    op.create_table(
        "oauth_client",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tokens_valid_after", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("client_id"),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    # The announcements already sent cannot be taken back; unsent ones are dropped with the
    # revision that made them.
    op.execute(
        "DELETE FROM outbox_event WHERE routing_key = 'auth.UserCreated' AND published_at IS NULL"
    )
    op.drop_table("oauth_client")
