"""The service-token client against a real loopback HTTP server playing auth: one token for
many calls, a fresh one once on a 401, and the second answer handed back as it is."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from quest_common.service_client import ServiceTokenClient


class FakeAuth:
    """Issues numbered tokens; accepts only the newest unless told to refuse every token."""

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.refuse_all = False
        self.calls: list[tuple[str, str | None, Any]] = []


@pytest.fixture
def auth() -> Iterator[tuple[FakeAuth, str]]:
    state = FakeAuth()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if self.path == "/internal/oauth/token":
                assert "client_id=processing-service" in body and "client_secret=s3" in body
                state.tokens_issued += 1
                self._answer(200, {"access_token": f"t{state.tokens_issued}", "expires_in": 300})
                return
            header = self.headers.get("Authorization")
            state.calls.append((self.path, header, json.loads(body)))
            if state.refuse_all or header != f"Bearer t{state.tokens_issued}":
                self._answer(401, {"detail": "token expired"})
                return
            self._answer(200, {"ok": True})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def client_for(url: str) -> ServiceTokenClient:
    return ServiceTokenClient(auth_url=url, client_id="processing-service", client_secret="s3")


def test_one_token_serves_many_calls(auth: tuple[FakeAuth, str]) -> None:
    state, url = auth
    client = client_for(url)
    try:
        for n in range(3):
            assert client.post("/internal/wallet/credits", json={"n": n}).status_code == 200
    finally:
        client.close()
    assert state.tokens_issued == 1
    assert [call[2] for call in state.calls] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert {call[1] for call in state.calls} == {"Bearer t1"}


def test_a_refused_token_is_fetched_again_once(auth: tuple[FakeAuth, str]) -> None:
    state, url = auth
    client = client_for(url)
    try:
        assert client.post("/internal/wallet/credits", json={}).status_code == 200
        state.tokens_issued += 1  # auth rotated its key: "t1" is refused from now on
        assert client.post("/internal/wallet/credits", json={}).status_code == 200
        assert state.tokens_issued == 3
        state.refuse_all = True
        before = len(state.calls)
        assert client.post("/internal/wallet/credits", json={}).status_code == 401
        assert len(state.calls) - before == 2  # one retry, no loop
    finally:
        client.close()
