"""A first-come, first-served gate for the password sign-in.

A sign-in holds a database connection (and its account's row lock) from its first read to its
commit, and most of that time is spent waiting for an argon2 verify. Letting every request in
at once only queues them on the connection pool and the hashing pool, where later arrivals can
overtake earlier ones: a thread woken for a returned connection races fresh threads for it.
Behind this gate at most `slots` sign-ins are inside, enough to keep every hashing process busy
with one verify queued behind it, and the rest wait here, without a connection, strictly in
the order they came. A freed slot is handed to the oldest waiter, never to a newcomer.
"""

import threading
from collections import deque
from contextlib import ContextDecorator


class FairGate(ContextDecorator):
    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self._lock = threading.Lock()
        self._slots = slots
        self._free = slots
        self._waiters: deque[threading.Lock] = deque()

    @property
    def slots(self) -> int:
        return self._slots

    def resize(self, slots: int) -> None:
        """Change the number of slots; holders already inside keep theirs."""
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        with self._lock:
            self._free += slots - self._slots
            self._slots = slots
            while self._free > 0 and self._waiters:
                self._free -= 1
                self._waiters.popleft().release()

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiters)

    def acquire(self) -> None:
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return
            # A lock taken here and released by whoever frees a slot: the slot passes to this
            # waiter directly, so nobody arriving meanwhile can take it first.
            baton = threading.Lock()
            baton.acquire()
            self._waiters.append(baton)
        baton.acquire()

    def release(self) -> None:
        with self._lock:
            if self._waiters and self._free >= 0:
                self._waiters.popleft().release()
            else:
                self._free += 1

    def __enter__(self) -> "FairGate":
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()  # whether or not the sign-in failed: the slot is always given back
