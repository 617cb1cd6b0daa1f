"""Where this API replica runs its simulations: at most `max_running` at once (admission
control: one more is refused with 429 and `Retry-After`), each in a process of a small pool at
a lower CPU priority.

A replay is a CPU-bound Python fold. In a thread of the API process it held the interpreter
lock against the players' requests (their reads slowed tenfold while two ran); in processes of
their own, niced, the players' reads go first and the API's memory stays flat. The pool's
processes are started (spawned, never forked from a process with running threads) on the
first simulation and live until the app stops.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from http import HTTPStatus

from sqlalchemy import Engine

from processing_service.progress.rules import QuestRule
from processing_service.simulation import service
from quest_common.db import make_engine
from quest_common.refusals import ClientError

log = logging.getLogger(__name__)

# How much lower the simulations' processes run than the API (nice 0 → 19: the lowest; they
# get what the API and the database leave over).
NICENESS = 19


class SimulationsBusyError(ClientError, status=HTTPStatus.TOO_MANY_REQUESTS):
    """This replica runs as many simulations as it may: try again once one has finished."""

    def __init__(self, *, max_running: int, retry_after_s: int) -> None:
        super().__init__(f"{max_running} running")
        self.detail = (
            f"At most {max_running} simulations run at once on this server; try again shortly"
        )
        self.headers = {"Retry-After": str(retry_after_s)}


def _start_child(parent_pid: int) -> None:
    """A pool process runs below the API's priority, and ends when the API process is gone
    (killed, say): left alone it would wait for work forever."""
    os.nice(NICENESS)

    def watch_parent() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()


_engines: dict[str, Engine] = {}


def _run_in_child(
    *,
    database_url: str,
    simulation_id: uuid.UUID,
    rule: QuestRule,
    since: datetime,
    until: datetime | None,
) -> None:
    """In a pool process: one engine per database for the process's life."""
    engine = _engines.get(database_url)
    if engine is None:
        engine = _engines[database_url] = make_engine(database_url)
    service.run(engine=engine, simulation_id=simulation_id, rule=rule, since=since, until=until)


class SimulationRunner:
    def __init__(
        self, *, engine: Engine, database_url: str, max_running: int, retry_after_s: int
    ) -> None:
        self.engine = engine
        self.database_url = database_url
        self.max_running = max_running
        self.retry_after_s = retry_after_s
        self._lock = threading.Lock()
        self._running = 0
        self._pool: ProcessPoolExecutor | None = None

    def admit(self) -> None:
        """Take a place, or raise SimulationsBusyError; called before the job is stored, so a
        refused start writes nothing."""
        with self._lock:
            if self._running >= self.max_running:
                raise SimulationsBusyError(
                    max_running=self.max_running, retry_after_s=self.retry_after_s
                )
            self._running += 1

    def release(self) -> None:
        with self._lock:
            self._running = max(self._running - 1, 0)

    def running(self) -> int:
        with self._lock:
            return self._running

    def submit(
        self, *, simulation_id: uuid.UUID, rule: QuestRule, since: datetime, until: datetime | None
    ) -> None:
        """Run an admitted job in the pool; its place is given back when it ends."""
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.max_running,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_child,
                    initargs=(os.getpid(),),
                )
            pool = self._pool
        try:
            future = pool.submit(
                _run_in_child,
                database_url=self.database_url,
                simulation_id=simulation_id,
                rule=rule,
                since=since,
                until=until,
            )
        except Exception as exc:
            self._ended(simulation_id, pool, exc)
            return
        future.add_done_callback(lambda done: self._done(simulation_id, pool, done))

    def _done(
        self, simulation_id: uuid.UUID, pool: ProcessPoolExecutor, done: Future[None]
    ) -> None:
        exc = None if done.cancelled() else done.exception()
        if done.cancelled() or exc is not None:
            self._ended(simulation_id, pool, exc)
        else:
            self.release()

    def _ended(
        self, simulation_id: uuid.UUID, pool: ProcessPoolExecutor, exc: BaseException | None
    ) -> None:
        """A job that ended without writing its own end (its process died, or the pool was
        shut down): say so on its row, and start a fresh pool next time if this one broke."""
        self.release()
        log.error("simulation %s did not finish: %r", simulation_id, exc)
        if isinstance(exc, BrokenProcessPool):
            with self._lock:
                if self._pool is pool:
                    self._pool = None
        try:
            service.mark_failed(self.engine, simulation_id, "the simulation's process ended")
        except Exception:  # the database may be what failed: the row reads stale in 2 minutes
            log.exception("could not mark simulation %s failed", simulation_id)

    def close(self) -> None:
        """Stop the pool (the app stops): running jobs end with their process."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
