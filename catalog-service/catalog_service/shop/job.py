"""The redemption settlement job: a named thread of the catalog's API process that finishes (or
releases) the redemptions auth did not answer, once it answers again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from catalog_service.core.uow import UnitOfWork
from catalog_service.shop.service import settle_due
from catalog_service.shop.wallet import Wallet

log = logging.getLogger(__name__)

JOB_NAME = "redemption-settlement"


class SettlementJob:
    """Every `poll_s`, settles the pending redemptions whose retry time has come. Each one is
    retried with capped backoff (`max_backoff_s`), so one is settled at most that long plus a
    poll after auth is back."""

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        wallet: Wallet,
        poll_s: float,
        max_backoff_s: float,
    ) -> None:
        self.uow_factory = uow_factory
        self.wallet = wallet
        self.poll_s = poll_s
        self.max_backoff_s = max_backoff_s
        self.settled = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        settled = settle_due(
            uow_factory=self.uow_factory, wallet=self.wallet, max_backoff_s=self.max_backoff_s
        )
        self.settled += settled
        return settled

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                # The database away, say: the next round tries again, nothing is lost (the
                # redemptions stay pending in the table).
                log.exception("%s round failed", JOB_NAME)
            self._stop.wait(self.poll_s)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=JOB_NAME, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
