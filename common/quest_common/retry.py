"""Retrying a background loop's work after a failure: capped exponential backoff, and the loop
that keeps a connection (to the broker, to PostgreSQL) until it is told to stop.

A lost broker or database is the common failure; retrying at once would hammer it while it comes
back, and retrying at a fixed long interval would keep a service deaf for longer than needed.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Backoff:
    """Waits of `initial`, doubled after each failure up to `maximum`, back to `initial` after a
    success (`reset`). With `jitter`, each wait is drawn from the upper half of its value, so the
    replicas that lost the broker together do not all come back at the same instant."""

    def __init__(self, initial: float, maximum: float, *, jitter: bool = False) -> None:
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self._delay = initial

    def reset(self) -> None:
        self._delay = self.initial

    def next(self) -> float:
        """The wait before the next try."""
        delay = min(self._delay, self.maximum)
        self._delay = min(self._delay * 2, self.maximum)
        if self.jitter:
            delay *= 0.5 + random.random() / 2  # noqa: S311 - spreading, not secrecy
        return delay


def retry_until_stopped(
    attempt: Callable[[], None],
    *,
    stop: threading.Event,
    backoff: Backoff,
    what: str,
    errors: tuple[type[Exception], ...] = (Exception,),
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Run `attempt` (one connection's life: connect, work until `stop`, close) until `stop` is
    set. After one of `errors`: `on_error` (forget what the lost connection held), then, unless
    stopping, wait as `backoff` says (from its first wait on) and try again. `what` names the
    loop in the log."""
    backoff.reset()
    while not stop.is_set():
        try:
            attempt()
        except errors as exc:
            if on_error is not None:
                on_error(exc)
            if stop.is_set():
                return
            delay = backoff.next()
            logger.warning("%s lost (%r), retrying in %.1fs", what, exc, delay)
            stop.wait(delay)
        else:
            backoff.reset()
