"""The unit of work: the one owner of every processing transaction.

`quest_common.uow.SqlUnitOfWork` with processing's notifications: domains hand them to
`uow.notify`; they are stored in the same transaction just before it commits (`before_commit`)
and published only once it has (`after_commit`), so a player is never told of a change that was
rolled back. Leaving the block without `commit()` rolls everything back.

`read_only=True` opens a read-only transaction (the database refuses any write in it): what
the reads of the API and a simulation's replay use, so a read can never write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, text

from processing_service.notifications import service as notifications
from processing_service.notifications.models import Notification
from quest_common.uow import SqlUnitOfWork

Publish = Callable[[list[Notification]], None]


class UnitOfWork(SqlUnitOfWork):
    def __init__(
        self, *, engine: Engine, publish: Publish | None = None, read_only: bool = False
    ) -> None:
        super().__init__(engine)
        self.publish = publish
        self.read_only = read_only
        self._pending: list[Notification] = []
        # What the last commit stored, with their SSE ids (what was published).
        self.stored: list[Notification] = []

    def _begin(self) -> None:
        super()._begin()
        self._pending = []
        if self.read_only:
            self.session.execute(text("SET TRANSACTION READ ONLY"))

    def notify(self, notes: Iterable[Notification]) -> None:
        if not self._pending:
            self.before_commit(self._store_notifications)
        self._pending.extend(notes)

    def _store_notifications(self) -> None:
        stored = notifications.store(session=self.session, notes=self._pending)
        self._pending = []
        self.stored = stored
        if stored and self.publish is not None:
            publish = self.publish
            self.after_commit(lambda: publish(stored))

    def rollback(self) -> None:
        self._pending = []
        super().rollback()

    def driver_connection(self) -> Any:
        """The driver's own connection inside this transaction (a server-side cursor streams
        rows the ORM would buffer)."""
        return self.session.connection().connection.driver_connection


UnitOfWorkFactory = Callable[[], UnitOfWork]
