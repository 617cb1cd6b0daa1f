"""Quest definitions from catalog, cached in memory and kept as a local copy in the database.

Catalog is read over httpx with a timeout. In the worker, a successful read replaces the local copy
(in a unit of work of its own); when catalog is unreachable the last known definitions are used —
from memory, or from the database after a restart — so counting never stops because catalog is
down (DESIGN §7.4). The API only reads the copy (`writes_local_copy=False`): a player's read of
their quests never writes.

Following catalog changes, whatever the timing:
- `QuestChanged` (and every (re)connection of the listener) calls `invalidate`, which bumps a
  generation counter and returns at once. A copy counts as current only for the generation it was
  read in, so a load that was already in flight when the change arrived cannot pass its older
  answer off as current: the next read goes to catalog again.
- Even with no event at all (the listener was not bound yet, the broker was away), the copy is
  revalidated every `ttl_s` seconds with `If-None-Match`, which catalog answers with an empty 304
  while nothing changed.
- While one thread reads catalog, the others serve the copy they have instead of queueing behind
  it (only a process with no copy at all waits for the first read).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime
from http import HTTPStatus
from typing import Any

import httpx
from sqlalchemy import Column, DateTime, Engine, delete
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, SQLModel, col, select

from processing_service.progress.rules import QuestRule
from processing_service.unit_of_work import UnitOfWork
from quest_common.db import utcnow
from quest_common.refusals import ClientError

log = logging.getLogger(__name__)


class QuestDefinition(SQLModel, table=True):
    __tablename__ = "quest_definition"

    quest_id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=128)
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    fetched_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


def _page(body: Any) -> tuple[list[dict[str, Any]], int]:
    """(quests, total count) of one catalog list page; a bare list is the whole list."""
    if isinstance(body, list):
        return list(body), len(body)
    data: list[dict[str, Any]] = list(body["data"])
    return data, int(body.get("count", len(data)))


class CatalogUnavailableError(Exception):
    """Catalog did not answer and no local copy exists yet."""


class QuestNotFoundError(
    ClientError, LookupError, status=HTTPStatus.NOT_FOUND, detail="Quest not found"
):
    """No active quest with that id."""


class UnknownRewardError(
    ClientError, LookupError, status=HTTPStatus.UNPROCESSABLE_ENTITY, detail="Unknown reward_id"
):
    """Catalog holds no reward with that id."""


class CatalogUnreachableError(
    ClientError, status=HTTPStatus.SERVICE_UNAVAILABLE, detail="Catalog unreachable"
):
    """Catalog did not give an answer this request could use."""


class QuestCache:
    def __init__(
        self,
        *,
        engine: Engine,
        catalog_url: str,
        ttl_s: float = 5.0,
        timeout_s: float = 3.0,
        retry_after_failure_s: float = 5.0,
        page_size: int = 500,
        writes_local_copy: bool = True,
    ) -> None:
        self.writes_local_copy = writes_local_copy
        self.page_size = page_size
        self.engine = engine
        self.catalog_url = catalog_url.rstrip("/")
        self.ttl_s = ttl_s
        self.retry_after_failure_s = retry_after_failure_s
        self._client = httpx.Client(timeout=timeout_s)
        self._lock = threading.Lock()  # one catalog read at a time
        self._quests: list[dict[str, Any]] | None = None
        self._rules: list[QuestRule] = []
        self._next_check = 0.0  # monotonic time after which the copy is revalidated
        self._etag: str | None = None
        self._generation = 0  # bumped by every invalidation
        self._generation_lock = threading.Lock()  # never held across a catalog read
        self._copy_generation = -1  # the generation the copy was read in

    def invalidate(self) -> None:
        """The catalog changed: the copy is no longer current. Never waits for a read in flight
        (the listener thread calls it); that read will not count as current either."""
        with self._generation_lock:
            self._generation += 1

    def close(self) -> None:
        self._client.close()

    def quests(self) -> list[dict[str, Any]]:
        """Catalog quest reads (with the embedded reward) of every active quest, of any event
        type."""
        self._refresh_if_stale()
        return list(self._quests or [])

    def rules(self) -> list[QuestRule]:
        self._refresh_if_stale()
        return list(self._rules)

    def quest(self, quest_id: uuid.UUID) -> dict[str, Any] | None:
        return next((q for q in self.quests() if str(q["quest_id"]) == str(quest_id)), None)

    def require(self, quest_id: uuid.UUID) -> dict[str, Any]:
        """The active quest with that id; QuestNotFoundError when there is none."""
        quest = self.quest(quest_id)
        if quest is None:
            raise QuestNotFoundError(quest_id)
        return quest

    def rule(self, quest_id: uuid.UUID) -> QuestRule:
        return QuestRule.from_catalog(self.require(quest_id))

    def reward(self, reward_id: uuid.UUID) -> Any:
        """Catalog's read of one reward (decoded JSON, not checked), asked now: a reward is
        not cached, since only a simulation of a draft quest asks for one."""
        try:
            response = self._client.get(f"{self.catalog_url}/api/catalog/rewards/{reward_id}")
        except httpx.HTTPError as exc:
            raise CatalogUnreachableError(reward_id) from exc
        if response.status_code == HTTPStatus.NOT_FOUND:
            raise UnknownRewardError(reward_id)
        if response.status_code != HTTPStatus.OK:
            error = CatalogUnreachableError(reward_id)
            error.detail = "Catalog unavailable"
            raise error
        try:
            return response.json()
        except ValueError:
            return None  # not JSON: not a reward either

    def _is_current(self) -> bool:
        return (
            self._quests is not None
            and self._copy_generation == self._generation
            and time.monotonic() < self._next_check
        )

    def _refresh_if_stale(self) -> None:
        if self._is_current():
            return
        if self._quests is not None:
            if not self._lock.acquire(blocking=False):
                return  # another thread is reading catalog; serve the copy meanwhile
        else:
            self._lock.acquire()
        try:
            if not self._is_current():
                self._refresh()
        finally:
            self._lock.release()

    def _refresh(self) -> None:
        generation = self._generation  # read before asking: a change after this is not in it
        revalidate = self._copy_generation == generation  # no change heard: the ETag may do
        try:
            fetched = self._fetch(revalidate=revalidate)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            # Keep counting with what we knew; try catalog again soon, not on every batch.
            log.warning("catalog unreachable (%s): using the last known quests", exc)
            if self._quests is None:
                self._set(self._load_local())  # raises when there is no copy at all
            self._copy_generation = generation
            self._next_check = time.monotonic() + self.retry_after_failure_s
            return
        if fetched is not None:
            quests, etag = fetched
            self._set(quests)
            # The ETag goes with the list it describes, never ahead of it: a validator for a
            # list we do not hold would be answered 304 forever.
            self._etag = etag
            if self.writes_local_copy:
                self._store_local(quests)
        self._copy_generation = generation
        self._next_check = time.monotonic() + self.ttl_s

    def _set(self, quests: list[dict[str, Any]]) -> None:
        self._quests = quests
        self._rules = [QuestRule.from_catalog(q) for q in quests]

    def _fetch(self, *, revalidate: bool) -> tuple[list[dict[str, Any]], str | None] | None:
        """The quests from catalog and their ETag, or None when they did not change since the
        last read.

        Every page is read (limit/offset until `count` is reached): a definition missing from
        the cache would silently stop counting sign-ins for that quest. The first page's ETag
        answers "anything changed?" cheaply, but only for a revalidation: after a change was
        announced everything is read again.
        """
        use_etag = revalidate and self._etag is not None and self._quests is not None
        headers = {"If-None-Match": self._etag} if use_etag and self._etag else {}
        url = f"{self.catalog_url}/api/catalog/quests"
        params: dict[str, str | int] = {"active": "true"}
        response = self._client.get(
            url, params={**params, "limit": self.page_size, "offset": 0}, headers=headers
        )
        if response.status_code == 304:
            return None
        response.raise_for_status()
        etag = response.headers.get("ETag")
        quests, count = _page(response.json())
        while len(quests) < count:
            page = self._client.get(
                url, params={**params, "limit": self.page_size, "offset": len(quests)}
            )
            page.raise_for_status()
            more, count = _page(page.json())
            if not more:
                break  # the list shrank while we read it; the next refresh catches up
            quests.extend(more)
        return quests, etag

    def _store_local(self, quests: list[dict[str, Any]]) -> None:
        """Make the local copy equal to `quests`. The API and the worker hear the same
        `QuestChanged` and write this table at the same moment: an upsert lets the later writer
        wait for the earlier one and then win, where delete-then-insert failed on the key. The
        copy is only the fallback for a catalog outage, so failing to write it is logged, not
        raised: the in-memory list is current either way and the next change writes it again."""
        ids = [uuid.UUID(str(q["quest_id"])) for q in quests]
        try:
            with UnitOfWork(engine=self.engine) as uow:
                session = uow.session
                session.execute(
                    delete(QuestDefinition).where(
                        col(QuestDefinition.quest_id).not_in(ids)  # type: ignore[arg-type]
                    )
                )
                if quests:
                    statement = insert(QuestDefinition).values(
                        [
                            {
                                "quest_id": quest_id,
                                "name": str(quest["name"])[:128],
                                "payload": quest,
                                "fetched_at": utcnow(),
                            }
                            for quest_id, quest in zip(ids, quests, strict=True)
                        ]
                    )
                    session.execute(
                        statement.on_conflict_do_update(
                            index_elements=["quest_id"],
                            set_={
                                "name": statement.excluded.name,
                                "payload": statement.excluded.payload,
                                "fetched_at": statement.excluded.fetched_at,
                            },
                        )
                    )
                uow.commit()
        except SQLAlchemyError as exc:
            log.warning("local copy of the quests not written (%s); kept in memory", exc)

    def _load_local(self) -> list[dict[str, Any]]:
        with UnitOfWork(engine=self.engine, read_only=True) as reads:
            payloads = [dict(p) for p in reads.session.exec(select(QuestDefinition.payload))]
        if not payloads:
            raise CatalogUnavailableError("catalog unreachable and no local copy of the quests")
        return payloads
