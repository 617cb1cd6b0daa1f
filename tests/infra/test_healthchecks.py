"""The compose healthcheck one-liners are real programs: run them against stand-ins."""

from __future__ import annotations

import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pika
import pytest

from quest_devtools.testing.plugin import AMQP_URL

# /proc/net/tcp rows: sl, local, remote, state (01 = ESTABLISHED, 0A = LISTEN), ...
HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
TAIL = " 00000000:00000000 00:00000000 00000000 0\n"
CONNECTED_TO_AMQP = "   0: 0100007F:D431 0100007F:1628 01" + TAIL
LISTENING_ON_AMQP = "   1: 00000000:1628 00000000:0000 0A" + TAIL
CLOSING_TO_AMQP = "   2: 0100007F:D432 0100007F:1628 06" + TAIL
CONNECTED_ELSEWHERE = "   3: 0100007F:D433 0100007F:1F40 01" + TAIL


def _command(check: dict[str, Any]) -> list[str]:
    """The healthcheck as argv: CMD-SHELL strings are split the way /bin/sh would."""
    test = check["test"]
    assert test[0] == "CMD-SHELL" and len(test) == 2, test
    return shlex.split(test[1])


def _python_code(check: dict[str, Any]) -> str:
    command = _command(check)
    assert command[:2] == ["python", "-c"] and len(command) == 3, command
    return command[2]


def _run(code: str) -> int:
    return subprocess.run([sys.executable, "-c", code], timeout=30).returncode


@pytest.fixture
def readyz_server() -> Iterator[tuple[int, list[int]]]:
    status = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            code = status[0] if self.path == "/readyz" else 404
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], status
    server.shutdown()
    server.server_close()


def test_readyz_healthcheck_follows_the_service(
    compose: dict[str, Any], readyz_server: tuple[int, list[int]]
) -> None:
    port, status = readyz_server
    code = _python_code(compose["services"]["auth-service"]["healthcheck"])
    assert "http://127.0.0.1:8000/readyz" in code
    code = code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    assert _run(code) == 0
    status[0] = 503  # database or broker unreachable
    assert _run(code) != 0
    for name in ("catalog-service", "processing-service"):
        assert (
            compose["services"][name]["healthcheck"]
            == compose["services"]["auth-service"]["healthcheck"]
        )


def test_worker_healthcheck_needs_an_established_amqp_connection(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    code = _python_code(compose["services"]["processing-worker"]["healthcheck"])
    tcp, tcp6 = tmp_path / "tcp", tmp_path / "tcp6"
    fake = code.replace("'/proc/net/tcp6'", repr(str(tcp6))).replace(
        "'/proc/net/tcp'", repr(str(tcp))
    )
    assert fake != code
    tcp.write_text(HEADER + LISTENING_ON_AMQP + CLOSING_TO_AMQP + CONNECTED_ELSEWHERE)
    assert _run(fake) != 0
    tcp.write_text(HEADER + CONNECTED_TO_AMQP)
    assert _run(fake) == 0
    # An IPv6 connection counts as well; a missing tcp6 file (IPv6 off) is no error.
    tcp.write_text(HEADER)
    tcp6.write_text(HEADER + CONNECTED_TO_AMQP)
    assert _run(fake) == 0
    tcp6.unlink()
    assert _run(fake) != 0


def test_worker_healthcheck_on_this_machine_with_a_real_connection(
    compose: dict[str, Any],
) -> None:
    code = _python_code(compose["services"]["processing-worker"]["healthcheck"])
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        assert _run(code) == 0
    finally:
        connection.close()


def test_worker_liveness_probe_in_kubernetes_is_the_same_check(
    compose: dict[str, Any], repo_root: Path
) -> None:
    import yaml

    worker = yaml.safe_load((repo_root / "deploy" / "k8s" / "processing-worker.yaml").read_text())
    probe = worker["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["exec"]
    assert probe["command"] == _command(compose["services"]["processing-worker"]["healthcheck"])
