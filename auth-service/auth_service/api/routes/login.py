"""Sign-in, refresh and logout. Public routes: they are how a caller gets credentials."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import (
    APIRouter,
    Body,
    Cookie,
    Depends,
    Form,
    Request,
    Response,
    status,
)
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlmodel import Session

from auth_service import signin, tokens, users
from auth_service.abuse import AbuseGuard, LimitedError
from auth_service.api.deps import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    TokensDep,
    abuse_guard,
    client_address,
    wake_relay,
)
from auth_service.core.config import Settings
from auth_service.models import NO_NUL, RefreshRequest, Token, User
from auth_service.signin import InvalidCredentialsError, ThrottledError
from auth_service.tokens import (
    BannedUserError,
    InvalidRefreshTokenError,
    RefreshTokenRequiredError,
    TokenService,
)
from quest_common.refusals import responses

router = APIRouter(tags=["login"])

REFRESH_COOKIE = "refresh_token"  # also the name of the Cookie parameters below
REFRESH_PATHS = ("login/refresh", "logout")


class LoginForm(BaseModel):
    """OAuth2 password form (username, password); bounded so nobody makes us hash megabytes."""

    username: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)
    grant_type: str | None = Field(default=None, pattern="^password$")


def _set_refresh_cookie(response: Response, settings: Settings, token: str | None) -> None:
    # httpOnly + SameSite=Strict, one cookie per route that reads it, so the browser sends it
    # nowhere else and page scripts never see it.
    for path in REFRESH_PATHS:
        full_path = f"{settings.api_prefix}/{path}"
        if token is None:
            response.delete_cookie(
                REFRESH_COOKIE,
                path=full_path,
                secure=settings.refresh_cookie_secure,
                httponly=True,
                samesite="strict",
            )
        else:
            response.set_cookie(
                REFRESH_COOKIE,
                token,
                max_age=int(timedelta(days=settings.refresh_token_expire_days).total_seconds()),
                path=full_path,
                secure=settings.refresh_cookie_secure,
                httponly=True,
                samesite="strict",
            )


@router.post(
    "/login/access-token",
    response_model=Token,
    responses=responses(InvalidCredentialsError, BannedUserError, ThrottledError),
)
async def login_access_token(
    request: Request,
    form: Annotated[LoginForm, Form()],
    settings: SettingsDep,
    token_service: TokensDep,
) -> Response:
    # The busiest route makes one thread hand-off, for all of its blocking work, and answers with
    # its bytes: a sync route would make a second one to validate the returned model.
    token = await run_in_threadpool(_password_sign_in, request, form, settings, token_service)
    response = Response(token.model_dump_json(), media_type="application/json")
    _set_refresh_cookie(response, settings, token.refresh_token)
    return response


def _password_sign_in(
    request: Request, form: LoginForm, settings: Settings, token_service: TokenService
) -> Token:
    """In the threadpool: the argon2 verify and the SQL block, and signing costs CPU."""
    # The session is opened here rather than through SessionDep: a generator dependency costs
    # two more threadpool hand-offs (enter, exit).
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        result = signin.sign_in(
            session=session,
            user_name=form.username,
            password=form.password,
            client_address=client_address(request),
            settings=settings,
        )
    wake_relay(request)  # publish the sign-in now rather than at the relay's next poll
    access = token_service.access_token(result.user)
    return Token(
        access_token=access.token, refresh_token=result.refresh_token, expires_in=access.expires_in
    )


def _presented_token(body: RefreshRequest | None, cookie: str | None) -> str:
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
    request: Request,
    response: Response,
    session: SessionDep,
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
    owner = tokens.refresh_token_owner(session=session, token=presented)
    guard.check_and_count(account=str(owner) if owner is not None else None)
    resumed: list[bool] = []

    def record_resume(user: User, now: datetime) -> None:
        resumed.append(
            signin.resume_sign_in(session=session, user_id=user.user_id, settings=settings, now=now)
        )

    user, new_token = tokens.rotate_refresh_token(
        session=session,
        token=presented,
        lifetime=timedelta(days=settings.refresh_token_expire_days),
        before_commit=record_resume if body is not None and body.resume else None,
    )
    if any(resumed):
        wake_relay(request)  # publish the resume sign-in now rather than at the next poll
    access = token_service.access_token(user)
    _set_refresh_cookie(response, settings, new_token)
    return Token(access_token=access.token, refresh_token=new_token, expires_in=access.expires_in)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(RefreshTokenRequiredError),
)
def logout(
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[RefreshRequest | None, Body()] = None,
    refresh_token: Annotated[str | None, Cookie(max_length=256)] = None,
) -> Response:
    presented = _presented_token(body, refresh_token)
    # Unknown tokens are not an error: logging out twice is fine.
    tokens.revoke_refresh_token(session=session, token=presented)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _set_refresh_cookie(response, settings, None)
    return response


@router.post(
    "/logout-everywhere",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: {"description": "Not authenticated"}},
)
def logout_everywhere(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Ends every session of the signed-in user: refresh tokens revoked, and access tokens
    refused by every service within seconds (auth.UserAccessChanged)."""
    users.logout_everywhere(session=session, user=user)
    wake_relay(request)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _set_refresh_cookie(response, settings, None)
    return response
