"""Quest definitions from catalog, cached in memory and kept as a local copy in the database.

Catalog is read over httpx with a timeout. A successful read replaces the local copy; when catalog
is unreachable the last known definitions are used — from memory, or from the database after a
restart — so counting never stops because catalog is down (DESIGN §7.4). `QuestChanged` drops the
in-memory copy so the next batch reads catalog again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Column, DateTime, Engine, delete
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Session, SQLModel, select

from processing_service.progress.rules import QuestRule
from quest_common.db import utcnow

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


class QuestCache:
    def __init__(
        self,
        *,
        engine: Engine,
        catalog_url: str,
        ttl_s: float = 60.0,
        timeout_s: float = 3.0,
        retry_after_failure_s: float = 5.0,
        page_size: int = 500,
    ) -> None:
        self.page_size = page_size
        self.engine = engine
        self.catalog_url = catalog_url.rstrip("/")
        self.ttl_s = ttl_s
        self.retry_after_failure_s = retry_after_failure_s
        self._client = httpx.Client(timeout=timeout_s)
        self._lock = threading.Lock()
        self._quests: list[dict[str, Any]] | None = None
        self._rules: list[QuestRule] = []
        self._loaded_at = 0.0
        self._etag: str | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = 0.0
            self._etag = None

    def close(self) -> None:
        self._client.close()

    def quests(self) -> list[dict[str, Any]]:
        """Catalog quest reads (with the embedded reward) of every active sign-in quest."""
        self._refresh_if_stale()
        return list(self._quests or [])

    def rules(self) -> list[QuestRule]:
        self._refresh_if_stale()
        return list(self._rules)

    def quest(self, quest_id: uuid.UUID) -> dict[str, Any] | None:
        return next((q for q in self.quests() if str(q["quest_id"]) == str(quest_id)), None)

    def _refresh_if_stale(self) -> None:
        with self._lock:
            if self._quests is not None and time.monotonic() - self._loaded_at < self.ttl_s:
                return
            try:
                quests = self._fetch()
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                # Keep counting with what we knew; try catalog again soon, not on every batch.
                log.warning("catalog unreachable (%s): using the last known quests", exc)
                if self._quests is None:
                    self._set(self._load_local())  # raises when there is no copy at all
                self._loaded_at = time.monotonic() - self.ttl_s + self.retry_after_failure_s
                return
            if quests is not None:
                self._store_local(quests)
                self._set(quests)
            self._loaded_at = time.monotonic()

    def _set(self, quests: list[dict[str, Any]]) -> None:
        self._quests = quests
        self._rules = [QuestRule.from_catalog(q) for q in quests]

    def _fetch(self) -> list[dict[str, Any]] | None:
        """The quests from catalog, or None when they did not change since the last read.

        Every page is read (limit/offset until `count` is reached): a definition missing from
        the cache would silently stop counting sign-ins for that quest. The first page's ETag
        answers "anything changed?" cheaply.
        """
        headers = {"If-None-Match": self._etag} if self._etag and self._quests is not None else {}
        url = f"{self.catalog_url}/api/catalog/quests"
        params: dict[str, str | int] = {"active": "true", "trigger": "sign_in"}
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
        self._etag = etag
        return [q for q in quests if q.get("trigger", "sign_in") == "sign_in"]

    def _store_local(self, quests: list[dict[str, Any]]) -> None:
        with Session(self.engine) as session:
            session.exec(delete(QuestDefinition))  # type: ignore[call-overload]
            for quest in quests:
                session.add(
                    QuestDefinition(
                        quest_id=uuid.UUID(str(quest["quest_id"])),
                        name=str(quest["name"])[:128],
                        payload=quest,
                    )
                )
            session.commit()

    def _load_local(self) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.exec(select(QuestDefinition)).all()
        if not rows:
            raise CatalogUnavailableError("catalog unreachable and no local copy of the quests")
        return [row.payload for row in rows]
