"""A stand-in for catalog's quest list and event types: a real HTTP server on a free loopback port
with the same paging shape and ETags as catalog's read front, whose answers a test can hold
back."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class CatalogDouble:
    """`GET /api/catalog/quests` with `If-None-Match`; `hold()` makes the next answer wait, after
    it has read the list, until `release()` — a slow read of what was there before a change.
    `quests` is the list served (every page at once, with its `count`); `event_types` the list
    served under `/api/catalog/event-types`."""

    def __init__(self) -> None:
        self.quests: list[dict[str, Any]] = []
        self.event_types: list[dict[str, Any]] = []
        self.requests: list[int] = []  # status of every answer
        self._hold = threading.Event()
        self._release = threading.Event()
        self.reading = threading.Event()  # a held answer has read the list
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served = (
                    owner.event_types
                    if self.path.startswith("/api/catalog/event-types")
                    else owner.quests
                )
                body = json.dumps({"data": served, "count": len(served)}).encode()
                if owner._hold.is_set():
                    owner._hold.clear()
                    owner.reading.set()
                    owner._release.wait(30)
                etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    owner.requests.append(304)
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                owner.requests.append(200)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def hold(self) -> None:
        self._release.clear()
        self.reading.clear()
        self._hold.set()

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
