"""Refresh, logout, the JWKS, service tokens and the signed access snapshot.

Public routes (refresh, logout, JWKS): they are how a caller renews or gives up credentials, or
verifies them. `/internal` ones are never routed by the gateway.
"""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Cookie, Depends, Form, Request, Response, status
from pydantic import BaseModel, Field

from auth_service.api.deps import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    TokensDep,
    UowDep,
    abuse_guard,
)
from auth_service.core.fields import NO_NUL
from auth_service.signin import service as signin
from auth_service.signin.abuse import AbuseGuard, LimitedError
from auth_service.tokens import access
from auth_service.tokens import service as tokens
from auth_service.tokens.cookies import set_refresh_cookie
from auth_service.tokens.models import Jwks, LogoutRequest, RefreshRequest, ServiceToken, Token
from auth_service.tokens.service import (
    BannedUserError,
    InvalidClientError,
    InvalidRefreshTokenError,
    RefreshTokenRequiredError,
    UnsupportedGrantTypeError,
)
from auth_service.users import service as users
from quest_common.db import utcnow
from quest_common.refusals import responses

router = APIRouter(tags=["login"])
keys_router = APIRouter(tags=["keys"])
# Not in the public OpenAPI document: the gateway never routes /internal (DESIGN §3, §12).
internal_router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)


def _presented_token(body: RefreshRequest | LogoutRequest | None, cookie: str | None) -> str:
    token = (body.refresh_token if body is not None else None) or cookie
    if not token or len(token) > 256:
        raise RefreshTokenRequiredError
    return token


@router.post(
    "/login/refresh",
    responses=responses(
        RefreshTokenRequiredError, InvalidRefreshTokenError, BannedUserError, LimitedError
    ),
)
def refresh(
    response: Response,
    uow: UowDep,
    settings: SettingsDep,
    token_service: TokensDep,
    guard: Annotated[AbuseGuard, Depends(abuse_guard("refresh"))],
    body: Annotated[RefreshRequest | None, Body()] = None,
    refresh_token: Annotated[str | None, Cookie(max_length=256)] = None,
) -> Token:
    """Spend a refresh token (cookie or body) for a new pair. With `{"resume": true}` (the web
    UI starting with a valid session) the player's return counts as a sign-in when their last
    sign-in is at least `RESUME_SIGN_IN_AFTER_S` old: `UserSignIn` with method "resume"."""
    presented = _presented_token(body, refresh_token)
    # Every attempt counts, per address and (when the token is known) per account.
    owner = tokens.refresh_token_owner(session=uow.session, token=presented)
    guard.check_and_count(account=str(owner) if owner is not None else None)
    user, new_token = signin.refresh_session(
        uow=uow, token=presented, settings=settings, resume=body is not None and body.resume
    )
    access_token = token_service.access_token(user)
    set_refresh_cookie(response, settings, new_token)
    return Token(
        access_token=access_token.token, refresh_token=new_token, expires_in=access_token.expires_in
    )


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(RefreshTokenRequiredError),
)
def logout(
    uow: UowDep,
    settings: SettingsDep,
    body: Annotated[LogoutRequest | None, Body()] = None,
    refresh_token: Annotated[str | None, Cookie(max_length=256)] = None,
) -> Response:
    presented = _presented_token(body, refresh_token)
    # Unknown tokens are not an error: logging out twice is fine.
    tokens.revoke_refresh_token(uow=uow, token=presented)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    set_refresh_cookie(response, settings, None)
    return response


@router.post(
    "/logout-everywhere",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: {"description": "Not authenticated"}},
)
def logout_everywhere(user: CurrentUser, uow: UowDep, settings: SettingsDep) -> Response:
    """Ends every session of the signed-in user: refresh tokens revoked, and access tokens
    refused by every service within seconds (auth.UserAccessChanged)."""
    users.logout_everywhere(uow=uow, user=user)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    set_refresh_cookie(response, settings, None)
    return response


@keys_router.get("/.well-known/jwks.json")
def jwks(response: Response, token_service: TokensDep) -> Jwks:
    # Public, so every service can verify tokens without holding a secret. Short cache: a key
    # published for rotation must reach verifiers before it signs.
    response.headers["Cache-Control"] = "public, max-age=60"
    return token_service.keyring.snapshot().jwks


class ClientCredentialsForm(BaseModel):
    grant_type: str = Field(max_length=64)
    client_id: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    client_secret: str = Field(min_length=1, max_length=512, pattern=NO_NUL)


@internal_router.post(
    "/oauth/token",
    responses=responses(UnsupportedGrantTypeError, InvalidClientError),
)
def service_token(
    form: Annotated[ClientCredentialsForm, Form()], token_service: TokensDep
) -> ServiceToken:
    # Public within the private network: the client secret is the credential.
    if form.grant_type != "client_credentials":
        raise UnsupportedGrantTypeError(form.grant_type)
    issued = token_service.service_token(client_id=form.client_id, client_secret=form.client_secret)
    return ServiceToken(access_token=issued.token, expires_in=issued.expires_in)


class AccessSnapshot(BaseModel):
    token: str


@internal_router.get("/access/not-before")
def access_snapshot(request: Request, session: SessionDep, settings: SettingsDep) -> AccessSnapshot:
    """The recent "tokens issued before T are void" lines, signed with the token key. No
    credentials needed: it is verifiable by anyone with the JWKS and holds only user ids and
    times; services load it at start so a restarted replica forgets no ban."""
    token = access.signed_snapshot(
        session=session,
        keyring=request.app.state.keyring,
        issuer=settings.jwt_issuer,
        # Twice the access token lifetime: a margin for clock skew between hosts.
        horizon=timedelta(minutes=2 * settings.access_token_expire_minutes),
        now=utcnow(),
    )
    return AccessSnapshot(token=token)
