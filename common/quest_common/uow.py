"""The one unit-of-work shape every service uses: the owner of a transaction.

A service function does its writes inside `with uow:` and calls `uow.commit()` explicitly;
leaving the block without a commit (or through an exception) rolls everything back. Work that
must happen in the same transaction just before the commit (store the notifications or outbox
rows collected on the way) is registered with `before_commit`; work that must happen only once
the commit succeeded (publish, wake a relay, bump a cache) with `after_commit`, so nothing is
announced for a change that was rolled back.

`SqlUnitOfWork` runs on a SQLAlchemy engine; `FakeUnitOfWork` keeps no database and records
what was committed, so handlers are unit-tested without PostgreSQL (services extend both with
the repositories their handlers use).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

Hook = Callable[[], None]


class AbstractUnitOfWork(abc.ABC):
    """Explicit `commit()`, rollback on exit; hooks run around a successful commit."""

    def __init__(self) -> None:
        self._before: list[Hook] = []
        self._after: list[Hook] = []
        self.commits = 0

    def __enter__(self) -> Self:
        self._before, self._after = [], []
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Whatever was not committed is undone: the safe default when a step raised or a
        # caller forgot to commit.
        self._before, self._after = [], []
        self._release()

    def before_commit(self, hook: Hook) -> None:
        """Run `hook` inside the transaction, just before it commits."""
        self._before.append(hook)

    def after_commit(self, hook: Hook) -> None:
        """Run `hook` once the transaction has committed (never after a rollback)."""
        self._after.append(hook)

    def commit(self) -> None:
        before, self._before = self._before, []
        for hook in before:
            hook()
        self._commit()
        self.commits += 1
        after, self._after = self._after, []
        for hook in after:
            hook()

    def rollback(self) -> None:
        self._before, self._after = [], []
        self._rollback()

    def _begin(self) -> None:  # noqa: B027 - optional step, most fakes need none
        """Open what the transaction needs."""

    def _release(self) -> None:
        """Undo what was not committed and free what `_begin` opened."""
        self._rollback()

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def _rollback(self) -> None: ...


class SqlUnitOfWork(AbstractUnitOfWork):
    """A unit of work on one database session.

    `expire_on_commit=False` by default: services return rows that are serialised after the
    commit.
    """

    session: Session

    def __init__(self, engine: Engine, *, expire_on_commit: bool = False) -> None:
        super().__init__()
        self.engine = engine
        self._expire_on_commit = expire_on_commit

    def _begin(self) -> None:
        self.session = Session(self.engine, expire_on_commit=self._expire_on_commit)

    def _release(self) -> None:
        # close() ends an uncommitted transaction with a rollback but, unlike rollback(), leaves
        # the rows already loaded readable: services return them to be serialised after the block.
        self.session.close()

    def _commit(self) -> None:
        self.session.commit()

    def _rollback(self) -> None:
        self.session.rollback()


class FakeUnitOfWork(AbstractUnitOfWork):
    """No database: counts commits and rollbacks for handler tests."""

    def __init__(self) -> None:
        super().__init__()
        self.rollbacks = 0

    def _commit(self) -> None:
        pass

    def _rollback(self) -> None:
        self.rollbacks += 1


UnitOfWorkFactory = Callable[[], AbstractUnitOfWork]
