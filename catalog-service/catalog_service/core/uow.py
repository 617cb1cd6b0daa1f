"""The catalog's unit of work: the shared shape (explicit `commit()`, rollback on exit), plus
what a catalog commit must tell the rest of the process.

Service functions run `with uow:`, change rows, call `record_change` and `uow.commit()`. Only
after a successful commit does the process learn of it: the read cache gets the new version
(read-your-writes on this replica without waiting for the notification) and the outbox relay is
woken so `QuestChanged` goes out at once rather than at its next poll. One instance serves one
caller at a time: each request or job makes its own (`CatalogRuntime.new_uow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from catalog_service.core.changes import VERSION_INFO_KEY
from quest_common.uow import SqlUnitOfWork

OnVersion = Callable[[int], None]
T = TypeVar("T")


def once_more_after_a_race(attempt: Callable[[], T]) -> T:
    """Run a create-or-update transaction, and once more if it lost an insert race: two seeders
    that created the same name at once, the second one finds the row on its second try."""
    try:
        return attempt()
    except IntegrityError:
        return attempt()


class UnitOfWork(SqlUnitOfWork):
    def __init__(self, engine: Engine, *, on_version: OnVersion | None = None) -> None:
        super().__init__(engine)
        self._on_version = on_version

    def _commit(self) -> None:
        super()._commit()
        # `record_change` left the version it wrote; it is real only now that it committed.
        version = self.session.info.pop(VERSION_INFO_KEY, None)
        if version is not None and self._on_version is not None:
            self._on_version(version)
