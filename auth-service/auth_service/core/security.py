"""Password hashing and token minting.

argon2id at OWASP's parameters (19 MiB, t=2, p=1). A verify costs tens of milliseconds of CPU,
so callers run it in the threadpool (sync routes), never on the event loop.

A running service hashes in a pool of worker processes, one per core (`start_hashing_pool`,
`auth_service.core.hashing_pool`: one thread wake-up per call, where `ProcessPoolExecutor`
took three):
- fair: the pool's queue is first in, first out, so under a burst no login waits behind many
  that arrived after it (threads racing for a semaphore give no such order, and the unlucky
  ones made the p99 three times the mean);
- no more argon2 passes at once than there are cores: each walks 19 MiB, and more of them at
  once only evict each other from the caches;
- the pool keeps one call queued per process, so a finished verify's core starts the next one
  at once, without waiting for this process's GIL;
- password sign-ins pass `sign_in_gate` first (auth_service.core.admission): a few at a time,
  in arrival order, so the crowd waits there without holding database connections.
Without a pool (tests, scripts) hashing runs in the calling thread.
"""

import base64
import hashlib
import logging
import os
import secrets
import threading
import uuid
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from typing import Any, TypeVar

import jwt
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from passlib.context import CryptContext

from auth_service.core.admission import FairGate
from auth_service.core.hashing_pool import HashingPool

pwd_context = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

logger = logging.getLogger(__name__)


def usable_cores(cpu_max: str = "/sys/fs/cgroup/cpu.max") -> int:
    """Cores this process may run on, within the container's CPU quota (cgroup v2) if any."""
    cores = len(os.sched_getaffinity(0))
    try:
        with open(cpu_max) as handle:
            quota, period = handle.read().split()
        if quota != "max":
            cores = min(cores, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cores)


CORES = usable_cores()
# The default pool size: one process per usable core, at most four (each holds about 60 MiB, and
# a big node without a CPU limit would otherwise get one per node core). Replicas scale further.
DEFAULT_HASH_PROCESSES = min(CORES, 4)

# Without a pool: a bound on argon2 computations at once in this process (each walks 19 MiB),
# so a burst cannot take all the memory.
_HASH_SLOTS = threading.BoundedSemaphore(4 * CORES)

# Verified against when the user name is unknown, so an unknown name costs the same time as a
# wrong password and the response timing does not reveal which names exist.
_DUMMY_HASH = pwd_context.hash(secrets.token_urlsafe(16))

# A hash made with today's parameters: "$argon2id$v=19$m=19456,t=2,p=1$" and the same salt and
# digest sizes (so the same length). Checked on every sign-in, before passlib parses anything.
_CURRENT_PREFIX = _DUMMY_HASH[: _DUMMY_HASH.rindex("$", 0, _DUMMY_HASH.rindex("$")) + 1]


def needs_rehash(hashed: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (then the sign-in
    upgrades it while it knows the password). The common answer, no, without parsing."""
    if hashed.startswith(_CURRENT_PREFIX) and len(hashed) == len(_DUMMY_HASH):
        return False
    return bool(pwd_context.needs_update(hashed))


ALGORITHM = "RS256"
INTERNAL_AUDIENCE = "quest-internal"
SERVICE_ROLE = "service"

# Sign-ins inside at once: without a pool, as many as may hash at once; with one, three per
# process (one verifying, one queued behind it, one reading or committing).
_UNPOOLED_SIGN_INS = 4 * CORES
sign_in_gate = FairGate(_UNPOOLED_SIGN_INS)

_pool: HashingPool | None = None
_pool_lock = threading.Lock()
_T = TypeVar("_T")


def _hash(password: str) -> str:
    return pwd_context.hash(password)


def _verify(password: str, hashed: str) -> bool:
    try:
        return pwd_context.verify(password, hashed)
    except (ValueError, TypeError):
        return False


def start_hashing_pool(processes: int = DEFAULT_HASH_PROCESSES) -> None:
    """Hash in `processes` worker processes from now on; returns once each has done a verify
    (spawning and importing take a while, and the first logins should not pay for it)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            return
        pool = HashingPool(processes)
        # One warm-up verify per process, at once: each worker takes the next one waiting.
        warm = [
            threading.Thread(target=pool.call, args=(_verify, "warm-up", _DUMMY_HASH))
            for _ in range(processes)
        ]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        _pool = pool
        sign_in_gate.resize(3 * processes)


def stop_hashing_pool() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
        sign_in_gate.resize(_UNPOOLED_SIGN_INS)
    if pool is not None:
        pool.shutdown()


def _run(function: Callable[..., _T], *args: str) -> _T:
    global _pool
    pool = _pool
    if pool is not None:
        try:
            return pool.call(function, *args)
        except BrokenProcessPool:
            # A worker died (e.g. killed for memory): hash here rather than fail the login.
            logger.exception("password hashing pool broken; hashing in this process from now")
            with _pool_lock:
                if _pool is pool:
                    _pool = None
                    sign_in_gate.resize(_UNPOOLED_SIGN_INS)
    with _HASH_SLOTS:
        return function(*args)


def hash_password(password: str) -> str:
    return _run(_hash, password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Constant work whether or not the user exists (`hashed=None` verifies a dummy hash)."""
    if hashed is None:
        _run(_verify, password, _DUMMY_HASH)
        return False
    return _run(_verify, password, hashed)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    # A refresh token has 256 random bits: a plain SHA-256 is enough (no salt/stretching needed).
    return hashlib.sha256(token.encode()).hexdigest()


# Domain separation: the sealing key is a different hash of the token than the stored one, so
# the database (which holds `hash_refresh_token(token)`) cannot open what it keeps sealed.
_SUCCESSOR_KEY_CONTEXT = b"quest refresh-token successor\x00"


def _successor_key(spent: str) -> bytes:
    return hashlib.sha256(_SUCCESSOR_KEY_CONTEXT + spent.encode()).digest()


def seal_successor(*, spent: str, successor: str) -> str:
    """The successor of `spent`, encrypted (AES-GCM) with a key only `spent`'s holder can
    derive: a refresh racing the one that spent `spent` gets the same successor back, while
    the database never holds a usable token."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_successor_key(spent)).encrypt(nonce, successor.encode(), None)
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal_successor(*, spent: str, sealed: str) -> str | None:
    """`seal_successor` undone; None when `sealed` was not sealed for `spent`."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(_successor_key(spent)).decrypt(raw[:12], raw[12:], None).decode()
    except (InvalidTag, ValueError):
        return None


def mint_jwt(
    *,
    private_key: Any,
    kid: str,
    issuer: str,
    audience: str,
    subject: str,
    role: str,
    name: str | None,
    now: datetime,
    lifetime: timedelta,
    extra: dict[str, Any] | None = None,
) -> str:
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "role": role,
        "iat": int(now.timestamp()),
        # Finer than `iat`, so "issued before the ban" is exact (quest_common.access).
        "iat_ms": int(now.timestamp() * 1000),
        "exp": int((now + lifetime).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    if name is not None:
        claims["name"] = name
    if extra:
        claims.update(extra)
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})
