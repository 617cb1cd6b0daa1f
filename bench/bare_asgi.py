"""The bare ASGI app the benchmarks measure their services' bounds with: served by the same
uvicorn with the same flags, it is what this server stack costs when the application does
nothing.

- GET (the catalog benchmark): answers with the bytes and headers the catalog sent for the
  benchmarked list (read from `BENCH_BODY_FILE`, ETag from `BENCH_ETAG`), or 304 when
  `If-None-Match` carries that ETag.
- POST (the ingest benchmark): reads the whole body, parses it as JSON and answers 202
  `{"accepted": <len(events)>, "duplicates": 0}`, as ingestion answers a batch.

    BENCH_BODY_FILE=body.json BENCH_ETAG='"abc"' uvicorn --app-dir bench bare_asgi:app
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

_BODY_FILE = os.environ.get("BENCH_BODY_FILE")
BODY = Path(_BODY_FILE).read_bytes() if _BODY_FILE else b""
ETAG = os.environ.get("BENCH_ETAG", "").encode()
COMMON = [(b"etag", ETAG), (b"cache-control", b"no-cache")]
FULL = [*COMMON, (b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if scope["method"] == "POST":
        await accept(receive, send)
        return
    for name, value in scope["headers"]:
        if name == b"if-none-match" and value == ETAG:
            await send({"type": "http.response.start", "status": 304, "headers": COMMON})
            await send({"type": "http.response.body", "body": b""})
            return
    await send({"type": "http.response.start", "status": 200, "headers": FULL})
    await send({"type": "http.response.body", "body": BODY})


async def accept(receive: Any, send: Any) -> None:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    events = json.loads(b"".join(chunks))["events"]
    answer = b'{"accepted":%d,"duplicates":0}' % len(events)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
    await send({"type": "http.response.start", "status": 202, "headers": headers})
    await send({"type": "http.response.body", "body": answer})
