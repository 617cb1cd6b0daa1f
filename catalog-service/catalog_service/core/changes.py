"""Every catalog write goes through `record_change`, in the writer's own transaction:

- it bumps the catalog version (one row), which keys the read cache of every replica;
- it sends `pg_notify`, delivered by PostgreSQL only when the transaction commits, so every
  replica drops its cached reads at once;
- it stores `catalog.QuestChanged` in the outbox, so the event is published exactly when the
  change commits, even if the broker is down at that moment.

The version row also serializes concurrent writes, which keeps the version order equal to the
commit order.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import BigInteger, Column, text
from sqlmodel import Field, Session, SQLModel

from quest_common.events import QUEST_CHANGED_KEY, EventType, make_event
from quest_common.outbox import enqueue

SOURCE = "catalog-service"
PRODUCER = "catalog"
NOTIFY_CHANNEL = "catalog_changed"
# Where `record_change` leaves the new version for the unit of work to act on after commit.
VERSION_INFO_KEY = "catalog_version"


class Change(StrEnum):
    created = "created"
    updated = "updated"
    deleted = "deleted"


class CatalogState(SQLModel, table=True):
    """A single row (id = 1) holding the catalog version."""

    __tablename__ = "catalog_state"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )


def quest_changed_data(
    *,
    quest_id: uuid.UUID | None,
    reward_id: uuid.UUID | None,
    change: Change,
    event_type: str | None = None,
) -> dict[str, str | None]:
    data = {
        "quest_id": str(quest_id) if quest_id else None,
        "reward_id": str(reward_id) if reward_id else None,
        "change": change.value,
    }
    if event_type is not None:
        # Additive: an event type's change tells processing to drop what it cached of it.
        data["event_type"] = event_type
    return data


def record_change(
    *,
    session: Session,
    change: Change,
    quest_id: uuid.UUID | None = None,
    reward_id: uuid.UUID | None = None,
    event_type: str | None = None,
    publish: bool = True,
) -> int:
    """Add the version bump, the notification and the event to the open transaction; returns
    the new version (valid once the caller commits). `publish=False` for a change no consumer
    of `QuestChanged` depends on (the level curve): cached reads still move to the new version."""
    version = int(
        session.execute(
            text(
                "INSERT INTO catalog_state (id, version) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET version = catalog_state.version + 1 "
                "RETURNING version"
            )
        ).scalar_one()
    )
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": NOTIFY_CHANNEL, "payload": str(version)},
    )
    if publish:
        data = quest_changed_data(
            quest_id=quest_id, reward_id=reward_id, change=change, event_type=event_type
        )
        event = make_event(
            source=SOURCE,
            type=EventType.QUEST_CHANGED,
            subject=data["quest_id"] or data["reward_id"] or event_type,
            data=data,
        )
        enqueue(session, event, routing_key=QUEST_CHANGED_KEY)
    session.info[VERSION_INFO_KEY] = version
    return version


def read_version(session: Session) -> int:
    value = session.execute(text("SELECT version FROM catalog_state WHERE id = 1")).scalar()
    return int(value or 0)
