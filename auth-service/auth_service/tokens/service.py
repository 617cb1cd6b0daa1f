"""Access tokens (RS256 JWTs), service tokens for `/internal`, and refresh-token rotation.

Refresh tokens are opaque random strings; only their SHA-256 is stored. Each login starts a
family; a refresh spends the presented token and issues the next one in the same family. A spent
token presented again means a copy is in someone else's hands, so the whole family is revoked.
"""

import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, Protocol

from sqlalchemy import update
from sqlmodel import Session, col, select

from auth_service.clients.models import OAuthClient
from auth_service.core.config import Settings
from auth_service.core.security import (
    ALGORITHM,
    SERVICE_ROLE,
    hash_refresh_token,
    mint_jwt,
    new_refresh_token,
    seal_successor,
    unseal_successor,
)
from auth_service.core.uow import AuthUnitOfWork
from auth_service.tokens.keys import KeyRing
from auth_service.tokens.models import RefreshToken
from auth_service.users.models import User, UserStatus
from quest_common.db import utcnow
from quest_common.refusals import ClientError
from quest_common.security import (
    CLIENT_ROLE,
    InvalidTokenError,
    TokenClaims,
    client_subject,
    verify_token,
)

PROCESSING_CLIENT_ID = "processing-service"
CATALOG_CLIENT_ID = "catalog-service"


class InvalidRefreshTokenError(
    ClientError, status=HTTPStatus.UNAUTHORIZED, detail="Invalid refresh token"
):
    pass


class RefreshTokenRequiredError(
    ClientError, status=HTTPStatus.UNAUTHORIZED, detail="Refresh token required"
):
    """No refresh token in the body or the cookie (or one too long to be ours)."""


class BannedUserError(ClientError, status=HTTPStatus.FORBIDDEN, detail="Account is banned"):
    pass


class InvalidClientError(
    ClientError, status=HTTPStatus.UNAUTHORIZED, detail="Invalid client credentials"
):
    pass


class UnsupportedGrantTypeError(
    ClientError, status=HTTPStatus.BAD_REQUEST, detail="Unsupported grant type"
):
    pass


class TokenSubject(Protocol):
    """What an access token names: a `User`, or the plain row a sign-in reads."""

    @property
    def user_id(self) -> uuid.UUID: ...
    @property
    def user_name(self) -> str: ...
    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


class TokenService:
    """Mints and verifies this service's JWTs with the shared key ring. Also the verifier that
    `quest_common.security.current_claims` uses here (same `verify` as `JwksVerifier`), so auth
    checks its own tokens without fetching its own JWKS over HTTP."""

    def __init__(self, *, keyring: KeyRing, settings: Settings) -> None:
        self.keyring = keyring
        self.settings = settings

    def _issue(
        self,
        *,
        audience: str,
        subject: str,
        role: str,
        name: str | None,
        minutes: int,
        now: datetime,
        extra: dict[str, Any] | None = None,
    ) -> IssuedToken:
        """A token signed with the ring's active key."""
        lifetime = timedelta(minutes=minutes)
        active = self.keyring.snapshot().active
        token = mint_jwt(
            private_key=active.private_key,
            kid=active.kid,
            issuer=self.settings.jwt_issuer,
            audience=audience,
            subject=subject,
            role=role,
            name=name,
            now=now,
            lifetime=lifetime,
            extra=extra,
        )
        return IssuedToken(token=token, expires_in=int(lifetime.total_seconds()))

    def access_token(self, user: TokenSubject, *, now: datetime | None = None) -> IssuedToken:
        return self._issue(
            audience=self.settings.jwt_audience,
            subject=str(user.user_id),
            role=user.role,
            name=user.user_name,
            minutes=self.settings.access_token_expire_minutes,
            now=now or utcnow(),
        )

    def client_token(
        self, client: OAuthClient, *, scopes: list[str], now: datetime | None = None
    ) -> IssuedToken:
        """An OAuth2 client's token: `sub = "client:<id>"`, its `scope`, the platform's audience
        (the services tell it from a person's by its subject and refuse it on their routes)."""
        return self._issue(
            audience=self.settings.jwt_audience,
            subject=client_subject(client.client_id),
            role=CLIENT_ROLE,
            name=client.name,
            minutes=self.settings.client_token_expire_minutes,
            now=now or utcnow(),
            extra={"scope": " ".join(scopes)},
        )

    def client_secrets(self) -> dict[str, str]:
        return {
            PROCESSING_CLIENT_ID: self.settings.processing_client_secret,
            CATALOG_CLIENT_ID: self.settings.catalog_client_secret,
        }

    def service_token(self, *, client_id: str, client_secret: str) -> IssuedToken:
        expected = self.client_secrets().get(client_id)
        # compare_digest even for an unknown id: the time taken does not tell which ids exist.
        matches = hmac.compare_digest((expected or "").encode(), client_secret.encode())
        if expected is None or not matches:
            raise InvalidClientError
        return self._issue(
            audience=self.settings.internal_audience,
            subject=client_id,
            role=SERVICE_ROLE,
            name=None,
            minutes=self.settings.service_token_expire_minutes,
            now=utcnow(),
        )

    def verify(self, token: str, *, audience: str | None = None) -> TokenClaims:
        def resolve(kid: str) -> tuple[Any, list[str]]:
            key = self.keyring.public_key(kid)
            if key is None:
                raise InvalidTokenError("token signed by an unknown key")
            return key, [ALGORITHM]

        return verify_token(
            token,
            resolve_key=resolve,
            algorithms=[ALGORITHM],
            audience=audience or self.settings.jwt_audience,
            issuer=self.settings.jwt_issuer,
        )


