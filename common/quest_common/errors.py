"""Bad input is the client's fault: a 4xx `{"detail": ...}`, never a 5xx (DESIGN §12).

FastAPI's default 422 handler echoes each error's `input` and `ctx`; `json.dumps` cannot encode
an infinite float (`1e999`), a `NaN` or a lone surrogate, so such a body used to turn into a 500
(and a half-sent response the gateway then reported as a 502 on the connection's next request).
The handler here keeps only `type`, `loc` and `msg`, all made encodable, and never the input:
it may be a password.

`BodyGuardMiddleware` (pure ASGI, so it also sees chunked bodies without a Content-Length)
counts the bytes of every request body and answers 413 past the limit before the app parses
anything, and refuses JSON bodies that no route can store: non-finite numbers, lone surrogates
and NUL characters (PostgreSQL text cannot hold NUL).

A refusal the service layer decides (no such user, already taken, too many attempts) is a
`quest_common.refusals.ClientError`: the error carries its status and detail, and the one
handler here answers it, so a route calls the service and never translates its errors one by one.

A database that went away (restarting, cut off, its pool exhausted) is not a bug in the request
either: the request's transaction is rolled back (the unit of work and the session close without
committing), and the client gets a 503 with `Retry-After` at once, never a hang or a 500; the
pool's pre-ping reconnects on the next request once the database is back.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import RouteContext, iter_route_contexts
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from quest_common.refusals import ClientError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# What a lost database raises: the server unreachable or gone mid-query (psycopg's
# OperationalError, raw or wrapped by SQLAlchemy), a connection found closed, no pooled
# connection free within the pool's timeout.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
DATABASE_RETRY_AFTER_S = 2
_MAX_MSG_CHARS = 200

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class UnacceptableJsonError(ValueError):
    """The body is JSON no route can accept; the message is safe to show."""


def safe_text(value: object, *, limit: int = _MAX_MSG_CHARS) -> str:
    """`value` as text that UTF-8 (and so `json.dumps`) can always encode, cut to `limit`."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\\0")


def _safe_loc(part: object) -> str | int:
    return (
        part if isinstance(part, int) and not isinstance(part, bool) else safe_text(part, limit=64)
    )


def public_validation_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic/FastAPI errors without `input` or `ctx`: encodable, and no secret echoed."""
    return [
        {
            "type": safe_text(error.get("type", "value_error"), limit=64),
            "loc": [_safe_loc(part) for part in error.get("loc", ())],
            "msg": safe_text(error.get("msg", "invalid value")),
        }
        for error in errors
    ]


def _reject_constant(name: str) -> Any:
    raise UnacceptableJsonError(f"{name} is not a number this API accepts")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnacceptableJsonError("number out of range")
    return value


def _check_strings(value: Any) -> None:
    # Iterative: a deeply nested body must not hit the recursion limit here.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise UnacceptableJsonError("NUL characters are not accepted")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise UnacceptableJsonError("lone surrogates are not accepted") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_json_body(body: bytes) -> None:
    """Raise `UnacceptableJsonError` unless `body` is JSON every route can safely validate."""
    try:
        parsed = json.loads(body, parse_constant=_reject_constant, parse_float=_finite_float)
    except UnacceptableJsonError:
        raise
    except json.JSONDecodeError as exc:
        raise UnacceptableJsonError(f"malformed JSON at position {exc.pos}") from None
    except (ValueError, RecursionError):
        # Not UTF-8, an integer beyond Python's digit limit, absurd nesting.
        raise UnacceptableJsonError("malformed JSON") from None
    _check_strings(parsed)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _send_json(send: Send, status_code: int, detail: Any) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyGuardMiddleware:
    """Read each request body (at most `max_body_bytes`, else 413), check JSON bodies, then hand
    the body to the app. Buffering is bounded by the limit, and the app buffers it anyway."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body (GET, SSE): nothing to read
            return
        too_large = f"Request body too large (limit {self.max_body_bytes} bytes)"
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _send_json(send, 400, "Invalid Content-Length")
                return
            if declared > self.max_body_bytes:
                await _send_json(send, 413, too_large)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _send_json(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and _is_json(headers.get(b"content-type", b"").decode("latin-1")):
            try:
                check_json_body(body)
            except UnacceptableJsonError as exc:
                detail = [{"type": "json_invalid", "loc": ["body"], "msg": str(exc)}]
                await _send_json(send, 422, detail)
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls wait for the disconnect, as before

        await self.app(scope, replay, send)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": public_validation_errors(exc.errors())},
        status_code=422,
    )


async def _client_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ClientError)
    body = {"detail": exc.detail, **(exc.extra or {})}
    return JSONResponse(body, status_code=int(exc.status), headers=exc.headers)


def allowed_methods(routes: Iterable[BaseRoute | RouteContext], scope: Scope) -> list[str]:
    """Every method some route answers at this request's path. Starlette's 405 names only the
    methods of the first route matching the path, while a path usually has several (GET, PATCH
    and DELETE on `/rewards/{reward_id}` are three routes)."""
    methods: set[str] = set()
    for route in routes:
        match, _ = route.matches(scope)
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods.update(route_methods)
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        routes = iter_route_contexts(request.app.routes)
        allow = ", ".join(allowed_methods(routes, request.scope))
        exc = StarletteHTTPException(exc.status_code, exc.detail, headers={"Allow": allow})
    return await http_exception_handler(request, exc)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # One line, without the statement or its parameters (they may hold personal data).
    logger.warning(
        "%s %s: database unavailable (%s)",
        request.method,
        request.url.path,
        type(exc).__name__,
    )
    return JSONResponse(
        {"detail": "The database is unavailable for a moment; please try again."},
        status_code=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


def install_error_handlers(app: FastAPI, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
    """The one way every service turns bad input and its refusals (`ClientError`) into a 4xx,
    and a lost database into a 503: call it in each app factory."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ClientError, _client_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, _database_unavailable)
    app.add_middleware(BodyGuardMiddleware, max_body_bytes=max_body_bytes)
