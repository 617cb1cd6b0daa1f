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
    replicas that lost the broker together do not all come back at the same instant.
    `failures` counts the waits handed out since the last reset: the number of the attempt that
    just failed, for the log."""

    def __init__(self, initial: float, maximum: float, *, jitter: bool = False) -> None:
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self._delay = initial
        self.failures = 0

    def reset(self) -> None:
        self._delay = self.initial
        self.failures = 0

    def next(self) -> float:
        """The wait before the next try."""
        self.failures += 1
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
    loop in the log: one WARNING per failed attempt, with its number and the wait, and nothing
    else (an outage of an hour is a few hundred lines, not a flood). `attempt` calls
    `backoff.reset()` itself once its connection is up, so a loss after hours of work starts
    again from the first, short wait."""
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
            logger.warning(
                "%s: attempt %d failed (%s: %s), next in %.1f s",
                what,
                backoff.failures,
                type(exc).__name__,
                exc,
                delay,
            )
            stop.wait(delay)
        else:
            backoff.reset()
