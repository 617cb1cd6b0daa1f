"""A lean process pool for password hashing: one FIFO request pipe, one reply pipe.

`concurrent.futures.ProcessPoolExecutor` hands each call through two threads of the calling
process (its manager thread, which pickles and queues the call, and the queue's feeder thread,
which writes it) and back through the manager again, with a Future and its conditions around
it: three thread wake-ups per call, each fighting the web server for the GIL. On the login path
that cost more CPU than the login's own SQL. Here the calling thread writes its request into
the pipe itself and sleeps on a lock of its own; one reader thread takes the replies and wakes
each caller: one wake-up per call.

- First in, first out: the worker processes take requests from one pipe in the order they were
  written, so an early caller never waits behind later ones (no convoy).
- Each process keeps taking the next request as soon as it is done: the queued requests sit in
  the pipe, so a finished verify's core starts the next one at once, without waiting for this
  process's GIL.
- Requests and replies are a few hundred bytes: each is one `write` below `PIPE_BUF`, atomic
  on a pipe, so the writers (threads here, processes there) need no lock. The readers of the
  request pipe (the worker processes) share one, as a message is read in two steps.
- A worker that dies (killed for memory, say) breaks the pool: every waiting call, and every
  later one, raises `BrokenProcessPool`, and the caller falls back to hashing in its thread.
"""

from __future__ import annotations

import itertools
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

_T = TypeVar("_T")


def _serve(requests: Connection, replies: Connection, read_lock: Any) -> None:
    """A worker process: run each request, reply `(call id, ok, value)`; stop on `None`."""
    # Ctrl-C reaches the whole process group; the parent stops the pool in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            with read_lock:
                message = requests.recv_bytes()
        except (EOFError, OSError):  # the parent is gone
            return
        request = pickle.loads(message)  # noqa: S301 - from our own process, over our own pipe
        if request is None:
            return
        call_id, function, args = request
        try:
            reply = (call_id, True, function(*args))
        except Exception as exc:
            reply = (call_id, False, exc)
        replies.send_bytes(pickle.dumps(reply))


class _Call:
    __slots__ = ("done", "ok", "value")

    def __init__(self) -> None:
        self.done = threading.Lock()
        self.done.acquire()  # released by the reader once the reply is in
        self.ok = False
        self.value: Any = None


class HashingPool:
    """`processes` worker processes ("spawn": the service has threads a fork would copy
    mid-step) serving `call(function, *args)` in arrival order."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        request_reader, self._requests = context.Pipe(duplex=False)
        self._replies, reply_writer = context.Pipe(duplex=False)
        # Kept for the pool's life: the children open it by name as they start.
        self._read_lock = read_lock = context.Lock()
        self._processes = [
            context.Process(
                target=_serve,
                args=(request_reader, reply_writer, read_lock),
                name=f"hashing-{i}",
                daemon=True,
            )
            for i in range(processes)
        ]
        for process in self._processes:
            process.start()
        # The children hold their own copies: closed here, a dead child is seen by its sentinel.
        request_reader.close()
        reply_writer.close()
        self._ids = itertools.count()
        self._calls: dict[int, _Call] = {}
        self._lock = threading.Lock()
        self._broken = False
        self._closing = False
        self._reader = threading.Thread(target=self._read_replies, name="hashing-replies")
        self._reader.daemon = True
        self._reader.start()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p.pid is not None]

    def call(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run `function(*args)` in a worker process (first come, first served) and return what
        it returned; raises what it raised, or `BrokenProcessPool`."""
        call = _Call()
        with self._lock:
            if self._broken or self._closing:
                raise BrokenProcessPool("the hashing pool is not running")
            call_id = next(self._ids)
            self._calls[call_id] = call
            self._requests.send_bytes(pickle.dumps((call_id, function, args)))
        call.done.acquire()
        if not call.ok:
            raise call.value
        result: _T = call.value
        return result

    def _read_replies(self) -> None:
        sentinels = [p.sentinel for p in self._processes]
        while True:
            ready = wait([self._replies, *sentinels])
            if self._replies in ready:
                try:
                    message = self._replies.recv_bytes()
                except (EOFError, OSError):
                    self._fail_all()
                    return
                call_id, ok, value = pickle.loads(message)  # noqa: S301 - our own children
                with self._lock:
                    call = self._calls.pop(call_id, None)
                if call is not None:
                    call.ok, call.value = ok, value
                    call.done.release()
                continue
            # A worker ended: on shutdown that is expected (the others may still be finishing
            # the last requests); otherwise the pool is broken.
            if not self._closing:
                self._fail_all()
                return
            sentinels = [s for s in sentinels if s not in ready]
            if not sentinels:
                self._fail_all()
                return

    def _fail_all(self) -> None:
        with self._lock:
            self._broken = True
            calls, self._calls = self._calls, {}
        for call in calls.values():
            call.ok, call.value = False, BrokenProcessPool("a hashing process ended")
            call.done.release()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the workers once they finish the requests already queued."""
        with self._lock:
            self._closing = True
            if not self._broken:
                for _ in self._processes:
                    self._requests.send_bytes(pickle.dumps(None))
        for process in self._processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()
        self._reader.join(timeout)
        self._requests.close()
        self._replies.close()
