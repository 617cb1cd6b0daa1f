"""Command lines for a service's real server process, as tests and benchmarks start it."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def uvicorn_argv(
    factory: str, *, port: int, workers: int | None = None, options: Sequence[str] = ()
) -> list[str]:
    """`python -m uvicorn --factory <factory>` on 127.0.0.1:`port`, logging warnings only."""
    argv = [sys.executable, "-m", "uvicorn", "--factory", factory]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    return [*argv, *options, "--log-level", "warning"]
