"""The quest cache follows catalog changes within seconds, whatever the timing: an invalidation
that arrives while a read of catalog is in flight, an event nobody heard, a catalog that is away.

Catalog is a small real HTTP server here (with ETags, like catalog's read front) so a test can
hold one answer back; the database and the broker are the real ones.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from processing_service.catalog.cache import QuestCache, QuestDefinition
from processing_service.catalog.listener import quest_changes_listener
from processing_service.core.config import Settings
from quest_common.events import QUEST_CHANGED_KEY, EventType, make_event
from quest_devtools.testing.catalog_double import CatalogDouble
from quest_devtools.testing.waiting import wait_for


@pytest.fixture
def catalog() -> Iterator[CatalogDouble]:
    double = CatalogDouble()
    yield double
    double.close()


@pytest.fixture
def make_cache(engine: Engine) -> Iterator[Callable[..., QuestCache]]:
    caches: list[QuestCache] = []

    def make(url: str, **options: Any) -> QuestCache:
        cache = QuestCache(engine=engine, catalog_url=url, timeout_s=5.0, **options)
        caches.append(cache)
        return cache

    yield make
    for cache in caches:
        cache.close()


def names(cache: QuestCache) -> set[str]:
    return {q["name"] for q in cache.quests()}


def test_every_active_quest_is_kept_whatever_its_event_type_filters_measure_or_chain(
    catalog: CatalogDouble, make_cache: Callable[..., QuestCache], sign_in: Any
) -> None:
    plain, filtered, summed, locked, other = (sign_in.quest() for _ in range(5))
    filtered["where"] = [{"property": "method", "op": "eq", "value": "password"}]
    summed.update(measure="sum", measure_property="gold")
    locked["requires"] = [plain["name"]]
    other.update(trigger="event", event_type="match_won")
    catalog.quests = [plain, filtered, summed, locked, other]
    cache = make_cache(catalog.url)
    assert names(cache) == {q["name"] for q in catalog.quests}
    by_name = {r.name: r for r in cache.rules()}
    assert by_name[other["name"]].event_type == "match_won"
    assert by_name[summed["name"]].measure == "sum"
    assert by_name[locked["name"]].requires == (plain["name"],)


def test_a_change_announced_during_a_slow_read_is_not_lost(
    settings: Settings,
    catalog: CatalogDouble,
    make_cache: Callable[..., QuestCache],
    publish_raw: Callable[[list[tuple[str, bytes]]], None],
    sign_in: Any,
) -> None:
    old, new = sign_in.quest(), sign_in.quest()
    catalog.quests = [old]
    # Only the event can bring the change in: the copy would otherwise be trusted for an hour.
    cache = make_cache(catalog.url, ttl_s=3600)
    assert names(cache) == {old["name"]}
    listener = quest_changes_listener(
        amqp_url=settings.amqp_url, exchange=settings.events_exchange, cache=cache
    )
    listener.start()
    try:
        assert listener.ready.wait(15)
        cache.invalidate()  # as if an earlier change: the next read goes to catalog
        catalog.hold()
        reader = threading.Thread(target=cache.quests)
        reader.start()
        assert catalog.reading.wait(10)  # that read has the old list in hand
        catalog.quests = [old, new]
        event = make_event(
            source="catalog-service",
            type=EventType.QUEST_CHANGED,
            subject=new["quest_id"],
            data={"quest_id": new["quest_id"], "reward_id": None, "change": "created"},
        )
        generation = cache._generation
        publish_raw([(QUEST_CHANGED_KEY, event.to_json())])
        # The listener is not stuck behind the read in flight.
        wait_for(lambda: cache._generation > generation, timeout=10)
        # Meanwhile other readers are served the copy they have instead of queueing.
        started = time.monotonic()
        assert names(cache) == {old["name"]}
        assert time.monotonic() - started < 1.0
        catalog.release()
        reader.join(10)
        # The slow read answered with the old list; it must not count as current.
        assert names(cache) == {old["name"], new["name"]}
    finally:
        catalog.release()
        listener.stop()
        listener.join(5)


def test_a_listener_that_was_not_bound_yet_does_not_keep_the_copy_stale(
    catalog: CatalogDouble, make_cache: Callable[..., QuestCache], sign_in: Any
) -> None:
    old, new = sign_in.quest(), sign_in.quest()
    catalog.quests = [old]
    cache = make_cache(catalog.url, ttl_s=0.5)
    assert names(cache) == {old["name"]}
    # Nothing changed: revalidations are empty 304s, the copy stays.
    time.sleep(0.6)
    assert names(cache) == {old["name"]}
    assert catalog.requests == [200, 304]
    # A change with no event at all (published before any queue was bound) is seen anyway.
    catalog.quests = [old, new]
    wait_for(lambda: names(cache) == {old["name"], new["name"]}, timeout=5)
    assert catalog.requests[-1] == 200


def test_the_listener_drops_the_copy_on_every_connection(
    settings: Settings, catalog: CatalogDouble, make_cache: Callable[..., QuestCache], sign_in: Any
) -> None:
    old, new = sign_in.quest(), sign_in.quest()
    catalog.quests = [old]
    cache = make_cache(catalog.url, ttl_s=3600)
    assert names(cache) == {old["name"]}
    catalog.quests = [old, new]  # changed before anybody listened: the event went nowhere
    listener = quest_changes_listener(
        amqp_url=settings.amqp_url, exchange=settings.events_exchange, cache=cache
    )
    listener.start()
    try:
        assert listener.ready.wait(15)
        assert names(cache) == {old["name"], new["name"]}
    finally:
        listener.stop()
        listener.join(5)


def sessions_waiting_for_a_lock(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def test_the_api_and_the_worker_refreshing_the_local_copy_at_once(
    engine: Engine, catalog: CatalogDouble, make_cache: Callable[..., QuestCache], sign_in: Any
) -> None:
    """`QuestChanged` reaches the API and the worker together, and both rewrite the local copy
    in the same table at the same moment. The one that waits must still end up with the new list
    (once, it failed on the duplicate key and kept the new list's ETag with the old list: every
    revalidation after that was a 304, and the new quest never showed)."""
    old, new = sign_in.quest(), sign_in.quest()
    catalog.quests = [old]
    cache = make_cache(catalog.url, ttl_s=0.2)
    assert names(cache) == {old["name"]}
    catalog.quests = [old, new]
    errors: list[BaseException] = []

    def read() -> None:
        try:
            cache.quests()
        except BaseException as exc:  # what the API would have answered with a 500
            errors.append(exc)

    with engine.connect() as other:  # the worker's refresh, in flight
        other.execute(text("DELETE FROM quest_definition"))
        for quest in (old, new):
            other.execute(
                text(
                    "INSERT INTO quest_definition (quest_id, name, payload, fetched_at) "
                    "VALUES (:id, :name, CAST(:payload AS jsonb), now())"
                ),
                {"id": quest["quest_id"], "name": quest["name"], "payload": json.dumps(quest)},
            )
        time.sleep(0.25)  # the copy is due for revalidation
        reader = threading.Thread(target=read)
        reader.start()
        wait_for(lambda: sessions_waiting_for_a_lock(engine), timeout=10)
        other.commit()
    reader.join(10)
    assert errors == []
    wait_for(lambda: names(cache) == {old["name"], new["name"]}, timeout=5)
    with Session(engine) as session:
        stored = {row.name for row in session.exec(select(QuestDefinition))}
    assert stored == {old["name"], new["name"]}
