"""Password sign-in (public: it is how a caller gets credentials) and the outbox's figures."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from auth_service.api.deps import AdminUser, SettingsDep, TokensDep, client_address
from auth_service.core.config import Settings
from auth_service.core.fields import NO_NUL
from auth_service.core.uow import UnitOfWorkFactory
from auth_service.signin import service as signin
from auth_service.signin.service import InvalidCredentialsError, ThrottledError
from auth_service.tokens.cookies import set_refresh_cookie
from auth_service.tokens.models import Token
from auth_service.tokens.service import BannedUserError, TokenService
from quest_common.outbox import OutboxOps, outbox_figures
from quest_common.refusals import responses

router = APIRouter(tags=["login"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])


class LoginForm(BaseModel):
    """OAuth2 password form (username, password); bounded so nobody makes us hash megabytes."""

    username: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)
    grant_type: str | None = Field(default=None, pattern="^password$")


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
    set_refresh_cookie(response, settings, token.refresh_token)
    return response


def _password_sign_in(
    request: Request, form: LoginForm, settings: Settings, token_service: TokenService
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


@admin_router.get("/ops")
def operations(_admin: AdminUser, request: Request) -> OutboxOps:
    """How far the outbox relay is behind (the same figures are on `/metrics`)."""
    return OutboxOps(outbox=outbox_figures(request.app.state.engine))
