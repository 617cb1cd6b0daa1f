"""RS256 signing keys kept in the database, so every replica signs with the same key.

The private key is stored as PKCS#8 PEM encrypted with SIGNING_KEY_PASSPHRASE. The first
replica to start creates it under a PostgreSQL advisory lock (the others wait, then load it).

Rotation (see README): `add` publishes a `next` key in the JWKS without signing with it;
once verifiers have refreshed their JWKS cache, `promote` makes it `active` and the old key
`previous` (still published, its tokens keep verifying); after the longest token lifetime,
`retire` drops `previous` keys from the JWKS. Every replica reloads the key ring periodically.

    python -m auth_service.tokens.keys add|promote|retire|list
"""

import argparse
import base64
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text
from sqlmodel import Session, col, select

from auth_service.core.uow import AuthUnitOfWork
from auth_service.tokens.models import Jwk, Jwks, KeyStatus, SigningKey
from quest_common.db import utcnow

logger = logging.getLogger(__name__)

# Arbitrary constant shared by every replica: the advisory lock that serialises key changes.
_KEY_LOCK_ID = 0x5155_4553_544B  # "QUESTK"


def _b64uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_kid() -> str:
    # Sortable by creation time, unique by its random tail; safe in a URL or header.
    return f"{utcnow():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def generate_key(*, passphrase: str, status: KeyStatus) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encrypted = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = utcnow()
    return SigningKey(
        kid=_new_kid(),
        private_key_pem=encrypted.decode(),
        public_key_pem=public.decode(),
        status=status,
        created_at=now,
        activated_at=now if status == KeyStatus.ACTIVE else None,
    )


def _lock(session: Session) -> None:
    session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _KEY_LOCK_ID})


def _with_status(session: Session, *statuses: KeyStatus) -> list[SigningKey]:
    return list(
        session.exec(
            select(SigningKey)
            .where(col(SigningKey.status).in_([s.value for s in statuses]))
            .order_by(col(SigningKey.created_at))
        ).all()
    )


def ensure_active_key(*, uow: AuthUnitOfWork, passphrase: str) -> None:
    """Create the first signing key unless one exists (safe with several replicas starting)."""
    session = uow.session
    if _with_status(session, KeyStatus.ACTIVE):
        return
    _lock(session)
    if not _with_status(session, KeyStatus.ACTIVE):
        session.add(generate_key(passphrase=passphrase, status=KeyStatus.ACTIVE))
    uow.commit()


def _saved(uow: AuthUnitOfWork, key: SigningKey) -> SigningKey:
    uow.session.add(key)
    uow.commit()
    uow.session.refresh(key)
    return key


def add_next_key(*, uow: AuthUnitOfWork, passphrase: str) -> SigningKey:
    _lock(uow.session)
    return _saved(uow, generate_key(passphrase=passphrase, status=KeyStatus.NEXT))


def promote_next_key(*, uow: AuthUnitOfWork) -> SigningKey:
    session = uow.session
    _lock(session)
    upcoming = _with_status(session, KeyStatus.NEXT)
    if not upcoming:
        raise LookupError("no 'next' key to promote: run `add` first")
    now = utcnow()
    for old in _with_status(session, KeyStatus.ACTIVE):
        old.status = KeyStatus.PREVIOUS
        session.add(old)
    key = upcoming[-1]
    key.status = KeyStatus.ACTIVE
    key.activated_at = now
    return _saved(uow, key)


def retire_previous_keys(*, uow: AuthUnitOfWork) -> int:
    session = uow.session
    _lock(session)
    now = utcnow()
    old = _with_status(session, KeyStatus.PREVIOUS)
    for key in old:
        key.status = KeyStatus.RETIRED
        key.retired_at = now
        session.add(key)
    uow.commit()
    return len(old)


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private_key: Any


@dataclass(frozen=True)
class KeySnapshot:
    active: ActiveKey
    public_keys: dict[str, Any]  # kid -> RSAPublicKey, every published key
    jwks: Jwks


