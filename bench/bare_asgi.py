"""The catalog benchmark's bound: a bare ASGI app that answers every GET with the bytes and
headers the catalog sent for the benchmarked list (read from `BENCH_BODY_FILE`, ETag from
`BENCH_ETAG`), or 304 when `If-None-Match` carries that ETag. Served by the same uvicorn with the
same flags, it is what this server stack costs when the application does nothing.

    BENCH_BODY_FILE=body.json BENCH_ETAG='"abc"' uvicorn --app-dir bench bare_asgi:app
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
ETAG = os.environ["BENCH_ETAG"].encode()
COMMON = [(b"etag", ETAG), (b"cache-control", b"no-cache")]
FULL = [*COMMON, (b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    for name, value in scope["headers"]:
        if name == b"if-none-match" and value == ETAG:
            await send({"type": "http.response.start", "status": 304, "headers": COMMON})
            await send({"type": "http.response.body", "body": b""})
            return
    await send({"type": "http.response.start", "status": 200, "headers": FULL})
    await send({"type": "http.response.body", "body": BODY})
