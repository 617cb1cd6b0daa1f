"""The unit of work: the one owner of every processing transaction.

Domains write through `uow.session` and hand their notifications to `uow.notify`; `commit()`
stores those notifications in the same transaction, commits, and only then publishes them, so a
player is never told of a change that was rolled back. Leaving the block without `commit()` rolls
everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from processing_service.notifications import service as notifications
from processing_service.notifications.models import Notification

Publish = Callable[[list[Notification]], None]


class UnitOfWork:
    def __init__(self, *, engine: Engine, publish: Publish | None = None) -> None:
        self.engine = engine
        self.publish = publish
        self._pending: list[Notification] = []

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self.engine)
        self._pending = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.session.close()

    def notify(self, notes: Iterable[Notification]) -> None:
        self._pending.extend(notes)

    def commit(self) -> list[Notification]:
        """Store the collected notifications, commit, then publish them (returned with seqs)."""
        stored = notifications.store(session=self.session, notes=self._pending)
        self.session.commit()
        self._pending = []
        if stored and self.publish is not None:
            self.publish(stored)
        return stored

    def rollback(self) -> None:
        self._pending = []
        self.session.rollback()


UnitOfWorkFactory = Callable[[], UnitOfWork]
