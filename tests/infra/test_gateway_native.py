"""The real Traefik binary on the native configuration, in front of tiny stand-in backends.

Each stand-in answers with its own name, so the test sees which backend Traefik chose. The
configuration is rendered and Traefik started by quest_devtools.devstack, as `make dev` does.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from quest_devtools.devstack import Ports, Stack, StackConfig

SSE_PATH = "/api/processing/notifications/stream"


@dataclass
class Backend:
    name: str
    server: ThreadingHTTPServer
    # Set by the test once it has read the first SSE event through the gateway.
    client_saw_first_event: threading.Event = field(default_factory=threading.Event)
    released_by_client: list[bool] = field(default_factory=list)


def _start_backend(name: str, port: int) -> Backend:
    backend: Backend

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, delayed ACKs add 40 ms each.
        disable_nagle_algorithm = True

        def _answer(self) -> None:
            if self.path == SSE_PATH:
                self._stream()
                return
            body = json.dumps(
                {
                    "backend": name,
                    "path": self.path,
                    "forwarded_for": self.headers.get("X-Forwarded-For"),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'id: 1\nevent: check_in\ndata: {"streak": 1}\n\n')
            self.wfile.flush()
            # The second event waits until the client has seen the first through the gateway:
            # a buffering proxy would hold the first back and the client would never signal.
            backend.released_by_client.append(backend.client_saw_first_event.wait(timeout=10))
            self.wfile.write(b'id: 2\nevent: quest_completed\ndata: {"completed": 1}\n\n')
            self.wfile.flush()
            self.close_connection = True

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    backend = Backend(name=name, server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return backend


@dataclass
class Gateway:
    url: str
    dashboard_url: str
    log: Path
    access_log: Path
    backends: dict[str, Backend]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    ports = Ports.free()
    backends = {
        name: _start_backend(name, getattr(ports, name))
        for name in ("auth", "catalog", "processing", "frontend")
    }
    run_dir = tmp_path_factory.mktemp("gateway")
    stack = Stack(
        StackConfig(run_dir=run_dir, ports=ports, components=("gateway",), ready_timeout=30)
    )
    try:
        stack.start_component("gateway")
        yield Gateway(
            url=stack.gateway_url,
            dashboard_url=stack.dashboard_url,
            log=stack.log_path("gateway"),
            access_log=stack.config.log_dir / "gateway-access.log",
            backends=backends,
        )
    finally:
        stack.stop()
        for backend in backends.values():
            backend.server.shutdown()
            backend.server.server_close()


@pytest.mark.parametrize(
    ("path", "backend"),
    [
        ("/api/auth/login/access-token", "auth"),
        ("/api/auth/signup", "auth"),
        ("/api/catalog/quests", "catalog"),
        ("/api/processing/me/quests", "processing"),
        ("/", "frontend"),
        ("/admin/quests", "frontend"),
    ],
)
def test_prefixes_reach_their_service_unstripped(gateway: Gateway, path: str, backend: str) -> None:
    response = httpx.get(gateway.url + path, timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["backend"] == backend
    assert body["path"] == path  # the gateway strips nothing
    assert body["forwarded_for"] == "127.0.0.1"


def test_internal_is_not_routed(gateway: Gateway) -> None:
    for path in ("/internal/oauth/token", "/internal/wallet/credits", "/internal"):
        assert httpx.post(gateway.url + path, timeout=5).status_code == 404, path


def test_dot_segments_cannot_reach_internal(gateway: Gateway) -> None:
    # http.client sends the path as written (httpx would normalise it away).
    host, port = gateway.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("POST", "/api/auth/../../internal/wallet/credits")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 404


def test_security_headers_on_every_route(gateway: Gateway) -> None:
    for path in ("/", "/api/auth/users/me", "/api/catalog/quests", "/api/processing/me/quests"):
        headers = httpx.get(gateway.url + path, timeout=5).headers
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path


def test_login_route_is_rate_limited(gateway: Gateway) -> None:
    statuses = []
    with httpx.Client(base_url=gateway.url, timeout=5) as client:
        for _ in range(250):
            statuses.append(client.post("/api/auth/login/access-token").status_code)
    assert 429 in statuses
    assert statuses[0] == 200
    # Other routes are not limited.
    with httpx.Client(base_url=gateway.url, timeout=5) as client:
        assert all(client.get("/api/auth/users/me").status_code == 200 for _ in range(80))


def test_server_sent_events_stream_through_the_gateway(gateway: Gateway) -> None:
    processing = gateway.backends["processing"]
    events: list[str] = []
    with httpx.stream("GET", gateway.url + SSE_PATH, timeout=15) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                events.append(line.removeprefix("event: "))
                processing.client_saw_first_event.set()
    assert events == ["check_in", "quest_completed"]
    assert processing.released_by_client == [True], "the first event was held back (buffered)"


def test_traefik_loaded_everything_and_logged_no_error(gateway: Gateway) -> None:
    middlewares = httpx.get(gateway.dashboard_url + "/api/http/middlewares", timeout=5).json()
    statuses = {m["name"]: m["status"] for m in middlewares}
    for name in ("login-ratelimit@file", "security-headers@file", "retry@file"):
        assert statuses.get(name) == "enabled", statuses
    routers = httpx.get(gateway.dashboard_url + "/api/http/routers", timeout=5).json()
    assert all(r["status"] == "enabled" for r in routers), routers
    log = gateway.log.read_text()
    assert "Starting provider *file.Provider" in log
    errors = [line for line in log.splitlines() if re.search(r"\bERR\b", line)]
    assert not errors, errors
    assert "/api/catalog/quests" in gateway.access_log.read_text()
