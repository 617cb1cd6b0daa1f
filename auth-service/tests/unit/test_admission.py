"""The sign-in gate: bounded, first come first served, and resizable. Real threads, no I/O."""

import threading
import time
from collections.abc import Callable

import pytest

from auth_service.core import security
from auth_service.core.admission import FairGate


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.001)


def _queue_waiters(
    gate: FairGate, count: int, admitted: list[int], leave: threading.Event | None = None
) -> list[threading.Thread]:
    """Start `count` threads one after the other, each only once the previous one is waiting,
    so their arrival order is known; each records its number when admitted and leaves (once
    `leave` is set, if given)."""
    threads = []
    for number in range(count):

        def enter(number: int = number) -> None:
            with gate:
                admitted.append(number)
                if leave is not None:
                    leave.wait(5)

        thread = threading.Thread(target=enter)
        thread.start()
        threads.append(thread)
        _until(lambda queued=number + 1: gate.waiting() == queued)
    return threads


def test_waiters_are_admitted_in_arrival_order() -> None:
    gate = FairGate(1)
    gate.acquire()
    admitted: list[int] = []
    threads = _queue_waiters(gate, 12, admitted)
    # Each freed slot is handed over inside release(), to the oldest waiter: a thread arriving
    # meanwhile could not take it, even before the waiter runs.
    gate.release()
    for thread in threads:
        thread.join(5)
    assert admitted == list(range(12))
    assert gate.waiting() == 0
    # Everyone left again, so the one slot is free once more.
    assert _acquire_within(gate, 1.0)
    gate.release()


def _acquire_within(gate: FairGate, seconds: float) -> bool:
    got = threading.Event()

    def take() -> None:
        gate.acquire()
        got.set()

    threading.Thread(target=take, daemon=True).start()
    return got.wait(seconds)


def test_never_more_holders_than_slots() -> None:
    gate = FairGate(3)
    inside = peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, peak
        for _ in range(200):
            with gate:
                with lock:
                    inside += 1
                    peak = max(peak, inside)
                time.sleep(0)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert inside == 0
    assert peak == 3


def test_a_full_gate_blocks_until_a_release() -> None:
    gate = FairGate(2)
    gate.acquire()
    gate.acquire()
    assert not _acquire_within(gate, 0.1)
    gate.release()  # hands the slot to the thread still waiting from above
    _until(lambda: gate.waiting() == 0)


def test_growing_admits_waiters_and_shrinking_keeps_holders() -> None:
    gate = FairGate(1)
    gate.acquire()
    admitted: list[int] = []
    leave = threading.Event()
    threads = _queue_waiters(gate, 3, admitted, leave)
    gate.resize(3)  # two more slots: the two oldest waiters enter (in either order: both at once)
    _until(lambda: len(admitted) == 2)
    assert sorted(admitted) == [0, 1]
    gate.resize(1)  # three holders keep their slots; the last waiter needs all three back
    leave.set()
    threads[0].join(5)
    threads[1].join(5)
    assert sorted(admitted) == [0, 1]
    assert gate.waiting() == 1
    gate.release()
    for thread in threads:
        thread.join(5)
    assert admitted[2] == 2
    assert gate.slots == 1
    assert _acquire_within(gate, 1.0)
    assert not _acquire_within(gate, 0.1)


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        FairGate(0)
    with pytest.raises(ValueError):
        FairGate(1).resize(0)


def test_the_hashing_pool_sizes_the_sign_in_gate() -> None:
    unpooled = security.sign_in_gate.slots
    security.start_hashing_pool(1)
    try:
        assert security.sign_in_gate.slots == 3
        assert security.verify_password("x", security.hash_password("x"))
    finally:
        security.stop_hashing_pool()
    assert security.sign_in_gate.slots == unpooled