# --- refresh tokens --------------------------------------------------------------------------


def issue_refresh_token(
    *,
    session: Session,
    user_id: uuid.UUID,
    now: datetime,
    lifetime: timedelta,
    family_id: uuid.UUID | None = None,
) -> str:
    """Add a refresh token row to the caller's transaction; returns the token to hand out."""
    token = new_refresh_token()
    session.add(
        RefreshToken(
            token_hash=hash_refresh_token(token),
            family_id=family_id or uuid.uuid4(),
            user_id=user_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def _revoke_family(session: Session, family_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def revoke_user_tokens(*, session: Session, user_id: uuid.UUID, now: datetime) -> None:
    """Add to the caller's transaction: every refresh token of the user stops working."""
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def sessions_of(*, session: Session, user_id: uuid.UUID) -> list[RefreshToken]:
    """Every refresh token row of the user (whatever its state), oldest first."""
    return list(
        session.exec(
            select(RefreshToken)
            .where(RefreshToken.user_id == user_id)
            .order_by(col(RefreshToken.created_at))
        ).all()
    )


def refresh_token_owner(*, session: Session, token: str) -> uuid.UUID | None:
    """The user a refresh token was issued to (whatever its state), or None if unknown."""
    return session.exec(
        select(RefreshToken.user_id).where(RefreshToken.token_hash == hash_refresh_token(token))
    ).first()


def _successor_within_grace(
    *, row: RefreshToken, token: str, grace: timedelta, now: datetime
) -> str | None:
    """The successor `token` was spent for, when it was spent at most `grace` ago."""
    if row.spent_at is None or row.successor_sealed is None or now - row.spent_at > grace:
        return None
    return unseal_successor(spent=token, sealed=row.successor_sealed)


def rotate_refresh_token(
    *,
    uow: AuthUnitOfWork,
    token: str,
    lifetime: timedelta,
    grace: timedelta = timedelta(0),
    now: datetime | None = None,
    before_commit: Callable[[User, datetime], object] | None = None,
) -> tuple[User, str]:
    """Spend `token` and return its user with the next token of the family (commits).

    A token spent at most `grace` ago gives the same successor again: two refreshes of one
    token racing (the row lock orders them) both get it. Spent longer ago, it revokes the
    family. `before_commit` adds its writes to the rotation's transaction (a resumed session's
    sign-in), so the new token and what goes with it commit together or not at all."""
    now = now or utcnow()
    session = uow.session
    # FOR UPDATE: two refreshes racing with one token cannot both succeed.
    row = session.exec(
        select(RefreshToken)
        .where(RefreshToken.token_hash == hash_refresh_token(token))
        .with_for_update()
    ).first()
    if row is None or row.revoked_at is not None:
        raise InvalidRefreshTokenError
    successor: str | None = None
    if row.spent_at is not None:
        successor = _successor_within_grace(row=row, token=token, grace=grace, now=now)
        if successor is None:
            # Reuse of a spent token: a copy exists somewhere else. Revoke the whole family.
            _revoke_family(session, row.family_id, now)
            uow.commit()
            raise InvalidRefreshTokenError
    elif row.expires_at <= now:
        raise InvalidRefreshTokenError
    user = session.get(User, row.user_id)
    if user is None:
        raise InvalidRefreshTokenError
    if user.status == UserStatus.BANNED:
        _revoke_family(session, row.family_id, now)
        uow.commit()
        raise BannedUserError
    if successor is not None:
        # The race's loser: the winner's transaction has spent the token, issued the successor
        # and done what went with it (a resumed session's sign-in); nothing more to write.
        return user, successor
    new_token = issue_refresh_token(
        session=session, user_id=user.user_id, now=now, lifetime=lifetime, family_id=row.family_id
    )
    row.spent_at = now
    row.successor_sealed = seal_successor(spent=token, successor=new_token)
    session.add(row)
    if before_commit is not None:
        before_commit(user, now)
    uow.commit()
    session.refresh(user)
    return user, new_token


def revoke_refresh_token(*, uow: AuthUnitOfWork, token: str, now: datetime | None = None) -> bool:
    """Logout: revoke the family of `token` (commits). False when the token is unknown."""
    now = now or utcnow()
    session = uow.session
    row = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(token))
    ).first()
    if row is None:
        return False
    _revoke_family(session, row.family_id, now)
    uow.commit()
    return True
