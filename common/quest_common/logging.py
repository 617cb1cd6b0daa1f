"""Structured logging: JSON lines in containers, readable lines in a terminal.

Every record carries the request id (HTTP) or event id (consumer) of the work it belongs to, taken
from context variables, so one sign-in can be followed across services.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

from starlette.types import Message, Receive, Scope, Send

from quest_common.asgi import HttpMiddleware

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.event_id = event_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and value is not None and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class ReadableFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{name}={getattr(record, name)}"
            for name in ("request_id", "event_id")
            if getattr(record, name, None)
        )
        line = (
            f"{datetime.fromtimestamp(record.created).strftime('%H:%M:%S.%f')[:-3]} "
            f"{record.levelname:<7} {getattr(record, 'service', '-')} {record.name}: "
            f"{record.getMessage()}"
        )
        if ids:
            line += f" [{ids}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(service: str, *, json_lines: bool = False, level: str = "INFO") -> None:
    """Route every logger (ours, uvicorn's, pika's) through one handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else ReadableFormatter())
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    quiet_pika()


def quiet_pika() -> None:
    """pika reports one failed connection attempt in five or six ERROR lines from its connection
    workflow, and a node's loss again on each channel; every one of those failures also reaches
    the project's loops as an exception, which log ONE warning per attempt with its number. So
    pika speaks only when something is beyond that (CRITICAL)."""
    logging.getLogger("pika").setLevel(logging.CRITICAL)


@contextlib.contextmanager
def bind_event_id(event_id: str | None) -> Iterator[None]:
    token = event_id_var.set(event_id)
    try:
        yield
    finally:
        event_id_var.reset(token)


def accepted_request_id(incoming: str) -> str | None:
    """Accept only a sane id from outside: it ends up in every log line."""
    return incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else None


class RequestIdMiddleware(HttpMiddleware):
    """Take `X-Request-ID` from the gateway (or make one), expose it to logs and echo it back."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = accepted_request_id(incoming) or uuid.uuid4().hex
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


AsyncCall = Callable[[], Awaitable[None]]
