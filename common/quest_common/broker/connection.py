"""pika connections with settings that fit a service: heartbeats, bounded connect and block times,
and several broker nodes to choose from.

`AMQP_URL` may hold one URL or a comma-separated list (the nodes of a RabbitMQ cluster). A client
connects to the first node that answers and, after losing a connection, starts its next attempt
at the node after the one it lost: a stopped node refuses at once, a node that was only cut
off may hang until the socket timeout, and either way the others are tried in the same attempt.

`pika.BlockingConnection` is not thread-safe: every thread that talks to the broker opens its own,
and keeps its own `BrokerNodes`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

import pika
from pika.exceptions import AMQPConnectionError, AMQPError

logger = logging.getLogger(__name__)


class BrokerUnavailableError(AMQPConnectionError):
    """No node of the list accepted a connection (the message names each node's failure)."""


def broker_urls(value: str | Sequence[str]) -> list[str]:
    """The node URLs of `AMQP_URL`: one URL, or several separated by commas."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    urls = [part.strip() for part in parts if part.strip()]
    if not urls:
        raise ValueError("no broker URL given (AMQP_URL is empty)")
    return urls


def node_label(url: str) -> str:
    """`host:port` of a node URL, without the credentials, for logs."""
    parts = urlsplit(url)
    return f"{parts.hostname or '?'}:{parts.port or 5672}"


def parameters(url: str, *, name: str, heartbeat_s: int = 30) -> pika.URLParameters:
    params = pika.URLParameters(url)
    params.heartbeat = heartbeat_s
    params.blocked_connection_timeout = 30
    params.socket_timeout = 5
    params.stack_timeout = 10
    # One try per node and attempt: the callers' loops own the waiting (capped backoff).
    params.connection_attempts = 1
    params.client_properties = {"connection_name": name}
    return params


def _reason(exc: BaseException) -> str:
    text = str(exc) or repr(exc)
    return f"{type(exc).__name__}: {text}"[:200]


class BrokerNodes:
    """The nodes one client may connect to, and where its next attempt starts."""

    def __init__(self, url: str | Sequence[str], *, name: str, heartbeat_s: int = 30) -> None:
        self.urls = broker_urls(url)
        self.name = name
        self.heartbeat_s = heartbeat_s
        self._start = 0
        self._recovering = False
        self.current: str | None = None  # the node of the last connection made

    def connect(self) -> pika.BlockingConnection:
        """A connection to the first node that answers, trying each once from where the last
        loss left off; `BrokerUnavailableError` when none does."""
        failures: list[str] = []
        count = len(self.urls)
        for step in range(count):
            index = (self._start + step) % count
            url = self.urls[index]
            try:
                connection = pika.BlockingConnection(
                    parameters(url, name=self.name, heartbeat_s=self.heartbeat_s)
                )
            except (AMQPError, OSError) as exc:
                failures.append(f"{node_label(url)} ({_reason(exc)})")
                continue
            self._start = index
            self.current = node_label(url)
            if self._recovering or step:
                logger.info("%s: connected to broker node %s", self.name, self.current)
            self._recovering = False
            return connection
        self._recovering = True
        raise BrokerUnavailableError("no broker node answered: " + "; ".join(failures))

    def lost(self) -> None:
        """The connection broke: the next attempt starts at the next node (in a cluster, the one
        just lost is likely the one going down)."""
        self._recovering = True
        self._start = (self._start + 1) % len(self.urls)


def connect(
    url: str | Sequence[str], *, name: str, heartbeat_s: int = 30
) -> pika.BlockingConnection:
    """One connection to the first node of `url` that answers (for short-lived uses)."""
    return BrokerNodes(url, name=name, heartbeat_s=heartbeat_s).connect()


def broker_check(url: str) -> None:
    """Raise when no broker node accepts a connection; used by `/readyz`."""
    connection = connect(url, name="readiness-check")
    connection.close()
