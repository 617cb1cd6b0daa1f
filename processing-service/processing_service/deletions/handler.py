"""The `auth.UserDeleted` handler: bodies → outcomes (the worker's consumer shell acks).

Each deletion is applied in its own transaction and acked after its commit; a redelivery finds
the tombstone and erases nothing more."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from processing_service.deletions.service import delete_player
from processing_service.unit_of_work import UnitOfWorkFactory
from quest_common.broker.consumer import Delivery, Outcome, parse_batch
from quest_common.events import EventType

log = logging.getLogger(__name__)


class InvalidDeletionError(ValueError):
    pass


def parse_user_deleted(body: bytes) -> tuple[uuid.UUID, datetime | None] | None:
    """(user id, deleted at) of a `UserDeleted` envelope; None for another type."""
    try:
        raw = json.loads(body)
        if raw.get("type") != EventType.USER_DELETED:
            return None
        data = raw.get("data") or {}
        user_id = uuid.UUID(str(data.get("user_id") or raw.get("subject")))
        deleted_at = data.get("deleted_at")
        at = datetime.fromisoformat(deleted_at) if isinstance(deleted_at, str) else None
        if at is not None and at.tzinfo is None:
            at = None
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidDeletionError(str(exc)[:200]) from exc
    return user_id, at


@dataclass(kw_only=True)
class UserDeletedHandler:
    uow_factory: UnitOfWorkFactory

    def __call__(self, batch: list[Delivery]) -> list[Outcome]:
        parsed = parse_batch(batch, parse_user_deleted, InvalidDeletionError, "deletion message")
        for user_id, deleted_at in parsed.items:
            with self.uow_factory() as uow:
                erased = delete_player(uow=uow, user_id=user_id, deleted_at=deleted_at)
                uow.commit()
            log.info("player %s deleted (%d rows erased)", user_id, erased)
        return parsed.outcomes
