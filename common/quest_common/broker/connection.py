"""pika connections with settings that fit a service: heartbeats, bounded connect and block times.

`pika.BlockingConnection` is not thread-safe: every thread that talks to the broker opens its own.
"""

from __future__ import annotations

import pika


def parameters(url: str, *, name: str, heartbeat_s: int = 30) -> pika.URLParameters:
    params = pika.URLParameters(url)
    params.heartbeat = heartbeat_s
    params.blocked_connection_timeout = 30
    params.socket_timeout = 5
    params.stack_timeout = 10
    params.connection_attempts = 1
    params.client_properties = {"connection_name": name}
    return params


def connect(url: str, *, name: str, heartbeat_s: int = 30) -> pika.BlockingConnection:
    return pika.BlockingConnection(parameters(url, name=name, heartbeat_s=heartbeat_s))


def broker_check(url: str) -> None:
    """Raise when the broker does not accept a connection; used by `/readyz`."""
    connection = connect(url, name="readiness-check")
    connection.close()
