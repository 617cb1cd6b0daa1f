"""The shared unit of work: explicit commit, rollback on exit, hooks around a real commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from quest_common.db import make_engine
from quest_common.uow import FakeUnitOfWork, SqlUnitOfWork


def test_hooks_run_around_a_commit_in_order() -> None:
    calls: list[str] = []
    with FakeUnitOfWork() as uow:
        uow.before_commit(lambda: calls.append("before"))
        uow.after_commit(lambda: calls.append("after"))
        assert calls == []
        uow.commit()
    assert calls == ["before", "after"]
    assert uow.commits == 1


def test_leaving_without_commit_rolls_back_and_drops_the_hooks() -> None:
    calls: list[str] = []
    with FakeUnitOfWork() as uow:
        uow.before_commit(lambda: calls.append("before"))
        uow.after_commit(lambda: calls.append("after"))
    assert calls == []
    assert uow.commits == 0
    assert uow.rollbacks == 1


def test_an_exception_rolls_back_and_propagates() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(RuntimeError), uow:
        uow.after_commit(lambda: pytest.fail("published a rolled-back change"))
        raise RuntimeError("boom")
    assert uow.rollbacks == 1


def test_a_failing_before_hook_publishes_nothing() -> None:
    published: list[int] = []

    def broken() -> None:
        raise ValueError("cannot store")

    uow = FakeUnitOfWork()
    with pytest.raises(ValueError), uow:
        uow.before_commit(broken)
        uow.after_commit(lambda: published.append(1))
        uow.commit()
    assert published == []
    assert uow.commits == 0


def test_the_sql_unit_of_work_commits_only_when_told(database_url_factory) -> None:
    engine = make_engine(database_url_factory("uow"), pool_size=1, max_overflow=0)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE uow_probe (n integer)"))
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(text("INSERT INTO uow_probe VALUES (1)"))
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(text("INSERT INTO uow_probe VALUES (2)"))
            uow.commit()
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT n FROM uow_probe")).scalars().all()
        assert rows == [2]
    finally:
        engine.dispose()


class _Base(DeclarativeBase):
    pass


class _Thing(_Base):
    __tablename__ = "uow_thing"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def test_rows_loaded_in_a_committed_unit_stay_readable_after_it(database_url_factory) -> None:
    engine = make_engine(database_url_factory("uow"), pool_size=1, max_overflow=0)
    try:
        _Base.metadata.create_all(engine)
        with SqlUnitOfWork(engine) as uow:
            thing = _Thing(id=1, name="kept")
            uow.session.add(thing)
            uow.commit()
            # Reading after the commit opens a new transaction, which the exit ends.
            reloaded = uow.session.execute(select(_Thing)).scalar_one()
        # Read after the block: a rollback on exit would have expired it (DetachedInstanceError).
        assert reloaded is not None
        assert reloaded.name == "kept"
    finally:
        engine.dispose()
