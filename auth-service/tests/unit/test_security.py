"""Password hashing, refresh-token hashing and token minting without I/O."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from auth_service.core.config import Settings
from auth_service.core.security import (
    hash_password,
    hash_refresh_token,
    mint_jwt,
    new_refresh_token,
    pwd_context,
    seal_successor,
    unseal_successor,
    verify_password,
)
from auth_service.signin.service import sign_in_event_type
from auth_service.tokens.keys import generate_key
from auth_service.tokens.models import KeyStatus
from auth_service.users.models import UserStatus
from quest_common.events import EventType


def test_argon2id_at_owasp_parameters() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password("correct horse", hashed)
    assert not verify_password("wrong horse", hashed)
    assert not pwd_context.needs_update(hashed)


def test_unknown_user_verifies_a_dummy_and_fails() -> None:
    assert verify_password("anything", None) is False


def test_garbage_hash_is_a_failure_not_a_crash() -> None:
    assert verify_password("x", "not-a-hash") is False


def test_hashing_pool_hashes_and_verifies_in_worker_processes() -> None:
    from auth_service.core import security

    security.start_hashing_pool(1)
    try:
        assert security._pool is not None
        worker_pids = {security._pool.call(os.getpid) for _ in range(3)}
        assert worker_pids and os.getpid() not in worker_pids  # argon2 really runs elsewhere
        hashed = hash_password("correct horse")
        assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert verify_password("correct horse", hashed)
        assert not verify_password("wrong horse", hashed)
        assert verify_password("anything", None) is False
        assert verify_password("x", "not-a-hash") is False
    finally:
        security.stop_hashing_pool()
    assert security._pool is None
    assert verify_password("correct horse", hashed)  # and in-thread again after the stop


def test_the_pool_size_follows_the_containers_cpu_quota(tmp_path: Path) -> None:
    from auth_service.core.security import usable_cores

    cores = len(os.sched_getaffinity(0))
    quota = tmp_path / "cpu.max"
    quota.write_text("150000 100000\n")  # 1.5 CPUs: two processes can be busy
    assert usable_cores(str(quota)) == min(cores, 2)
    quota.write_text("max 100000\n")  # no limit
    assert usable_cores(str(quota)) == cores
    assert usable_cores(str(tmp_path / "absent")) == cores  # cgroup v1 or no cgroup


def test_refresh_tokens_are_random_and_stored_hashed() -> None:
    first, second = new_refresh_token(), new_refresh_token()
    assert first != second and len(first) >= 43
    assert hash_refresh_token(first) == hash_refresh_token(first)
    assert hash_refresh_token(first) != first and len(hash_refresh_token(first)) == 64


def test_generated_key_is_encrypted_and_mints_verifiable_tokens() -> None:
    key = generate_key(passphrase="a-long-passphrase", status=KeyStatus.ACTIVE)
    assert "ENCRYPTED PRIVATE KEY" in key.private_key_pem
    with pytest.raises((TypeError, ValueError)):
        serialization.load_pem_private_key(key.private_key_pem.encode(), password=None)
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(key.private_key_pem.encode(), password=b"wrong")
    private = serialization.load_pem_private_key(
        key.private_key_pem.encode(), password=b"a-long-passphrase"
    )
    now = datetime.now(UTC)
    token = mint_jwt(
        private_key=private,
        kid=key.kid,
        issuer="quest-auth",
        audience="quest-platform",
        subject="u1",
        role="player",
        name="alice",
        now=now,
        lifetime=timedelta(minutes=15),
    )
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
    public = serialization.load_pem_public_key(key.public_key_pem.encode())
    claims = jwt.decode(token, public, algorithms=["RS256"], audience="quest-platform")  # type: ignore[arg-type]
    assert claims["sub"] == "u1" and claims["name"] == "alice" and claims["role"] == "player"
    assert claims["exp"] - claims["iat"] == 900


def test_first_sign_in_is_new_user_sign_in() -> None:
    assert sign_in_event_type(UserStatus.NEW) == EventType.NEW_USER_SIGN_IN
    assert sign_in_event_type(UserStatus.ACTIVE) == EventType.USER_SIGN_IN


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValueError, match="SIGNING_KEY_PASSPHRASE"):
        Settings(environment="production")
    with pytest.raises(ValueError, match="ADMIN_PASSWORD"):
        Settings(
            environment="production",
            signing_key_passphrase="a-real-passphrase-123",
            processing_client_secret="a-real-client-secret-456",
            catalog_client_secret="a-real-catalog-secret-012",
            admin_password="admin-password",
        )
    with pytest.raises(ValueError, match="CATALOG_CLIENT_SECRET"):
        Settings(
            environment="production",
            signing_key_passphrase="a-real-passphrase-123",
            processing_client_secret="a-real-client-secret-456",
            admin_password="a-real-admin-password-789",
        )
    real = Settings(
        environment="production",
        signing_key_passphrase="a-real-passphrase-123",
        processing_client_secret="a-real-client-secret-456",
        catalog_client_secret="a-real-catalog-secret-012",
        admin_password="a-real-admin-password-789",
    )
    assert real.refresh_cookie_secure is True
    assert Settings(environment="development").refresh_cookie_secure is False


def test_a_sealed_successor_opens_only_with_the_spent_token() -> None:
    spent, successor = new_refresh_token(), new_refresh_token()
    sealed = seal_successor(spent=spent, successor=successor)
    assert successor not in sealed
    assert unseal_successor(spent=spent, sealed=sealed) == successor
    # Neither another token nor what the database holds about `spent` (its hash) opens it.
    assert unseal_successor(spent=new_refresh_token(), sealed=sealed) is None
    assert unseal_successor(spent=hash_refresh_token(spent), sealed=sealed) is None
    assert unseal_successor(spent=spent, sealed="not base64 at all!") is None
    assert len(sealed) <= 256  # the column's width


def test_a_hash_needs_rehashing_only_when_made_with_other_parameters() -> None:
    from passlib.context import CryptContext

    from auth_service.core.security import needs_rehash

    assert not needs_rehash(hash_password("correct horse"))
    weaker = CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__memory_cost=8192,
        argon2__time_cost=2,
        argon2__parallelism=1,
    )
    assert needs_rehash(weaker.hash("correct horse"))
    shorter_salt = CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__memory_cost=19456,
        argon2__time_cost=2,
        argon2__parallelism=1,
        argon2__salt_size=8,
    ).hash("correct horse")
    assert needs_rehash(shorter_salt) == pwd_context.needs_update(shorter_salt)
