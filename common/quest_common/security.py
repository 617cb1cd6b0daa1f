"""Verify access tokens issued by auth-service, through its JWKS.

Services hold no signing secret: they fetch auth's public keys, cache them, refetch when a token
names an unknown `kid` (a rotated key is published before it signs), and keep the last known keys
when auth is unreachable so a short auth outage does not lock everyone out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict

from quest_common.access import AccessChangeListener, issued_at, listen_for_access_changes
from quest_common.openapi import declare_refusals

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ["RS256", "EdDSA"]

# A token of an OAuth2 client (a game server) has `sub = "client:<client id>"` and a `scope`;
# a player's or an admin's has the user id. The two never stand in for each other.
CLIENT_SUBJECT_PREFIX = "client:"
CLIENT_ROLE = "client"
SCOPE_EVENTS_WRITE = "events:write"
SCOPE_WALLET_DEBIT = "wallet:debit"
CLIENT_SCOPES = (SCOPE_EVENTS_WRITE, SCOPE_WALLET_DEBIT)


def client_subject(client_id: Any) -> str:
    return f"{CLIENT_SUBJECT_PREFIX}{client_id}"


class TokenClaims(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: str
    role: str = "player"
    name: str | None = None
    iss: str
    aud: str | list[str]
    exp: int
    iat: int
    # Milliseconds of `iat`: a token issued in the same second as a ban, but after it, is not
    # void (see quest_common.access). Absent from tokens minted before it existed.
    iat_ms: int | None = None
    jti: str | None = None
    # Space-separated scopes (RFC 6749 §3.3) of a client token; None for people's tokens.
    scope: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and not self.is_client

    @property
    def is_client(self) -> bool:
        # Either mark makes it a client token: a token that claims one lane in its subject and
        # another in its role is refused by both lanes.
        return self.sub.startswith(CLIENT_SUBJECT_PREFIX) or self.role == CLIENT_ROLE

    @property
    def client_id(self) -> str | None:
        return self.sub.removeprefix(CLIENT_SUBJECT_PREFIX) if self.is_client else None

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset((self.scope or "").split())


class InvalidTokenError(Exception):
    """The token is not one we accept; the message is safe to show."""


@dataclass(kw_only=True)
class JwksVerifier:
    """Verifies tokens against the issuer's JWKS, cached; refetched for an unknown key id (at most
    every `min_refetch_seconds`), so a new signing key is picked up without a restart."""

    jwks_url: str
    issuer: str
    audience: str
    cache_seconds: float = 300.0
    min_refetch_seconds: float = 5.0
    timeout: float = 3.0
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict, init=False, repr=False)
    _fetched_at: float = field(default=0.0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _fetch(self) -> None:
        response = httpx.get(self.jwks_url, timeout=self.timeout)
        response.raise_for_status()
        keys: dict[str, jwt.PyJWK] = {}
        for entry in response.json().get("keys", []):
            kid = entry.get("kid")
            if not kid:
                continue
            try:
                keys[kid] = jwt.PyJWK.from_dict(entry)
            except jwt.PyJWTError:
                logger.warning("ignoring unusable JWKS key %s", kid)
        self._keys = keys
        self._fetched_at = time.monotonic()

    def _key_for(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            stale = age > self.cache_seconds
            unknown = kid not in self._keys
            # Refetch on expiry, or on an unknown kid at most every few seconds (so garbage kids
            # cannot turn every request into a call to auth).
            if stale or (unknown and age > self.min_refetch_seconds):
                try:
                    self._fetch()
                except (httpx.HTTPError, ValueError) as exc:
                    logger.warning(
                        "JWKS fetch from %s failed, keeping known keys: %s", self.jwks_url, exc
                    )
            key = self._keys.get(kid)
        if key is None:
            raise InvalidTokenError("token signed by an unknown key")
        return key

    def verify(self, token: str, *, audience: str | None = None) -> TokenClaims:
        return TokenClaims.model_validate(self.decode(token, audience=audience))

    def decode(self, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """The verified claims as they are (signature, algorithm, audience, issuer, expiry)."""

        def resolve(kid: str) -> tuple[Any, list[str]]:
            key = self._key_for(kid)
            return key.key, [key.algorithm_name] if key.algorithm_name else ALLOWED_ALGORITHMS

        return decode_token(
            token,
            resolve_key=resolve,
            algorithms=ALLOWED_ALGORITHMS,
            audience=audience or self.audience,
            issuer=self.issuer,
        )


def check_tokens_against_auth(app: Any, *, settings: Any) -> AccessChangeListener:
    """The token checks of every service but auth: verify signatures with auth's JWKS
    (`settings.jwks_url`, issuer and audience) on `app.state.token_verifier`, and refuse tokens
    voided by a ban, deletion, demotion or logout-everywhere within seconds rather than at their
    expiry (DESIGN §12). Returns the access listener; the app's lifespan starts and stops it."""
    verifier = JwksVerifier(
        jwks_url=settings.jwks_url, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    app.state.token_verifier = verifier
    return listen_for_access_changes(app, settings=settings, verifier=verifier)


def verify_token(
    token: str,
    *,
    resolve_key: Callable[[str], tuple[Any, list[str]]],
    algorithms: list[str],
    audience: str,
    issuer: str,
) -> TokenClaims:
    """The one token check every service runs (see `decode_token`), as typed claims."""
    return TokenClaims.model_validate(
        decode_token(
            token, resolve_key=resolve_key, algorithms=algorithms, audience=audience, issuer=issuer
        )
    )


def decode_token(
    token: str,
    *,
    resolve_key: Callable[[str], tuple[Any, list[str]]],
    algorithms: list[str],
    audience: str,
    issuer: str,
) -> dict[str, Any]:
    """Only the named algorithms (refuses `alg: none` and HS256-with-the-public-key
    confusion), a key id, a known key, and exp/iat/iss/aud/sub; the claims as they are.

    `resolve_key(kid)` returns (key, algorithms that key may sign with) or raises
    InvalidTokenError for an unknown key."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("malformed token") from exc
    if header.get("alg") not in algorithms:
        raise InvalidTokenError("token algorithm not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidTokenError("token has no key id")
    key, key_algorithms = resolve_key(kid)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=key_algorithms,
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidTokenError("token expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(f"invalid token: {exc}") from exc
    return claims


_bearer = HTTPBearer(auto_error=False)


def verified_claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenClaims:
    """A valid, unrevoked token of either lane (a person's or a client's). Routes use
    `current_claims` (people) or `client_with_scope` (clients), never this alone.

    A sync dependency on purpose: a JWKS refetch is blocking I/O and runs in the threadpool.
    The verifier lives on `app.state.token_verifier` so tests can give their own.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    verifier: JwksVerifier = request.app.state.token_verifier
    try:
        claims = verifier.verify(credentials.credentials)
    except InvalidTokenError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    # A ban, deletion, demotion or logout-everywhere voids the tokens issued before it; so does
    # revoking a client or rotating its secret (keyed by the subject, `client:<id>`).
    revocations = getattr(request.app.state, "access_revocations", None)
    if revocations is not None and revocations.is_void(claims.sub, issued_at(claims)):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "token revoked, sign in again",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return claims


PLAYER_LANE_REFUSAL = "A client token cannot be used here: this route is for players and admins"


def refuse_client(claims: TokenClaims) -> TokenClaims:
    """The people's lane: a client token is a known caller without the right (403)."""
    if claims.is_client:
        raise HTTPException(status.HTTP_403_FORBIDDEN, PLAYER_LANE_REFUSAL)
    return claims


def current_claims(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenClaims:
    """Authentication is the default: every route that depends on this needs a valid token of
    a player or an admin (client tokens are refused: they write events, nothing else)."""
    return refuse_client(verified_claims(request, credentials))


def admin_claims(claims: Annotated[TokenClaims, Depends(current_claims)]) -> TokenClaims:
    if not claims.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Admin role required")
    return claims


def client_with_scope(scope: str) -> Callable[..., TokenClaims]:
    """The clients' lane: a dependency accepting only a client token carrying `scope`
    (`Annotated[TokenClaims, Depends(client_with_scope("events:write"))]`). A player's or an
    admin's token is refused, whatever its role."""

    def dependency(claims: Annotated[TokenClaims, Depends(verified_claims)]) -> TokenClaims:
        if not claims.is_client:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"A client token with scope {scope} is required; a player's token cannot do this",
            )
        if scope not in claims.scopes:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"This client lacks scope {scope}")
        return claims

    dependency.__name__ = f"client_with_scope_{scope.replace(':', '_')}"
    declare_refusals(
        dependency,
        {
            401: "Not authenticated: no token, or one invalid, expired or revoked",
            403: f"Not a client token with scope {scope}",
        },
    )
    return dependency


CurrentClaims = Annotated[TokenClaims, Depends(current_claims)]
AdminClaims = Annotated[TokenClaims, Depends(admin_claims)]
EventsClient = Annotated[TokenClaims, Depends(client_with_scope(SCOPE_EVENTS_WRITE))]
DebitClient = Annotated[TokenClaims, Depends(client_with_scope(SCOPE_WALLET_DEBIT))]


declare_refusals(
    current_claims,
    {
        401: "Not authenticated: no token, or one invalid, expired or revoked",
        403: PLAYER_LANE_REFUSAL,
    },
)
declare_refusals(admin_claims, {403: "Admin role required"})
