"""Private-network routes (never routed by the gateway): service tokens and wallet credits."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field

from auth_service import access, wallet
from auth_service.api.deps import (
    SERVICE_CLIENT_REFUSALS,
    ServiceClient,
    SessionDep,
    SettingsDep,
    TokensDep,
)
from auth_service.models import NO_NUL, ServiceToken, WalletCredit, WalletCreditResult
from auth_service.tokens import InvalidClientError, UnsupportedGrantTypeError
from auth_service.users import UserNotFoundError
from auth_service.wallet import IdempotencyConflictError
from quest_common.db import utcnow
from quest_common.refusals import responses

# Not in the public OpenAPI document: the gateway never routes /internal (DESIGN §3, §12).
router = APIRouter(prefix="/internal", tags=["internal"], include_in_schema=False)


class ClientCredentialsForm(BaseModel):
    grant_type: str = Field(max_length=64)
    client_id: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    client_secret: str = Field(min_length=1, max_length=512, pattern=NO_NUL)


@router.post(
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


@router.post(
    "/wallet/credits",
    responses=SERVICE_CLIENT_REFUSALS | responses(UserNotFoundError, IdempotencyConflictError),
)
def credit_wallet(
    body: WalletCredit, _client: ServiceClient, session: SessionDep
) -> WalletCreditResult:
    return wallet.credit(session=session, credit=body)


class AccessSnapshot(BaseModel):
    token: str


@router.get("/access/not-before")
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
