"""The hashing pool: first come first served, and a dead worker never hangs a login. Real
worker processes (spawned), no I/O."""

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool

import pytest

from auth_service.core import security
from auth_service.core.hashing_pool import HashingPool


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.001)


def test_calls_run_in_the_order_they_came() -> None:
    pool = HashingPool(1)
    try:
        assert pool.call(os.getpid) != os.getpid()
        busy = threading.Thread(target=pool.call, args=(time.sleep, 0.3))
        busy.start()
        _until(lambda: len(pool._calls) == 1)
        # Queued one after the other while the only worker sleeps: each one's start time
        # (CLOCK_MONOTONIC, one clock for every process) follows its predecessor's.
        started: dict[int, int] = {}

        def queue(number: int) -> None:
            started[number] = pool.call(time.monotonic_ns)

        waiting = []
        for number in range(6):
            thread = threading.Thread(target=queue, args=(number,))
            thread.start()
            waiting.append(thread)
            _until(lambda queued=number + 2: len(pool._calls) == queued)
        for thread in [busy, *waiting]:
            thread.join(10)
        assert [started[n] for n in range(6)] == sorted(started.values())
    finally:
        pool.shutdown()


def test_a_call_that_raises_raises_in_the_caller() -> None:
    pool = HashingPool(1)
    try:
        with pytest.raises(ValueError):
            pool.call(int, "not a number")
        assert pool.call(int, "7") == 7  # and the worker goes on
    finally:
        pool.shutdown()


def test_a_killed_worker_breaks_the_pool_and_logins_hash_in_their_thread() -> None:
    security.start_hashing_pool(1)
    try:
        pool = security._pool
        assert pool is not None
        hashed = security.hash_password("correct horse")
        busy: list[BaseException] = []

        def wait_on_sleeper() -> None:
            try:
                pool.call(time.sleep, 30)
            except BrokenProcessPool as exc:
                busy.append(exc)

        sleeper = threading.Thread(target=wait_on_sleeper)
        sleeper.start()
        _until(lambda: len(pool._calls) == 1)
        os.kill(pool.pids[0], signal.SIGKILL)
        sleeper.join(10)
        assert busy  # the call in flight fails rather than hanging
        with pytest.raises(BrokenProcessPool):
            pool.call(os.getpid)
        # The login path falls back to hashing here, and drops the broken pool.
        assert security.verify_password("correct horse", hashed)
        assert security._pool is None
    finally:
        security.stop_hashing_pool()
