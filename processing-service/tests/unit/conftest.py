"""An in-memory unit of work for the handlers' unit tests (no PostgreSQL).

`FakeDatabase` holds the rows of the tables the handlers reach through their repositories. A
`FakeProcessingUnitOfWork` works on a copy of it and writes the copy back on `commit()` only, so
a rolled-back transaction leaves the fake database as it was, like the real one. The SQL unit of
work and its repositories are tested on PostgreSQL (`tests/integration/`).
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from processing_service.grants.auth_client import AuthUnavailableError
from processing_service.grants.models import GrantData
from processing_service.grants.repository import DueGrant
from processing_service.notifications.models import Notification
from processing_service.players.models import PlayerSeen
from processing_service.progress.rules import IncidentWindow, PlayerEvent, ProgressState
from processing_service.unit_of_work import ProcessingUnitOfWork, Publish
from quest_common.uow import FakeUnitOfWork

Key = tuple[str, str]


@dataclass
class FakeDatabase:
    events: list[PlayerEvent] = field(default_factory=list)
    progress: dict[Key, ProgressState] = field(default_factory=dict)
    grants: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    tombstones: dict[str, datetime] = field(default_factory=dict)
    players: dict[str, PlayerSeen] = field(default_factory=dict)
    notifications: list[Notification] = field(default_factory=list)
    incidents: list[IncidentWindow] = field(default_factory=list)
    # (client id, event id) → the accepted event's row
    ingested: dict[Key, dict[str, Any]] = field(default_factory=dict)
    next_seq: int = 1


class FakeEvents:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def record(self, events: Sequence[PlayerEvent]) -> set[str]:
        known = {e.event_id for e in self.db.events}
        new = [e for e in events if e.event_id not in known]
        self.db.events.extend(new)
        return {e.event_id for e in new}

    def latest_zone(self, user_id: uuid.UUID) -> str | None:
        mine = [e for e in self.db.events if e.user_id == user_id]
        return mine[-1].time_zone if mine else None

    def erase(self, user_id: uuid.UUID) -> int:
        before = len(self.db.events)
        self.db.events = [e for e in self.db.events if e.user_id != user_id]
        return before - len(self.db.events)


class FakeProgress:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def lock(self, keys: Sequence[Key]) -> dict[Key, ProgressState]:
        for key in keys:
            self.db.progress.setdefault(key, ProgressState())
        return {key: self.db.progress[key] for key in keys}

    def save(self, changed: Sequence[tuple[Key, ProgressState]]) -> None:
        for key, state in changed:
            self.db.progress[key] = state

    def lock_one(self, user_id: uuid.UUID, quest_id: uuid.UUID) -> ProgressState | None:
        return self.db.progress.get((str(user_id), str(quest_id)))

    def set_counts(
        self, user_id: uuid.UUID, quest_id: uuid.UUID, *, claimed: int, expired: int, now: datetime
    ) -> None:
        key = (str(user_id), str(quest_id))
        if key in self.db.progress:
            self.db.progress[key] = dataclasses.replace(
                self.db.progress[key], claimed=claimed, expired=expired
            )

    def states(
        self, user_id: uuid.UUID, quest_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, ProgressState]:
        found = {q: self.db.progress.get((str(user_id), str(q))) for q in quest_ids}
        return {q: s for q, s in found.items() if s is not None}

    def erase(self, user_id: uuid.UUID) -> int:
        mine = [k for k in self.db.progress if k[0] == str(user_id)]
        for key in mine:
            del self.db.progress[key]
        return len(mine)


class FakeGrants:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.db.grants[row["grant_id"]] = {**row, "credited_at": None, "last_error": None}

    def _of(self, user_id: uuid.UUID, quest_id: uuid.UUID, status: str) -> list[dict[str, Any]]:
        return [
            g
            for g in self.db.grants.values()
            if g["user_id"] == user_id and g["quest_id"] == quest_id and g["status"] == status
        ]

    def lock_earned(
        self, user_id: uuid.UUID, quest_id: uuid.UUID
    ) -> list[tuple[uuid.UUID, datetime]]:
        earned = sorted(
            self._of(user_id, quest_id, "earned"), key=lambda g: (g["earned_at"], g["grant_id"])
        )
        return [(g["grant_id"], g["earned_at"]) for g in earned]

    def mark_expired(self, grant_ids: Sequence[uuid.UUID]) -> None:
        for grant_id in grant_ids:
            self.db.grants[grant_id]["status"] = "expired"

    def take(self, grant_id: uuid.UUID, *, next_attempt_at: datetime) -> GrantData:
        row = self.db.grants[grant_id]
        row.update(status="pending", next_attempt_at=next_attempt_at)
        return GrantData.of(dataclasses.make_dataclass("Row", list(row))(**row))

    def lock_due(self, *, now: datetime, limit: int) -> list[DueGrant]:
        due = sorted(
            (
                g
                for g in self.db.grants.values()
                if g["status"] == "pending" and g["next_attempt_at"] <= now
            ),
            key=lambda g: g["next_attempt_at"],
        )[:limit]
        return [
            DueGrant(GrantData.of(dataclasses.make_dataclass("Row", list(g))(**g)), g["attempts"])
            for g in due
        ]

    def retry_later(
        self, grant_id: uuid.UUID, *, attempts: int, error: str, next_attempt_at: datetime
    ) -> None:
        self.db.grants[grant_id].update(
            attempts=attempts, last_error=error[:500], next_attempt_at=next_attempt_at
        )

    def mark_credited(self, grant_id: uuid.UUID, *, now: datetime) -> bool:
        row = self.db.grants.get(grant_id)
        if row is None or row["status"] != "pending":
            return False
        row.update(status="credited", credited_at=now, last_error=None)
        return True

    def unclaimed(self, user_id: uuid.UUID) -> dict[uuid.UUID, list[datetime]]:
        found: dict[uuid.UUID, list[datetime]] = {}
        for g in sorted(self.db.grants.values(), key=lambda g: g["earned_at"] or g["created_at"]):
            if g["user_id"] == user_id and g["status"] == "earned" and g["earned_at"]:
                found.setdefault(g["quest_id"], []).append(g["earned_at"])
        return found

    def erase(self, user_id: uuid.UUID) -> int:
        mine = [k for k, g in self.db.grants.items() if g["user_id"] == user_id]
        for key in mine:
            del self.db.grants[key]
        return len(mine)


class FakeTombstones:
    def __init__(self, db: FakeDatabase, held: list[str]) -> None:
        self.db = db
        self.held = held

    def hold_shared(self) -> None:
        self.held.append("shared")

    def hold_exclusive(self) -> None:
        self.held.append("exclusive")

    def add(self, user_id: uuid.UUID, *, deleted_at: datetime) -> None:
        self.db.tombstones.setdefault(str(user_id), deleted_at)

    def deleted_among(self, user_ids: Iterable[str]) -> set[str]:
        return {u for u in user_ids if u in self.db.tombstones}


class FakePlayers:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def note(self, seen: Sequence[PlayerSeen]) -> None:
        for item in seen:
            kept = self.db.players.get(str(item.user_id))
            if kept is None or kept.at < item.at:
                self.db.players[str(item.user_id)] = item

    def known_among(self, user_ids: Iterable[str]) -> set[str]:
        return {u for u in user_ids if u in self.db.players}

    def zone_of(self, user_id: uuid.UUID) -> str | None:
        kept = self.db.players.get(str(user_id))
        return kept.time_zone if kept else None

    def zones_of(self, user_ids: Iterable[str]) -> dict[str, str]:
        return {u: self.db.players[u].time_zone for u in user_ids if u in self.db.players}

    def erase(self, user_id: uuid.UUID) -> int:
        return 1 if self.db.players.pop(str(user_id), None) else 0


class FakeNotifications:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def store(self, notes: Sequence[Notification]) -> list[Notification]:
        stored = []
        for note in notes:
            stored.append(dataclasses.replace(note, seq=self.db.next_seq))
            self.db.next_seq += 1
        self.db.notifications.extend(stored)
        return stored

    def purge(self, *, older_than_s: float) -> int:
        return 0  # the fake keeps no creation times; purging is tested on PostgreSQL

    def erase(self, user_id: uuid.UUID) -> int:
        before = len(self.db.notifications)
        self.db.notifications = [n for n in self.db.notifications if n.user_id != str(user_id)]
        return before - len(self.db.notifications)


class FakeIncidents:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def windows(self) -> tuple[IncidentWindow, ...]:
        return tuple(self.db.incidents)


class FakeIngested:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def claim(self, rows: Sequence[Mapping[str, object]]) -> set[str]:
        fresh = set()
        for row in rows:
            key = (str(row["client_id"]), str(row["event_id"]))
            if key not in self.db.ingested:
                self.db.ingested[key] = dict(row)
                fresh.add(key[1])
        return fresh

    def erase(self, user_id: uuid.UUID) -> int:
        mine = [k for k, row in self.db.ingested.items() if row["user_id"] == user_id]
        for key in mine:
            del self.db.ingested[key]
        return len(mine)


class FakeProcessingUnitOfWork(ProcessingUnitOfWork, FakeUnitOfWork):
    """Works on a copy of `db`; `commit()` writes the copy back, a rollback drops it."""

    def __init__(self, db: FakeDatabase, *, publish: Publish | None = None) -> None:
        FakeUnitOfWork.__init__(self)
        self._init_notifications(publish)
        self.db = db
        self.locks: list[str] = []  # the advisory locks taken, in order

    def _bind(self, working: FakeDatabase) -> None:
        self.events = FakeEvents(working)
        self.progress = FakeProgress(working)
        self.grants = FakeGrants(working)
        self.tombstones = FakeTombstones(working, self.locks)
        self.players = FakePlayers(working)
        self.notifications = FakeNotifications(working)
        self.incidents = FakeIncidents(working)
        self.ingested = FakeIngested(working)
        self.working = working

    def _begin(self) -> None:
        self._pending = []
        self._bind(copy.deepcopy(self.db))

    def _commit(self) -> None:
        for name in (f.name for f in dataclasses.fields(FakeDatabase)):
            setattr(self.db, name, getattr(self.working, name))
        self._bind(copy.deepcopy(self.db))

    def _rollback(self) -> None:
        super()._rollback()
        self._bind(copy.deepcopy(self.db))


class FakeLedger:
    """Auth's wallet in memory: credits each grant id once; `down` makes every credit fail."""

    def __init__(self) -> None:
        self.credits: dict[uuid.UUID, GrantData] = {}
        self.down = False

    def credit(self, *, grant: GrantData) -> dict[str, Any]:
        if self.down:
            raise AuthUnavailableError("ConnectError: auth is down")
        self.credits.setdefault(grant.grant_id, grant)
        return {"balance": sum(g.qty for g in self.credits.values() if g.item == grant.item)}


@dataclass
class Fakes:
    """What a handler test builds on: the fake database, units of work on it, what they
    published, and auth's ledger."""

    db: FakeDatabase = field(default_factory=FakeDatabase)
    published: list[Notification] = field(default_factory=list)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    made: list[FakeProcessingUnitOfWork] = field(default_factory=list)

    def uow(self) -> FakeProcessingUnitOfWork:
        uow = FakeProcessingUnitOfWork(self.db, publish=self.published.extend)
        self.made.append(uow)
        return uow

    @property
    def uow_factory(self) -> Callable[[], FakeProcessingUnitOfWork]:
        return self.uow


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()
