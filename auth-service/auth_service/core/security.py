"""Password hashing and token minting.

argon2id at OWASP's parameters (19 MiB, t=2, p=1). A verify costs tens of milliseconds of CPU,
so callers run it in the threadpool (sync routes), never on the event loop.
"""

import hashlib
import os
import secrets
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
from passlib.context import CryptContext

pwd_context = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# A bound on argon2 computations at once (each walks 19 MiB), so a burst of logins cannot take
# all the memory. Not one per core: with exactly that many slots a finished verify hands its
# slot to a thread that must first win the GIL (up to the 5 ms switch interval) while the
# finisher runs its SQL, so a core sits idle at every hand-off; measured at concurrency 8 that
# cost about a third of the throughput. Four per core keeps verifies queued for every core.
_HASH_SLOTS = threading.BoundedSemaphore(4 * max(1, len(os.sched_getaffinity(0))))

# Verified against when the user name is unknown, so an unknown name costs the same time as a
# wrong password and the response timing does not reveal which names exist.
_DUMMY_HASH = pwd_context.hash(secrets.token_urlsafe(16))

ALGORITHM = "RS256"
INTERNAL_AUDIENCE = "quest-internal"
SERVICE_ROLE = "service"


def hash_password(password: str) -> str:
    with _HASH_SLOTS:
        return pwd_context.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Constant work whether or not the user exists (`hashed=None` verifies a dummy hash)."""
    with _HASH_SLOTS:
        if hashed is None:
            pwd_context.verify(password, _DUMMY_HASH)
            return False
        try:
            return pwd_context.verify(password, hashed)
        except (ValueError, TypeError):
            return False


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    # A refresh token has 256 random bits: a plain SHA-256 is enough (no salt/stretching needed).
    return hashlib.sha256(token.encode()).hexdigest()


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
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})