def load_snapshot(*, session: Session, passphrase: str) -> KeySnapshot:
    published = _with_status(session, KeyStatus.NEXT, KeyStatus.ACTIVE, KeyStatus.PREVIOUS)
    active_rows = [k for k in published if k.status == KeyStatus.ACTIVE]
    if not active_rows:
        raise LookupError("no active signing key")
    row = active_rows[-1]
    private = serialization.load_pem_private_key(
        row.private_key_pem.encode(), password=passphrase.encode()
    )
    public_keys: dict[str, Any] = {}
    jwks: list[Jwk] = []
    for key in published:
        public = serialization.load_pem_public_key(key.public_key_pem.encode())
        assert isinstance(public, rsa.RSAPublicKey)
        public_keys[key.kid] = public
        numbers = public.public_numbers()
        jwks.append(
            Jwk(
                kty="RSA",
                kid=key.kid,
                use="sig",
                alg=key.algorithm,
                n=_b64uint(numbers.n),
                e=_b64uint(numbers.e),
            )
        )
    return KeySnapshot(
        active=ActiveKey(kid=row.kid, private_key=private),
        public_keys=public_keys,
        jwks=Jwks(keys=jwks),
    )


class KeyRing:
    """The in-memory copy of the published keys, reloaded every `reload_s` seconds so a
    rotation done on one replica (or by the CLI) reaches all of them. Decrypting the PEM is
    slow on purpose, so it happens on reload, never per request."""

    def __init__(self, *, engine: Any, passphrase: str, reload_s: float = 60.0) -> None:
        self._engine = engine
        self._passphrase = passphrase
        self._reload_s = reload_s
        self._lock = threading.Lock()
        self._snapshot: KeySnapshot | None = None
        self._loaded_at = 0.0

    def start(self) -> None:
        with AuthUnitOfWork(self._engine) as uow:
            ensure_active_key(uow=uow, passphrase=self._passphrase)
        self.reload()

    def reload(self) -> KeySnapshot:
        with AuthUnitOfWork(self._engine) as uow:
            snapshot = load_snapshot(session=uow.session, passphrase=self._passphrase)
        with self._lock:
            self._snapshot = snapshot
            self._loaded_at = time.monotonic()
        return snapshot

    def snapshot(self) -> KeySnapshot:
        with self._lock:
            current, loaded_at = self._snapshot, self._loaded_at
        if current is None:
            return self.reload()
        if time.monotonic() - loaded_at > self._reload_s:
            return self._reload_or_keep(current)
        return current

    def _reload_or_keep(self, current: KeySnapshot) -> KeySnapshot:
        try:
            return self.reload()
        except Exception:
            # A database blip, or an active key this replica cannot decrypt yet (passphrase
            # change in progress): keep signing with the keys we hold, try again later.
            logger.warning("reloading signing keys failed; keeping the current ones", exc_info=True)
            with self._lock:
                self._loaded_at = time.monotonic()
            return current

    def public_key(self, kid: str) -> Any | None:
        current = self.snapshot()
        key = current.public_keys.get(kid)
        if key is None and time.monotonic() - self._loaded_at > 1.0:
            # A kid we do not know may be a key another replica just published.
            key = self._reload_or_keep(current).public_keys.get(kid)
        return key


def main(argv: list[str] | None = None) -> None:
    from auth_service.core.config import get_settings
    from auth_service.core.db import make_engine

    parser = argparse.ArgumentParser(description="Manage the auth service's signing keys.")
    parser.add_argument("command", choices=["add", "promote", "retire", "list"])
    args = parser.parse_args(argv)
    settings = get_settings()
    engine = make_engine(settings.database_url)
    with AuthUnitOfWork(engine) as uow:
        if args.command == "add":
            key = add_next_key(uow=uow, passphrase=settings.signing_key_passphrase)
            print(f"published next key {key.kid}; promote it after the JWKS caches refresh")
        elif args.command == "promote":
            key = promote_next_key(uow=uow)
            print(f"now signing with {key.kid}")
        elif args.command == "retire":
            print(f"retired {retire_previous_keys(uow=uow)} key(s)")
        for key in uow.session.exec(select(SigningKey).order_by(col(SigningKey.created_at))).all():
            print(f"{key.kid}\t{key.status}\tcreated {key.created_at.isoformat()}")


if __name__ == "__main__":
    main()
