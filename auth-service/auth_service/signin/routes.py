"""The OAuth2 token endpoint (public: it is how a caller gets credentials) and the outbox's
figures."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from auth_service.api.deps import AdminUser, SettingsDep, TokensDep, client_address
from auth_service.clients import service as clients
from auth_service.clients.models import ClientToken
from auth_service.core.config import Settings
from auth_service.core.fields import NO_NUL
from auth_service.core.uow import UnitOfWorkFactory
from auth_service.signin import grants
from auth_service.signin import service as signin
from auth_service.signin.abuse import AbuseGuard, LimitedError
from auth_service.signin.service import InvalidCredentialsError, ThrottledError
from auth_service.tokens import service as tokens
from auth_service.tokens.cookies import set_refresh_cookie
from auth_service.tokens.models import Token
from auth_service.tokens.service import BannedUserError, InvalidRefreshTokenError, TokenService
from quest_common.outbox import OutboxOps, outbox_figures
from quest_common.refusals import responses

router = APIRouter(tags=["login"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])


class TokenForm(BaseModel):
    """The OAuth2 token request (RFC 6749, form-encoded). Which fields count depends on
    `grant_type`: `username` and `password` for `password` (the default, as before),
    `client_id`, `client_secret` (or HTTP Basic) and `scope` for `client_credentials`,
    `refresh_token` for `refresh_token`. Bounded so nobody makes us hash megabytes."""

    # Optional but never null: a form field cannot be null, so the schema says "absent, or a
    # string" (a nullable one would invite the string "null"). Absent reads as "" here; a field
    # sent empty is refused by its `min_length`.
    grant_type: str = Field(default="password", max_length=64, pattern=NO_NUL)
    username: str = Field(default="", min_length=1, max_length=128, pattern=NO_NUL)
    password: str = Field(default="", min_length=1, max_length=256, pattern=NO_NUL)
    client_id: str = Field(default="", min_length=1, max_length=128, pattern=NO_NUL)
    client_secret: str = Field(default="", min_length=1, max_length=512, pattern=NO_NUL)
    scope: str = Field(default="", max_length=256, pattern=NO_NUL)
    refresh_token: str = Field(default="", min_length=1, max_length=256, pattern=NO_NUL)


def _missing(*fields: str) -> RequestValidationError:
    """The 422 a password sign-in without its fields has always had."""
    return RequestValidationError(
        [{"type": "missing", "loc": ("body", f), "msg": "Field required"} for f in fields]
    )


@router.post(
    "/login/access-token",
    response_model=Token | ClientToken,
    responses=responses(
        InvalidCredentialsError,
        grants.UnsupportedGrantError,
        grants.InvalidRequestError,
        grants.InvalidGrantError,
        clients.InvalidScopeError,
        clients.InvalidClientError,
        BannedUserError,
        ThrottledError,
        LimitedError,
    ),
)
async def login_access_token(
    request: Request,
    form: Annotated[TokenForm, Form()],
    settings: SettingsDep,
    token_service: TokensDep,
) -> Response:
    """The standard OAuth2 token endpoint. `password` (the default): a player's sign-in →
    `{access_token, refresh_token, token_type, expires_in}` (and the refresh cookie).
    `client_credentials`: a client (HTTP Basic or form credentials) → `{access_token,
    token_type, expires_in, scope}`, no refresh token. `refresh_token`: a new pair, the
    presented token spent. Errors carry `detail` and, for the OAuth2 ones, RFC 6749's `error`."""
    grant = form.grant_type or grants.PASSWORD
    if grant == grants.PASSWORD:
        missing = [f for f in ("username", "password") if not getattr(form, f)]
        if missing:
            raise _missing(*missing)
        # The busiest route makes one thread hand-off, for all of its blocking work, and
        # answers with its bytes: a sync route would make a second one to validate the model.
        token = await run_in_threadpool(_password_sign_in, request, form, settings, token_service)
        response = Response(token.model_dump_json(), media_type="application/json")
        set_refresh_cookie(response, settings, token.refresh_token)
        return response
    if grant == grants.CLIENT_CREDENTIALS:
        issued = await run_in_threadpool(
            _client_credentials, request, form, settings, token_service
        )
        return Response(issued.model_dump_json(), media_type="application/json")
    if grant == grants.REFRESH_TOKEN:
        if not form.refresh_token:
            raise grants.InvalidRequestError("refresh_token is required")
        refreshed = await run_in_threadpool(
            _refresh, request, form.refresh_token, settings, token_service
        )
        return Response(refreshed.model_dump_json(), media_type="application/json")
    raise grants.UnsupportedGrantError(grant)


def _password_sign_in(
    request: Request, form: TokenForm, settings: Settings, token_service: TokenService
) -> Token:
    """In the threadpool: the argon2 verify and the SQL block, and signing costs CPU."""
    # The unit of work is opened here rather than through UowDep: a generator dependency costs
    # two more threadpool hand-offs (enter, exit).
    new_uow: UnitOfWorkFactory = request.app.state.uow
    with new_uow() as uow:
        result = signin.sign_in(
            uow=uow,
            user_name=form.username,
            password=form.password,
            client_address=client_address(request),
            settings=settings,
        )
    access = token_service.access_token(result.user)
    return Token(
        access_token=access.token, refresh_token=result.refresh_token, expires_in=access.expires_in
    )


def _client_credentials(
    request: Request, form: TokenForm, settings: Settings, token_service: TokenService
) -> ClientToken:
    new_uow: UnitOfWorkFactory = request.app.state.uow
    with new_uow() as uow:
        grant = grants.client_credentials(
            session=uow.session,
            basic=grants.basic_credentials(request.headers.get("authorization")),
            form_id=form.client_id or None,
            form_secret=form.client_secret or None,
            scope=form.scope or None,
            key=clients.secret_key(settings.signing_key_passphrase),
        )
    issued = token_service.client_token(grant.client, scopes=grant.scopes)
    return ClientToken(
        access_token=issued.token, expires_in=issued.expires_in, scope=" ".join(grant.scopes)
    )


def _refresh(
    request: Request, presented: str, settings: Settings, token_service: TokenService
) -> Token:
    """As `POST /login/refresh` does (its abuse limits included), form-encoded (RFC 6749 §6)."""
    new_uow: UnitOfWorkFactory = request.app.state.uow
    guard = AbuseGuard(
        uow=new_uow,
        limits=settings.abuse_limits,
        action="refresh",
        address=client_address(request),
    )
    with new_uow() as uow:
        owner = tokens.refresh_token_owner(session=uow.session, token=presented)
        guard.check_and_count(account=str(owner) if owner is not None else None)
        try:
            user, new_token = signin.refresh_session(
                uow=uow, token=presented, settings=settings, resume=False
            )
        except InvalidRefreshTokenError as exc:
            raise grants.InvalidGrantError(str(exc)) from exc
    access = token_service.access_token(user)
    return Token(access_token=access.token, refresh_token=new_token, expires_in=access.expires_in)


@admin_router.get("/ops")
def operations(_admin: AdminUser, request: Request) -> OutboxOps:
    """How far the outbox relay is behind (the same figures are on `/metrics`)."""
    return OutboxOps(outbox=outbox_figures(request.app.state.engine))
