"""The one `QuestChanged` listener: drops the cached quest definitions (worker and API alike)."""

from __future__ import annotations

import logging

from processing_service.catalog.cache import QuestCache
from quest_common.broker.broadcast import BroadcastListener
from quest_common.events import QUEST_CHANGED_KEY

log = logging.getLogger(__name__)


def quest_changes_listener(*, amqp_url: str, exchange: str, cache: QuestCache) -> BroadcastListener:
    def on_change(_key: str, _body: bytes) -> None:
        log.info("quest definitions changed: dropping the cache")
        cache.invalidate()

    # On (re)connect too: anything may have changed while it was not listening.
    return BroadcastListener(
        amqp_url=amqp_url,
        exchange=exchange,
        routing_keys=[QUEST_CHANGED_KEY],
        on_message=on_change,
        on_connect=cache.invalidate,
        name="catalog-listener",
    )
