"""Named periodic jobs: one background thread per job, each doing one thing.

A job runs every `interval_s` (at once when woken) until stopped. A run that raises is retried
through `quest_common.retry.retry_until_stopped`, after waits that start at the interval and
double up to `max_backoff_s` (five intervals unless given): a lost database or broker is waited
out without hammering it, and the job is back soon after it returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from quest_common.retry import Backoff, retry_until_stopped


class PeriodicJob(threading.Thread):
    def __init__(
        self,
        *,
        name: str,
        work: Callable[[], object],
        interval_s: float,
        max_backoff_s: float | None = None,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.work = work
        self.interval_s = interval_s
        self.max_backoff_s = max_backoff_s if max_backoff_s is not None else 5 * interval_s
        self._wake = threading.Event()
        self._stop_event = threading.Event()

    def wake(self) -> None:
        """Run now rather than at the next interval (work has just arrived)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def _runs(self) -> None:
        while not self._stop_event.is_set():
            self._wake.clear()
            self.work()
            self._wake.wait(self.interval_s)

    def run(self) -> None:
        retry_until_stopped(
            self._runs,
            stop=self._stop_event,
            backoff=Backoff(min(self.interval_s, self.max_backoff_s), self.max_backoff_s),
            what=self.name,
        )
