"""The operations figures as Prometheus gauges, computed when `/metrics` is scraped."""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from processing_service.ops.service import ProcessingOps

log = logging.getLogger(__name__)


class OpsCollector(Collector):
    def __init__(self) -> None:
        self.source: Callable[[], ProcessingOps] | None = None

    def describe(self) -> list[GaugeMetricFamily]:
        return list(families(None))  # names only: registering must not query anything

    def collect(self) -> list[GaugeMetricFamily]:
        if self.source is None:
            return []
        try:
            return list(families(self.source()))
        except Exception:
            log.warning("operations figures unavailable for this scrape", exc_info=True)
            return []


def families(ops: ProcessingOps | None) -> tuple[GaugeMetricFamily, ...]:
    depth = GaugeMetricFamily("sign_in_queue_depth", "Ready messages in the sign-in queue")
    consumers = GaugeMetricFamily("sign_in_queue_consumers", "Consumers of the sign-in queue")
    dead = GaugeMetricFamily("dead_letters", "Dead letters not replayed")
    pending = GaugeMetricFamily("grants_pending", "Reward grants not yet credited")
    lag = GaugeMetricFamily("worker_lag_seconds", "Worker lag (see the ops module's definition)")
    minted = GaugeMetricFamily(
        "minted", "Rewards credited in the window", labels=["window", "item"]
    )
    if ops is not None:
        depth.add_metric([], ops.sign_in_queue.depth)
        consumers.add_metric([], ops.sign_in_queue.consumers)
        dead.add_metric([], ops.dead_letters)
        pending.add_metric([], ops.grants_pending)
        lag.add_metric([], ops.worker_lag_s)
        for window, figures in (("hour", ops.minted.last_hour), ("day", ops.minted.last_day)):
            minted.add_metric([window, "diamond"], figures.diamond)
            minted.add_metric([window, "gold"], figures.gold)
    return depth, consumers, dead, pending, lag, minted


_collector: OpsCollector | None = None


def expose_ops_metrics(source: Callable[[], ProcessingOps]) -> None:
    """Serve the figures on `/metrics` (the last app built in a process wins, as for the outbox)."""
    global _collector
    if _collector is None:
        _collector = OpsCollector()
        REGISTRY.register(_collector)
    _collector.source = source
