"""The broker listener threads of this process, for checking that none outlives its owner.

A `BroadcastListener` (the access listener, the SSE fan-out, the quest-change listener) belongs
to an app's lifespan or to a test's fixture; one left running keeps its connection, keeps
retrying what it retries, and logs into whatever stream is open, after the test that started it
and after the run itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from quest_common.broker.broadcast import BroadcastListener


def broadcast_listeners(name: str | None = None) -> set[BroadcastListener]:
    """The broadcast listener threads alive now (only those called `name`, if given)."""
    return {
        thread
        for thread in threading.enumerate()
        if isinstance(thread, BroadcastListener)
        and thread.is_alive()
        and (name is None or thread.name == name)
    }


def still_running(
    threads: Iterable[BroadcastListener], *, grace_seconds: float = 5.0
) -> list[BroadcastListener]:
    """Those of `threads` alive after `grace_seconds`: a stopped listener ends once its poll or
    the work in flight (a snapshot fetch, at most a few seconds) is over; one nobody stopped
    does not end at all."""
    waiting = list(threads)
    deadline = time.monotonic() + grace_seconds
    for thread in waiting:
        thread.join(max(0.0, deadline - time.monotonic()))
    return sorted((t for t in waiting if t.is_alive()), key=lambda t: t.name)
