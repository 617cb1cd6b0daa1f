"""The unit of work owns every write transaction of the catalog.

Service functions open `uow.transaction()`, change rows and call `record_change`; the unit of work
commits, and only after a successful commit tells the rest of the process: the read cache learns
the new version (read-your-writes on this replica without waiting for the notification) and the
outbox relay is woken so `QuestChanged` goes out at once rather than at its next poll.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog_service.core.changes import VERSION_INFO_KEY

AfterCommit = Callable[[int], None]
T = TypeVar("T")


def once_more_after_a_race(attempt: Callable[[], T]) -> T:
    """Run a create-or-update transaction, and once more if it lost an insert race: two seeders
    that created the same name at once, the second one finds the row on its second try."""
    try:
        return attempt()
    except IntegrityError:
        return attempt()


class UnitOfWork:
    def __init__(self, *, engine: Engine, after_commit: AfterCommit | None = None) -> None:
        self.engine = engine
        self._after_commit = after_commit

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        # expire_on_commit=False: services return rows that are serialized after the commit.
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            version = session.info.pop(VERSION_INFO_KEY, None)
        if version is not None and self._after_commit is not None:
            self._after_commit(version)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session
