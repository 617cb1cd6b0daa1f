"""OAuth2 clients: create (the secret shown once), list, rotate the secret, revoke; and the
client-credentials check of the token endpoint.

A rotation or a revocation voids the client's access tokens in every service within seconds the
way a ban voids a player's: the client's line (`tokens_valid_after`) and
`auth.UserAccessChanged` for the subject `client:<id>`, in one transaction.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from http import HTTPStatus
from typing import Any

from sqlmodel import Session, col, func, select

from auth_service.clients.models import ClientCreate, ClientPublic, ClientsPublic, OAuthClient
from auth_service.core.events import SOURCE
from auth_service.core.uow import AuthUnitOfWork
from quest_common import audit
from quest_common.access import ACCESS_CHANGED, ACCESS_CHANGED_KEY
from quest_common.db import utcnow
from quest_common.events import make_event, rfc3339
from quest_common.refusals import ClientError
from quest_common.security import client_subject

# The realm named in `WWW-Authenticate: Basic` (RFC 6749 §5.2: a 401 to a client that used
# Basic authentication carries it).
BASIC_REALM = 'Basic realm="quest"'


class ClientNotFoundError(ClientError, status=HTTPStatus.NOT_FOUND, detail="Client not found"):
    pass


class ClientRevokedError(ClientError, status=HTTPStatus.CONFLICT, detail="Client is revoked"):
    """A revoked client cannot get a new secret: create another one."""


class InvalidClientError(
    ClientError, status=HTTPStatus.UNAUTHORIZED, detail="Invalid client credentials"
):
    """RFC 6749 §5.2 `invalid_client`: unknown client, wrong secret or revoked."""

    headers = {"WWW-Authenticate": BASIC_REALM}
    extra = {"error": "invalid_client", "error_description": "Invalid client credentials"}


class InvalidScopeError(
    ClientError, status=HTTPStatus.BAD_REQUEST, detail="Scope not granted to this client"
):
    extra = {"error": "invalid_scope", "error_description": "Scope not granted to this client"}


def secret_key(passphrase: str) -> bytes:
    """The key of the secrets' hash, derived from the passphrase that already guards the
    signing keys: no new secret to deploy, and a database dump alone cannot test a guess."""
    return hashlib.sha256(b"quest oauth client secrets\x00" + passphrase.encode()).digest()


def hash_secret(secret: str, *, key: bytes) -> str:
    # HMAC-SHA256, not argon2: a client secret is 256 random bits, far beyond any guessing, so
    # stretching buys nothing and would cost tens of milliseconds of CPU on every token request.
    # Keyed, so the stored hash is useless without the service's passphrase.
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# Compared against when the client id is unknown, so the answer takes the same time either way.
_DUMMY_HASH = "0" * 64


def to_public(client: OAuthClient) -> ClientPublic:
    return ClientPublic.model_validate(client, from_attributes=True)


def _snapshot(client: OAuthClient) -> dict[str, Any]:
    """What an audit entry keeps of a client: never its secret's hash."""
    return {
        "client_id": str(client.client_id),
        "name": client.name,
        "scopes": list(client.scopes),
        "secret_rotated_at": rfc3339(client.secret_rotated_at)
        if client.secret_rotated_at
        else None,
        "revoked": client.revoked_at is not None,
    }


def _void_tokens(uow: AuthUnitOfWork, client: OAuthClient, *, reason: str, now: datetime) -> None:
    """Add to the caller's transaction: every access token of the client issued before `now`
    is void in every service within seconds (keyed by the token's subject)."""
    client.tokens_valid_after = now
    subject = client_subject(client.client_id)
    event = make_event(
        source=SOURCE,
        type=ACCESS_CHANGED,
        subject=subject,
        time=now,
        data={"user_id": subject, "not_before": rfc3339(now), "reason": reason},
    )
    uow.publish(event, routing_key=ACCESS_CHANGED_KEY)


def create_client(
    *, uow: AuthUnitOfWork, data: ClientCreate, actor: audit.Actor, key: bytes
) -> tuple[OAuthClient, str]:
    """A new client and its secret (commits); the secret is not kept anywhere."""
    secret = new_secret()
    client = OAuthClient(
        name=data.name, scopes=list(data.scopes), secret_hash=hash_secret(secret, key=key)
    )
    uow.session.add(client)
    uow.session.flush()
    audit.record(
        uow.session,
        actor=actor,
        action="client.create",
        target_id=client.client_id,
        before=None,
        after=_snapshot(client),
    )
    uow.commit()
    return client, secret


