"""The `auth.UserCreated` handler: bodies → outcomes (the worker's consumer shell acks).

A batch is noted in one transaction and acked after its commit; a redelivery notes the same
player again, which changes nothing (an older zone never replaces a newer one)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from pydantic import ValidationError

from processing_service.players.models import PlayerSeen
from processing_service.players.service import note_players
from processing_service.progress.rules import DEFAULT_ZONE, is_known_zone
from processing_service.unit_of_work import UnitOfWorkFactory
from quest_common.broker.consumer import Delivery, Outcome, parse_batch
from quest_common.events import CloudEvent, EventType

log = logging.getLogger(__name__)


class InvalidPlayerMessageError(ValueError):
    pass


def parse_user_created(body: bytes) -> PlayerSeen | None:
    """The player a `UserCreated` envelope announces; None for another type. An unknown or
    missing zone reads as UTC, as a sign-in's does (the player still exists)."""
    try:
        event = CloudEvent.from_json(body)
    except (ValidationError, ValueError) as exc:
        raise InvalidPlayerMessageError(f"not a CloudEvent: {str(exc)[:200]}") from exc
    if event.type != EventType.USER_CREATED:
        return None
    raw_user = event.data.get("user_id") or event.subject
    try:
        user_id = uuid.UUID(str(raw_user))
    except ValueError as exc:
        raise InvalidPlayerMessageError(f"no valid user_id: {raw_user!r}") from exc
    zone = event.data.get("time_zone")
    if not (isinstance(zone, str) and len(zone) <= 64 and is_known_zone(zone)):
        zone = DEFAULT_ZONE
    return PlayerSeen(user_id=user_id, time_zone=zone, at=event.time)


@dataclass(kw_only=True)
class UserCreatedHandler:
    uow_factory: UnitOfWorkFactory

    def __call__(self, batch: list[Delivery]) -> list[Outcome]:
        parsed = parse_batch(batch, parse_user_created, InvalidPlayerMessageError, "player message")
        if seen := parsed.items:
            with self.uow_factory() as uow:
                kept = note_players(uow=uow, seen=seen)
                uow.commit()
            log.info("%d players noted (%d deleted ones left out)", kept, len(seen) - kept)
        return parsed.outcomes
