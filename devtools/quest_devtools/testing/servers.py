"""A service's real server process, as tests and benchmarks start it: its command line, and
starting, awaiting and stopping it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import httpx

from quest_devtools.testing.waiting import wait_for

StartServer = Callable[[Mapping[str, str]], str]


def uvicorn_argv(
    factory: str, *, port: int, workers: int | None = None, options: Sequence[str] = ()
) -> list[str]:
    """`python -m uvicorn --factory <factory>` on 127.0.0.1:`port`, logging warnings only."""
    argv = [sys.executable, "-m", "uvicorn", "--factory", factory]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    return [*argv, *options, "--log-level", "warning"]


@contextmanager
def uvicorn_processes(factory: str, *, name: str, ready_s: float) -> Iterator[StartServer]:
    """`start(env)` → the base URL of a real `uvicorn --factory <factory>` process on a free
    port with `env` as its environment, once its `/readyz` answers 200 (at most `ready_s`);
    every process started is stopped on exit (SIGTERM, then SIGKILL after 15 s)."""
    from quest_devtools.devstack import free_port

    processes: list[subprocess.Popen[bytes]] = []

    def start(env: Mapping[str, str]) -> str:
        port = free_port()
        process = subprocess.Popen(uvicorn_argv(factory, port=port), env=dict(env))  # noqa: S603
        processes.append(process)
        base = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            assert process.poll() is None, f"{name} exited during start-up"
            try:
                return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout=ready_s, interval=0.1)
        return base

    try:
        yield start
    finally:
        for process in processes:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL when it has not exited within 15 s."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
