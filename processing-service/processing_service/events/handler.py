"""The event batch handler (sign-ins and game servers' events): parse, apply in one unit of
work, commit; the consumer shell acks.

It sees message bodies and returns an outcome for each; the broker is the shell's business.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import DBAPIError, OperationalError

from processing_service.catalog.cache import CatalogUnavailableError
from processing_service.events.parsing import InvalidMessageError, parse_event
from processing_service.events.service import consume_events
from processing_service.progress.rules import PlayerEvent, QuestRule
from processing_service.unit_of_work import UnitOfWorkFactory
from quest_common.broker.consumer import Delivery, Outcome, ParsedBatch, parse_batch
from quest_common.logging import bind_event_id

log = logging.getLogger(__name__)


def is_retryable_db_error(exc: BaseException) -> bool:
    # Deadlocks and serialization failures are transient: run the transaction again.
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in {"40P01", "40001"}


class QuestRules(Protocol):
    """Where the active quests' rules come from (`catalog.cache.QuestCache`)."""

    def rules(self) -> list[QuestRule]:
        """The rules; CatalogUnavailableError when there are none to be had yet."""
        ...


@dataclass(kw_only=True)
class EventHandler:
    uow_factory: UnitOfWorkFactory
    cache: QuestRules
    on_grants: Callable[[], None] | None = None
    stopping: Callable[[], bool] | None = None
    max_wait_s: float = 20.0

    def parse(self, batch: list[Delivery]) -> ParsedBatch[PlayerEvent]:
        """Bodies → events (no I/O: the consumer runs this while the batch before commits)."""
        return parse_batch(batch, parse_event, InvalidMessageError)

    def apply(self, parsed: ParsedBatch[PlayerEvent]) -> list[Outcome]:
        """Apply the batch's events in one unit of work and commit; the shell then settles."""
        events = parsed.items
        if events:
            # A batch's log lines carry its first event's id (and the count), so an event can be
            # followed from auth's outbox to here.
            with bind_event_id(events[0].event_id):
                grants = self._apply(events)
                log.debug("applied %d events", len(events))
            if grants and self.on_grants is not None:
                self.on_grants()
        return parsed.outcomes

    def _apply(self, events: list[PlayerEvent]) -> int:
        # Transient trouble (database or catalog unreachable) is waited out here, briefly, rather
        # than requeued at once: a requeue counts toward the delivery limit, and an outage must not
        # push good events into the dead-letter queue. Past the wait the shell requeues.
        delay, waited = 0.2, 0.0
        while True:
            try:
                quests = self.cache.rules()
                with self.uow_factory() as uow:
                    result = consume_events(uow=uow, events=events, quests=quests)
                    uow.commit()
                return result.grants
            except (OperationalError, DBAPIError, CatalogUnavailableError) as exc:
                retryable = is_retryable_db_error(exc)
                if (
                    isinstance(exc, DBAPIError)
                    and not isinstance(exc, OperationalError)
                    and not retryable
                ):
                    raise
                if waited >= self.max_wait_s or (self.stopping is not None and self.stopping()):
                    raise
                if retryable:
                    log.info("batch transaction conflicted, retrying")
                    continue
                log.warning("batch waits for a transient failure: %s", exc)
                time.sleep(delay)
                waited += delay
                delay = min(delay * 2, 5.0)
