"""The worker's grant delivery loop: woken after a batch that created grants, else polling."""

from __future__ import annotations

import logging
import threading
import time

from processing_service.core.config import Settings
from processing_service.grants.auth_client import AuthClient
from processing_service.grants.service import deliver_due
from processing_service.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)


class GrantLoop(threading.Thread):
    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, auth: AuthClient, settings: Settings
    ) -> None:
        super().__init__(name="grant-delivery", daemon=True)
        self.uow_factory = uow_factory
        self.auth = auth
        self.settings = settings
        self._wake = threading.Event()
        self._stop_event = threading.Event()
        self.credited = 0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def run(self) -> None:
        last_cleanup = 0.0
        while not self._stop_event.is_set():
            self._wake.clear()
            try:
                while True:
                    delivered = deliver_due(
                        uow_factory=self.uow_factory,
                        auth=self.auth,
                        max_backoff_s=self.settings.grant_max_backoff_s,
                    )
                    self.credited += delivered.credited
                    if delivered.drained:
                        break
                if time.monotonic() - last_cleanup > 60:
                    with self.uow_factory() as uow:
                        uow.notifications.purge(older_than_s=self.settings.notification_retention_s)
                        uow.commit()
                    last_cleanup = time.monotonic()
            except Exception:
                log.exception("grant delivery round failed")
            self._wake.wait(self.settings.grant_poll_s)
