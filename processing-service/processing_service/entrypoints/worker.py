"""The worker process (shim: `python -m processing_service.worker`): starts what
`bootstrap.build_worker` built — the sign-in, deletion and player consumers, the periodic jobs, the
catalog listener — and stops it all on SIGTERM, the in-flight batch finished and acked."""

from __future__ import annotations

import logging
import threading

from processing_service.bootstrap import build_worker
from processing_service.core.config import Settings, get_settings
from quest_common.logging import configure_logging

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, settings: Settings | None = None) -> None:
        self.process = build_worker(settings or get_settings())
        self.shell = self.process.sign_ins
        self._deletions = threading.Thread(
            target=self.process.deletions.run, name="user-deletions-consumer", daemon=True
        )
        self._players = threading.Thread(
            target=self.process.players.run, name="players-consumer", daemon=True
        )

    def run(self) -> None:
        process = self.process
        process.runtime.start()
        for job in process.jobs.values():
            job.start()
        process.catalog_listener.start()
        self._deletions.start()
        self._players.start()
        try:
            self.shell.run()  # returns after stop(): in-flight batch finished and acked
        finally:
            process.deletions.stop()
            process.players.stop()
            process.catalog_listener.stop()
            for job in process.jobs.values():
                job.stop()
            self._deletions.join(10)
            self._players.join(10)
            process.catalog_listener.join(5)
            for job in process.jobs.values():
                job.join(10)
            process.runtime.close()

    def stop(self) -> None:
        self.shell.stop()


def main() -> None:
    settings = get_settings()
    configure_logging("processing-worker", json_lines=settings.log_json, level=settings.log_level)
    worker = Worker(settings)
    worker.shell.install_signal_handlers()
    log.info("worker consuming %s on %s", settings.sign_in_queue, settings.events_exchange)
    worker.run()
