"""Per-client rate limit of ingestion: a token bucket per client id, in this process's memory.

Each client's bucket holds up to `burst` events and refills at `rate_per_s`; a request of n
events takes n at once or nothing (429 with the seconds until n are there). Each API replica
keeps its own buckets: behind n replicas a client may send up to n times the rate, which the
generous defaults allow for. Buckets that refilled completely are dropped now and then, so the
map stays as small as the set of clients sending right now.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# A full bucket is forgotten after this many `take` calls look at the map again.
_SWEEP_EVERY = 1024


@dataclass(slots=True)
class Bucket:
    tokens: float
    at: float  # monotonic time of `tokens`


class TokenBuckets:
    def __init__(
        self,
        *,
        rate_per_s: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def take(self, key: str, n: int = 1) -> int:
        """Take n tokens of `key`'s bucket: 0 when taken, else the whole seconds (at least 1)
        to wait until n are there; then nothing is taken. More than `burst` at once never fits:
        the answer is the time until the bucket is full, and it is refused again then, so a
        caller's request size must stay within the burst (the batch limit does)."""
        now = self._clock()
        with self._lock:
            self._calls += 1
            if self._calls % _SWEEP_EVERY == 0:
                self._sweep(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = Bucket(tokens=float(self.burst), at=now)
            else:
                elapsed = max(0.0, now - bucket.at)
                bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate_per_s)
                bucket.at = now
            if bucket.tokens >= n:
                bucket.tokens -= n
                return 0
            missing = min(float(n), float(self.burst)) - bucket.tokens
            return max(1, math.ceil(missing / self.rate_per_s))

    def _sweep(self, now: float) -> None:
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.at) * self.rate_per_s >= self.burst
        ]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)
