"""Tokens: what is issued, what is refused, the JWKS, service tokens and key rotation."""

import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlmodel import Session

from auth_service.tokens.keys import add_next_key, promote_next_key, retire_previous_keys
from quest_common.security import JwksVerifier
from quest_devtools.testing.tokens import forge_unsigned

PREFIX = "/api/auth"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _jwks(client: TestClient) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/.well-known/jwks.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_access_token_claims_follow_the_contract(
    client: TestClient, player: dict[str, Any]
) -> None:
    token = player["tokens"]["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["kid"] in {k["kid"] for k in _jwks(client)["keys"]}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == "quest-auth"
    assert claims["aud"] == "quest-platform"
    assert claims["sub"] == player["user_id"]
    assert claims["role"] == "player"
    assert claims["name"] == player["user_name"]
    assert claims["exp"] - claims["iat"] == 900
    assert uuid.UUID(claims["jti"])


def test_other_services_verify_through_the_jwks(client: TestClient, player: dict[str, Any]) -> None:
    """The JWKS route serves what quest_common's verifier (used by catalog and processing)
    needs: a token verifies with nothing but the published keys."""
    jwks = _jwks(client)
    verifier = JwksVerifier(
        jwks_url="http://unused", issuer="quest-auth", audience="quest-platform"
    )
    verifier._keys = {k["kid"]: jwt.PyJWK.from_dict(k) for k in jwks["keys"]}
    verifier._fetched_at = time.monotonic()
    claims = verifier.verify(player["tokens"]["access_token"])
    assert claims.sub == player["user_id"]
    assert all("d" not in key and "p" not in key for key in jwks["keys"])  # no private parts


def _claims(player: dict[str, Any], **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "quest-auth",
        "aud": "quest-platform",
        "sub": player["user_id"],
        "role": "admin",
        "name": player["user_name"],
        "iat": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    return claims


def test_forged_and_foreign_tokens_are_refused(client: TestClient, player: dict[str, Any]) -> None:
    kid = jwt.get_unverified_header(player["tokens"]["access_token"])["kid"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = (
        client.app.state.keyring.snapshot()  # type: ignore[attr-defined]
        .public_keys[kid]
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    refused = {
        "alg none": forge_unsigned(_claims(player), kid),
        "another key, our kid": jwt.encode(
            _claims(player), other_pem, algorithm="RS256", headers={"kid": kid}
        ),
        "HS256 keyed with our public key": _hs256(_claims(player), public_pem, kid),
        "expired": _sign(client, _claims(player, exp=int(time.time()) - 5), kid),
        "wrong audience": _sign(client, _claims(player, aud="someone-else"), kid),
        "wrong issuer": _sign(client, _claims(player, iss="evil"), kid),
        "unknown kid": jwt.encode(
            _claims(player), other_pem, algorithm="RS256", headers={"kid": "nope"}
        ),
        "garbage": "not.a.token",
    }
    for label, token in refused.items():
        response = client.get(f"{PREFIX}/users/me", headers=_bearer(token))
        assert response.status_code == 401, label
    # Control: the same claims signed properly are accepted.
    good = _sign(client, _claims(player), kid)
    assert client.get(f"{PREFIX}/users/me", headers=_bearer(good)).status_code == 200


def _sign(client: TestClient, claims: dict[str, Any], kid: str) -> str:
    active = client.app.state.keyring.snapshot().active  # type: ignore[attr-defined]
    assert active.kid == kid
    return jwt.encode(claims, active.private_key, algorithm="RS256", headers={"kid": kid})


def _hs256(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    # PyJWT refuses to HMAC with a PEM key, so build the token by hand like an attacker would.
    import base64
    import hashlib
    import hmac
    import json

    def b64(raw: bytes) -> bytes:
        return base64.urlsafe_b64encode(raw).rstrip(b"=")

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64(json.dumps(claims).encode())
    signature = b64(hmac.new(secret, head + b"." + body, hashlib.sha256).digest())
    return (head + b"." + body + b"." + signature).decode()


def test_admin_routes_refuse_players(
    client: TestClient, player: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    some_id = player["user_id"]
    calls = [
        ("GET", f"{PREFIX}/users", None),
        ("GET", f"{PREFIX}/users/{some_id}", None),
        ("PATCH", f"{PREFIX}/users/{some_id}", {"role": "admin"}),
    ]
    for method, url, body in calls:
        assert client.request(method, url, json=body).status_code == 401
        as_player = client.request(method, url, json=body, headers=player["headers"])
        assert as_player.status_code == 403, url
        assert as_player.json() == {"detail": "Admin role required"}
    # The player's own token claims "player"; claims the role cannot be forged (tested above).
    assert client.get(f"{PREFIX}/users", headers=admin_headers).status_code == 200


def test_service_token_flow_and_internal_refusals(
    client: TestClient, player: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    secret = client.app.state.settings.processing_client_secret  # type: ignore[attr-defined]
    form = {"grant_type": "client_credentials", "client_id": "processing-service"}
    issued = client.post("/internal/oauth/token", data={**form, "client_secret": secret})
    assert issued.status_code == 200
    body = issued.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["aud"], claims["role"], claims["sub"]) == (
        "quest-internal",
        "service",
        "processing-service",
    )

    wrong = client.post("/internal/oauth/token", data={**form, "client_secret": "wrong-secret"})
    assert wrong.status_code == 401
    stranger = client.post(
        "/internal/oauth/token",
        data={**form, "client_id": "someone", "client_secret": secret},
    )
    assert stranger.status_code == 401
    bad_grant = client.post(
        "/internal/oauth/token", data={**form, "grant_type": "password", "client_secret": secret}
    )
    assert bad_grant.status_code == 400

    credit = {
        "idempotency_key": str(uuid.uuid4()),
        "user_id": player["user_id"],
        "item": "diamond",
        "qty": 1,
        "reason": "test",
    }
    url = "/internal/wallet/credits"
    assert client.post(url, json=credit).status_code == 401
    assert client.post(url, json=credit, headers=player["headers"]).status_code == 403
    assert client.post(url, json=credit, headers=admin_headers).status_code == 403
    assert client.post(url, json=credit, headers=_bearer("junk")).status_code == 401
    assert client.post(url, json=credit, headers=_bearer(body["access_token"])).status_code == 200
    # A service token is no user token either.
    me = client.get(f"{PREFIX}/users/me", headers=_bearer(body["access_token"]))
    assert me.status_code == 401


def test_key_rotation_publishes_before_signing(
    make_settings: Callable[..., Any],
    fresh_db_url: str,
    db_session: Session,
    login: Callable[..., dict[str, Any]],
    signup: Callable[..., dict[str, Any]],
) -> None:
    from auth_service.core.db import build_engine
    from auth_service.core.uow import AuthUnitOfWork
    from auth_service.main import create_app

    settings = make_settings(database_url=fresh_db_url, key_reload_seconds=0.0)
    engine = build_engine(fresh_db_url)
    with TestClient(create_app(settings)) as client:
        user = signup(client)
        old_token = login(client, user["user_name"], user["password"])["access_token"]
        old_kid = jwt.get_unverified_header(old_token)["kid"]

        with AuthUnitOfWork(engine) as uow:
            upcoming = add_next_key(uow=uow, passphrase=settings.signing_key_passphrase)
        kids = {k["kid"] for k in _jwks(client)["keys"]}
        assert kids == {old_kid, upcoming.kid}
        # Published, not yet signing.
        still_old = login(client, user["user_name"], user["password"])["access_token"]
        assert jwt.get_unverified_header(still_old)["kid"] == old_kid

        with AuthUnitOfWork(engine) as uow:
            promote_next_key(uow=uow)
        new_token = login(client, user["user_name"], user["password"])["access_token"]
        assert jwt.get_unverified_header(new_token)["kid"] == upcoming.kid
        # Tokens signed with the previous key keep working until it is retired.
        assert client.get(f"{PREFIX}/users/me", headers=_bearer(old_token)).status_code == 200

        with AuthUnitOfWork(engine) as uow:
            assert retire_previous_keys(uow=uow) == 1
        assert {k["kid"] for k in _jwks(client)["keys"]} == {upcoming.kid}
        assert client.get(f"{PREFIX}/users/me", headers=_bearer(old_token)).status_code == 401
        assert client.get(f"{PREFIX}/users/me", headers=_bearer(new_token)).status_code == 200
    engine.dispose()


def test_replicas_share_one_signing_key(
    make_settings: Callable[..., Any], fresh_db_url: str
) -> None:
    from auth_service.main import create_app

    settings = make_settings(database_url=fresh_db_url)
    with (
        TestClient(create_app(settings)) as first,
        TestClient(create_app(settings)) as second,
    ):
        assert _jwks(first) == _jwks(second)
        assert len(_jwks(first)["keys"]) == 1


def test_replicas_starting_together_create_one_key(fresh_db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    from auth_service.core.db import build_engine
    from auth_service.tokens.keys import KeyRing

    engine = build_engine(fresh_db_url)
    rings = [KeyRing(engine=engine, passphrase="p" * 16) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda ring: ring.start(), rings))
    assert len({ring.snapshot().active.kid for ring in rings}) == 1
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM signing_key")).scalar_one()
    assert count == 1
    engine.dispose()


def test_a_replica_keeps_its_key_when_the_new_one_cannot_be_decrypted(fresh_db_url: str) -> None:
    from auth_service.core.db import build_engine
    from auth_service.core.uow import AuthUnitOfWork
    from auth_service.tokens.keys import KeyRing

    engine = build_engine(fresh_db_url)
    ring = KeyRing(engine=engine, passphrase="old-passphrase-1", reload_s=0.0)
    ring.start()
    old_kid = ring.snapshot().active.kid
    with AuthUnitOfWork(engine) as uow:
        upcoming = add_next_key(uow=uow, passphrase="new-passphrase-2")
        promote_next_key(uow=uow)
    # Still signing with the key it holds, which stays published as `previous`.
    assert ring.snapshot().active.kid == old_kid
    assert ring.public_key(old_kid) is not None
    fresh = KeyRing(engine=engine, passphrase="new-passphrase-2")
    fresh.start()
    assert fresh.snapshot().active.kid == upcoming.kid
    assert set(fresh.snapshot().public_keys) == {old_kid, upcoming.kid}
    engine.dispose()
