"""A throwaway RabbitMQ cluster of a test's own, on loopback, from Debian's `rabbitmq-server`.

The machine's own broker (node `rabbit@localhost` on 5672) is never touched: each node here has
its own node name, AMQP port, distribution port, data and log folders under one root folder, and
reads no system file (`RABBITMQ_CONF_ENV_FILE` points at an empty file of ours, so the system's
`rabbitmq-env.conf` and its `NODENAME` stay out). The nodes and the CLI share one Erlang cookie,
kept in the root folder, which is `HOME` for all of them. Nodes 2 and 3 join node 1 the way an
operator does it by hand: `stop_app`, `join_cluster`, `start_app`.

Every wait is bounded, and `close()` stops every node (SIGKILL to what does not stop) and removes
the root folder, also when a start failed half-way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from quest_devtools.devstack import free_port

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"


class ClusterError(RuntimeError):
    """A node did not start, join or stop in time (the message carries its log's tail)."""


def _tool(path: str, name: str) -> str:
    # Debian's /usr/sbin wrappers switch to the `rabbitmq` user and its HOME (and so to the
    # system broker's cookie); the tools behind them run as whoever calls them.
    if Path(path).is_file():
        return path
    found = shutil.which(name)
    if found is None:
        raise ClusterError(f"{name} not found: install Debian's rabbitmq-server")
    return found


@dataclass
class Node:
    index: int
    name: str
    amqp_port: int
    dist_port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/%2F"

    @property
    def log(self) -> Path:
        return self.folder / "console.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class LocalCluster:
    """`with LocalCluster(root) as cluster:` three joined nodes; `cluster.url` lists them all."""

    def __init__(self, root: Path, *, size: int = 3, start_timeout: float = 90.0) -> None:
        self.root = root
        self.start_timeout = start_timeout
        self.prefix = f"qc{secrets.token_hex(3)}"
        self.server = _tool(SERVER, "rabbitmq-server")
        self.ctl = _tool(CTL, "rabbitmqctl")
        self.nodes = [
            Node(
                index=i,
                name=f"{self.prefix}n{i}@localhost",
                amqp_port=free_port(),
                dist_port=free_port(),
                folder=root / f"node{i}",
            )
            for i in range(1, size + 1)
        ]

    # -- addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Every node's URL, comma-separated: what a service's `AMQP_URL` holds."""
        return ",".join(node.url for node in self.nodes)

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    # -- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> LocalCluster:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        cookie = self.root / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)
        (self.root / "rabbitmq-env.conf").write_text("")
        for node in self.nodes:
            node.folder.mkdir(parents=True, exist_ok=True)
            (node.folder / "enabled_plugins").write_text("[].\n")
            (node.folder / "rabbitmq.conf").write_text(
                f"listeners.tcp.1 = 127.0.0.1:{node.amqp_port}\n"
                # A nearly full test disk must not raise the alarm that blocks every publisher.
                "disk_free_limit.absolute = 1MB\n"
                "log.console = false\n"
                "log.file.level = info\n"
            )
        # The three boot at once (a boot is mostly waiting), then join one after the other.
        for node in self.nodes:
            self.start_node(node, wait=False)
        for node in self.nodes:
            self.await_node(node)
        first = self.nodes[0]
        for node in self.nodes[1:]:
            self.ctl_run(node, "stop_app")
            self.ctl_run(node, "join_cluster", first.name)
            self.ctl_run(node, "start_app")
            self.await_node(node)
        members = self.ctl_run(first, "eval", "length(rabbit_nodes:all_running()).")
        if members.strip() != str(len(self.nodes)):
            raise ClusterError(f"{len(self.nodes)} nodes started, {members.strip()} running")

    def close(self) -> None:
        for node in self.nodes:
            with contextlib.suppress(Exception):
                self.stop_node(node, timeout=20)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- one node --------------------------------------------------------------------------------

    def env(self, node: Node) -> dict[str, str]:
        env = {
            **os.environ,
            "HOME": str(self.root),  # the shared cookie
            "RABBITMQ_CONF_ENV_FILE": str(self.root / "rabbitmq-env.conf"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        env.update(
            {
                "RABBITMQ_NODENAME": node.name,
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(node.amqp_port),
                "RABBITMQ_DIST_PORT": str(node.dist_port),
                "RABBITMQ_CONFIG_FILE": str(node.folder / "rabbitmq.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(node.folder / "enabled_plugins"),
                "RABBITMQ_MNESIA_BASE": str(node.folder / "mnesia"),
                "RABBITMQ_LOG_BASE": str(node.folder / "log"),
                "RABBITMQ_PID_FILE": str(node.folder / "node.pid"),
                # The distribution listens on loopback only, like the system broker's.
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": (
                    "-kernel inet_dist_use_interface {127,0,0,1}"
                ),
            }
        )
        return env

    def ctl_run(self, node: Node, *args: str, timeout: float = 60.0) -> str:
        env = self.env(node)
        # The CLI is an Erlang node too; by default it takes one of 35672-35682, which other
        # runs on this machine share: a free port of its own instead.
        env["RABBITMQ_CTL_DIST_PORT_MIN"] = str(free_port())
        env["RABBITMQ_CTL_DIST_PORT_MAX"] = env["RABBITMQ_CTL_DIST_PORT_MIN"]
        try:
            result = subprocess.run(  # noqa: S603 - argv built here
                [self.ctl, "-n", node.name, "-q", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ClusterError(f"rabbitmqctl {' '.join(args)} on {node.name}: timed out") from exc
        if result.returncode != 0:
            raise ClusterError(
                f"rabbitmqctl {' '.join(args)} on {node.name} exited {result.returncode}: "
                f"{(result.stderr or result.stdout)[-2000:]}"
            )
        return result.stdout

    def start_node(self, node: Node, *, wait: bool = True) -> None:
        if node.running:
            raise ClusterError(f"{node.name} is running already")
        log = node.log.open("ab")
        node.process = subprocess.Popen(  # noqa: S603 - argv built here
            [self.server],
            env=self.env(node),
            cwd=node.folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if wait:
            self.await_node(node)

    def await_node(self, node: Node) -> None:
        """Until the node has booted (`await_startup`), at most `start_timeout`. The CLI fails at
        once while the node has not yet registered its name, so it is asked again."""
        deadline = time.monotonic() + self.start_timeout
        last = ""
        while time.monotonic() < deadline:
            if not node.running:
                raise ClusterError(f"{node.name} exited while booting:\n{self.log_tail(node)}")
            try:
                self.ctl_run(node, "await_startup", "--timeout", "30", timeout=40)
                return
            except ClusterError as exc:
                last = str(exc)
            time.sleep(1)
        raise ClusterError(
            f"{node.name} not up after {self.start_timeout:.0f} s ({last[-300:]}):\n"
            f"{self.log_tail(node)}"
        )

    def stop_node(self, node: Node, *, timeout: float = 60.0) -> None:
        """Stop the node as an operator does (`rabbitmqctl stop`): connections are closed, its
        queue replicas go down; SIGKILL when it has not ended in `timeout`."""
        process = node.process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ClusterError):
                self.ctl_run(node, "stop", timeout=timeout)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=timeout)
        # Whatever is left of the node's process group (the node itself when `stop` failed).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        node.process = None

    def restart_node(self, node: Node) -> None:
        """Start a stopped node again: it rejoins the cluster from its own data."""
        self.start_node(node, wait=True)

    # -- what runs where -------------------------------------------------------------------------

    def running_nodes(self) -> list[Node]:
        return [node for node in self.nodes if node.running]

    def leader(self, queue: str) -> Node:
        """The node whose member of quorum queue `queue` leads it now."""
        asked = self.running_nodes()[0]
        out = self.ctl_run(asked, "list_queues", "name", "leader", "--no-table-headers")
        for line in out.splitlines():
            name, _, leader = line.partition("\t")
            if name == queue:
                return self.node(leader.strip())
        raise ClusterError(f"{queue} not found on {asked.name}:\n{out[-1000:]}")

    def log_tail(self, node: Node, lines: int = 30) -> str:
        logs = [node.log, *sorted((node.folder / "log").glob("*.log"))]
        return "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            for path in logs
            if path.is_file()
        )
