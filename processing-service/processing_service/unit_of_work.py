"""The unit of work: the one owner of every processing transaction.

`ProcessingUnitOfWork` is the face the handlers see: explicit `commit()`, rollback on exit
(`quest_common.uow`), one repository per table-owning domain (`events`, `progress`, `grants`,
`tombstones`, `players`, `notifications`, `incidents`, `ingested`) and `notify`. Notifications
handed to `notify` are stored in the same transaction just before it commits (`before_commit`) and
published only once it has (`after_commit`), so a player is never told of a change that was
rolled back.

`UnitOfWork` is the PostgreSQL one (its repositories share one session, `uow.session`, which
the admin writes use directly). `read_only=True` opens a read-only transaction (the database
refuses any write in it): the API's reads and a simulation's replay use it, so a read can never
write. The handlers' unit tests use an in-memory one (`tests/unit/conftest.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, text

from processing_service.deletions.repository import SqlTombstones, TombstoneRepository
from processing_service.events.repository import EventRepository, SqlEvents
from processing_service.grants.repository import GrantRepository, SqlGrants
from processing_service.incidents.repository import IncidentRepository, SqlIncidents
from processing_service.ingestion.repository import IngestedEventRepository, SqlIngestedEvents
from processing_service.notifications.models import Notification
from processing_service.notifications.repository import NotificationRepository, SqlNotifications
from processing_service.players.repository import PlayerRepository, SqlPlayers
from processing_service.progress.repository import ProgressRepository, SqlProgress
from quest_common.uow import AbstractUnitOfWork, SqlUnitOfWork

Publish = Callable[[list[Notification]], None]


class ProcessingUnitOfWork(AbstractUnitOfWork):
    events: EventRepository
    progress: ProgressRepository
    grants: GrantRepository
    tombstones: TombstoneRepository
    players: PlayerRepository
    notifications: NotificationRepository
    incidents: IncidentRepository
    ingested: IngestedEventRepository

    def _init_notifications(self, publish: Publish | None) -> None:
        """Called by each concrete unit of work's `__init__` (after its base's)."""
        self.publish = publish
        self._pending: list[Notification] = []
        # What the last commit stored, with their SSE ids (what was published).
        self.stored: list[Notification] = []

    def notify(self, notes: Iterable[Notification]) -> None:
        if not self._pending:
            self.before_commit(self._store_notifications)
        self._pending.extend(notes)

    def _store_notifications(self) -> None:
        stored = self.notifications.store(self._pending)
        self._pending = []
        self.stored = stored
        if stored and self.publish is not None:
            publish = self.publish
            self.after_commit(lambda: publish(stored))

    def rollback(self) -> None:
        self._pending = []
        super().rollback()


class UnitOfWork(ProcessingUnitOfWork, SqlUnitOfWork):
    def __init__(
        self, *, engine: Engine, publish: Publish | None = None, read_only: bool = False
    ) -> None:
        SqlUnitOfWork.__init__(self, engine)
        self._init_notifications(publish)
        self.read_only = read_only

    def _begin(self) -> None:
        super()._begin()
        self._pending = []
        session = self.session
        if self.read_only:
            session.execute(text("SET TRANSACTION READ ONLY"))
        self.events = SqlEvents(session)
        self.progress = SqlProgress(session)
        self.grants = SqlGrants(session)
        self.tombstones = SqlTombstones(session)
        self.players = SqlPlayers(session)
        self.notifications = SqlNotifications(session)
        self.incidents = SqlIncidents(session)
        self.ingested = SqlIngestedEvents(session)

    def driver_connection(self) -> Any:
        """The driver's own connection inside this transaction (a server-side cursor streams
        rows the ORM would buffer)."""
        return self.session.connection().connection.driver_connection


UnitOfWorkFactory = Callable[[], ProcessingUnitOfWork]
# What the admin writes take: they write their own tables through `uow.session`.
SqlUnitOfWorkFactory = Callable[[], UnitOfWork]