def list_clients(*, session: Session, limit: int, offset: int) -> ClientsPublic:
    count = session.exec(select(func.count()).select_from(OAuthClient)).one()
    rows = session.exec(
        select(OAuthClient)
        .order_by(col(OAuthClient.created_at).desc(), col(OAuthClient.client_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return ClientsPublic(data=[to_public(c) for c in rows], count=count)


def _locked(session: Session, client_id: uuid.UUID) -> OAuthClient:
    client = session.exec(
        select(OAuthClient).where(OAuthClient.client_id == client_id).with_for_update()
    ).first()
    if client is None:
        raise ClientNotFoundError(str(client_id))
    return client


def rotate_secret(
    *, uow: AuthUnitOfWork, client_id: uuid.UUID, actor: audit.Actor, key: bytes
) -> tuple[OAuthClient, str]:
    """A new secret (commits): the old one stops working at once, and the tokens it got
    within seconds everywhere."""
    session = uow.session
    client = _locked(session, client_id)
    if client.revoked_at is not None:
        raise ClientRevokedError(str(client_id))
    before = _snapshot(client)
    now = utcnow()
    secret = new_secret()
    client.secret_hash = hash_secret(secret, key=key)
    client.secret_rotated_at = now
    _void_and_record(
        uow,
        client,
        actor=actor,
        action="client.rotate_secret",
        reason="client_rotated",
        now=now,
        before=before,
    )
    return client, secret


def revoke_client(*, uow: AuthUnitOfWork, client_id: uuid.UUID, actor: audit.Actor) -> None:
    """The client can no longer get tokens, and its tokens stop working within seconds
    everywhere (commits). Revoking it again changes nothing."""
    session = uow.session
    client = _locked(session, client_id)
    if client.revoked_at is not None:
        return
    before = _snapshot(client)
    now = utcnow()
    client.revoked_at = now
    _void_and_record(
        uow,
        client,
        actor=actor,
        action="client.revoke",
        reason="client_revoked",
        now=now,
        before=before,
    )


def _void_and_record(
    uow: AuthUnitOfWork,
    client: OAuthClient,
    *,
    actor: audit.Actor,
    action: str,
    reason: str,
    now: datetime,
    before: dict[str, Any],
) -> None:
    """Voids the client's tokens issued before `now`, audits the change and commits."""
    _void_tokens(uow, client, reason=reason, now=now)
    uow.session.add(client)
    audit.record(
        uow.session,
        actor=actor,
        action=action,
        target_id=client.client_id,
        before=before,
        after=_snapshot(client),
    )
    uow.commit()


def authenticate(*, session: Session, client_id: str, secret: str, key: bytes) -> OAuthClient:
    """The active client with this id and secret; `InvalidClientError` otherwise (the same
    answer, in the same time, for an unknown id, a wrong secret and a revoked client)."""
    try:
        client = session.get(OAuthClient, uuid.UUID(client_id))
    except ValueError:
        client = None
    expected = client.secret_hash if client is not None else _DUMMY_HASH
    matches = hmac.compare_digest(expected, hash_secret(secret, key=key))
    if client is None or not matches or client.revoked_at is not None:
        raise InvalidClientError(client_id)
    return client


def granted_scopes(client: OAuthClient, requested: str | None) -> list[str]:
    """The scopes a token gets: those asked for (RFC 6749 §3.3, space-separated), each granted
    to the client, or all of the client's when none are asked for."""
    if not requested or not requested.strip():
        return list(client.scopes)
    asked = requested.split()
    if not set(asked) <= set(client.scopes):
        raise InvalidScopeError(requested)
    return sorted(set(asked), key=asked.index)


def active_client(
    *, session: Session, client_id: str | None, issued_at: float
) -> OAuthClient | None:
    """The client behind a client token, if it is still allowed: not revoked, and the token
    issued after its last rotation (auth reads its own rows, current at once)."""
    if client_id is None:
        return None
    try:
        client = session.get(OAuthClient, uuid.UUID(client_id))
    except ValueError:
        return None
    if client is None or client.revoked_at is not None:
        return None
    line = client.tokens_valid_after
    if line is not None and issued_at < line.timestamp():
        return None
    return client


def recent_lines(*, session: Session, since: datetime) -> dict[str, datetime]:
    """`client:<id>` → its line, for the lines newer than `since` (auth's signed snapshot of
    voided tokens, which services load when they start)."""
    rows = session.exec(
        select(OAuthClient.client_id, OAuthClient.tokens_valid_after).where(
            col(OAuthClient.tokens_valid_after) >= since
        )
    ).all()
    return {client_subject(client_id): line for client_id, line in rows if line is not None}
