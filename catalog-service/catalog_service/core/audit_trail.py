"""The audit entry of a catalog write, added to the write's own transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, SQLModel

from catalog_service.core.changes import Change, record_change
from catalog_service.core.db import row_values
from quest_common import audit
from quest_common.db import utcnow


def record_write(
    session: Session,
    *,
    actor: audit.Actor,
    action: str,
    target_type: str,
    target_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: SQLModel | None,
) -> None:
    """`before`: the row's values read before the change (None for a creation); `after`: the
    row as it is now (None once deleted)."""
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=row_values(after) if after is not None else None,
    )


def record_catalog_write(
    session: Session,
    row: SQLModel,
    *,
    change: Change,
    action: str,
    actor: audit.Actor,
    before: dict[str, Any] | None,
    deleted: bool = False,
) -> None:
    """What every catalog write adds to its transaction: the version bump with its notification
    and `QuestChanged` (`record_change`), and the audit entry. `action` is "<target>.<verb>"
    ("quest.create", "reward.delete", "event_type.update"); `row` is the quest, reward or event
    type written, or deleted (then the audit entry has no `after`)."""
    target_type = action.partition(".")[0]
    quest_id = getattr(row, "quest_id", None)
    reward_id = getattr(row, "reward_id", None)
    event_type = getattr(row, "name", None) if target_type == "event_type" else None
    record_change(
        session=session,
        change=change,
        quest_id=quest_id,
        reward_id=reward_id,
        event_type=event_type,
    )
    record_write(
        session,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=getattr(row, f"{target_type}_id"),
        before=before,
        after=None if deleted else row,
    )


def record_created(session: Session, row: SQLModel, *, action: str, actor: audit.Actor) -> None:
    """`record_catalog_write` for a row just added (and flushed)."""
    record_catalog_write(
        session, row, change=Change.created, action=action, actor=actor, before=None
    )


def record_updated(
    session: Session,
    row: SQLModel,
    *,
    action: str,
    actor: audit.Actor,
    before: dict[str, Any],
) -> None:
    """`record_catalog_write` for a row changed in place; `before`: its values read first."""
    record_catalog_write(
        session, row, change=Change.updated, action=action, actor=actor, before=before
    )


def deactivate(session: Session, row: Any, *, action: str, actor: audit.Actor) -> None:
    """Turn an active row off in place (the row is kept: processing keeps the players' history)
    and record it as a deletion; a row already off is left as it is, with nothing recorded."""
    if not row.is_active:
        return
    before = row_values(row)
    row.is_active = False
    row.updated_at = utcnow()
    session.add(row)
    record_catalog_write(
        session, row, change=Change.deleted, action=action, actor=actor, before=before
    )
