"""Dependencies shared by the routes: the unit of work, settings, the signed-in user, service
clients, abuse guards."""

import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from auth_service.clients import service as clients
from auth_service.clients.models import ClientPublic
from auth_service.core.config import Settings
from auth_service.core.security import SERVICE_ROLE
from auth_service.core.uow import AuthUnitOfWork, UnitOfWorkFactory
from auth_service.progression.curve import LevelCurve
from auth_service.signin.abuse import AbuseGuard, Action
from auth_service.tokens.service import BannedUserError, TokenService
from auth_service.users.models import Role, User, UserStatus
from quest_common.access import issued_at
from quest_common.openapi import declare_refusals
from quest_common.security import (
    SCOPE_WALLET_DEBIT,
    CurrentClaims,
    InvalidTokenError,
    TokenClaims,
    verified_claims,
)


def get_uow(request: Request) -> Iterator[AuthUnitOfWork]:
    """The request's unit of work: its services commit explicitly; whatever they leave
    uncommitted is rolled back when the request ends."""
    factory: UnitOfWorkFactory = request.app.state.uow
    with factory() as uow:
        yield uow


UowDep = Annotated[AuthUnitOfWork, Depends(get_uow)]


async def get_session(uow: UowDep) -> Session:
    """The request's session, for reads (the same one as the unit of work's)."""
    return uow.session


# `async def` for the dependencies that do no I/O: FastAPI runs a plain `def` dependency in the
# threadpool, a thread hand-off per request for a dict lookup.
async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_token_service(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


async def get_level_curve(request: Request) -> LevelCurve:
    curve: LevelCurve = request.app.state.level_curve
    return curve


SessionDep = Annotated[Session, Depends(get_session)]
# Auth's copy of catalog's level curve (`.thresholds()`).
LevelCurveDep = Annotated[LevelCurve, Depends(get_level_curve)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
TokensDep = Annotated[TokenService, Depends(get_token_service)]


def get_current_user(session: SessionDep, claims: CurrentClaims) -> User:
    try:
        user_id = uuid.UUID(claims.sub)
    except ValueError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid token subject") from exc
    user = session.get(User, user_id)
    # A deleted account keeps an anonymised row (and a ban), but its owner is gone: a token of
    # it is a stale credential (401), not a refused caller (403 "Account is banned").
    if user is None or user.deleted_at is not None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "User no longer exists")
    if user.status == UserStatus.BANNED:
        raise BannedUserError(str(user_id))
    line = user.tokens_valid_after
    if line is not None and issued_at(claims) < line.timestamp():
        # Auth reads the line from its own row: current at once, no event needed here.
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "token revoked, sign in again",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
# Documented on every route that depends on it (401 comes with `current_claims` beneath it).
declare_refusals(get_current_user, {403: BannedUserError.detail})


def get_admin_user(user: CurrentUser) -> User:
    # The role is read from the database, not the token: a demotion applies at once.
    if user.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Admin role required")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
declare_refusals(get_admin_user, {403: "Admin role required"})

_bearer = HTTPBearer(auto_error=False)


def get_service_client(
    tokens: TokensDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenClaims:
    """`/internal` accepts only client-credentials service tokens (audience quest-internal)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        claims = tokens.verify(credentials.credentials, audience=tokens.settings.internal_audience)
    except InvalidTokenError as exc:
        # A valid player/admin token is a known caller without the right: 403, not 401.
        try:
            tokens.verify(credentials.credentials)
        except InvalidTokenError:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}
            ) from exc
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Service credentials required") from exc
    if claims.role != SERVICE_ROLE:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Service credentials required")
    return claims


ServiceClient = Annotated[TokenClaims, Depends(get_service_client)]
# What `get_service_client` refuses, for the `responses` of the routes that depend on it.
SERVICE_CLIENT_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or invalid service token"},
    403: {"description": "Not a service token"},
}


def client_address(request: Request) -> str:
    # uvicorn's proxy headers: the forwarded address when the peer is the gateway
    # (FORWARDED_ALLOW_IPS), the peer itself otherwise, so nobody else can choose one.
    return request.client.host if request.client else "unknown"


def abuse_guard(action: Action) -> Callable[[Request], Coroutine[Any, Any, AbuseGuard]]:
    """`guard: Annotated[AbuseGuard, Depends(abuse_guard("delete"))]` in a route, then
    `guard.check(account=...)` before the work and `guard.count(account=...)` for what counts,
    or `with guard.attempt(...)` around work whose failures count; a limit reached raises
    `LimitedError`: 429 with Retry-After."""

    async def dependency(request: Request) -> AbuseGuard:
        settings: Settings = request.app.state.settings
        return AbuseGuard(
            uow=request.app.state.uow,
            limits=settings.abuse_limits,
            action=action,
            address=client_address(request),
        )

    return dependency


def current_client(
    claims: Annotated[TokenClaims, Depends(verified_claims)], session: SessionDep
) -> ClientPublic:
    """The clients' lane in auth: a client token whose client is still allowed, read from its
    own row (current at once, like `get_current_user`)."""
    if not claims.is_client:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "A client token is required; a player's token cannot do this"
        )
    client = clients.active_client(
        session=session, client_id=claims.client_id, issued_at=issued_at(claims)
    )
    if client is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "token revoked, get a new one",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return clients.to_public(client)


CurrentClient = Annotated[ClientPublic, Depends(current_client)]
declare_refusals(
    current_client,
    {401: "No, invalid or revoked token", 403: "A client token is required"},
)


def get_debit_client(
    client: CurrentClient, claims: Annotated[TokenClaims, Depends(verified_claims)]
) -> ClientPublic:
    # Both must grant it: the token (asked with a narrower `scope`, it does less) and the
    # client's own row (read now, so a revocation applies at once).
    if SCOPE_WALLET_DEBIT not in claims.scopes or SCOPE_WALLET_DEBIT not in client.scopes:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"This client lacks scope {SCOPE_WALLET_DEBIT}"
        )
    return client


DebitClient = Annotated[ClientPublic, Depends(get_debit_client)]
declare_refusals(get_debit_client, {403: f"Not a client with scope {SCOPE_WALLET_DEBIT}"})
