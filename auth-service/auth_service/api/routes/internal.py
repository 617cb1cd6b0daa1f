"""Private-network routes (never routed by the gateway): service tokens and wallet credits."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, status
from pydantic import BaseModel, Field

from auth_service import wallet
from auth_service.api.deps import ServiceClient, SessionDep, TokensDep
from auth_service.models import NO_NUL, ServiceToken, WalletCredit, WalletCreditResult
from auth_service.tokens import InvalidClientError

router = APIRouter(prefix="/internal", tags=["internal"])


class ClientCredentialsForm(BaseModel):
    grant_type: str = Field(max_length=64)
    client_id: str = Field(min_length=1, max_length=128, pattern=NO_NUL)
    client_secret: str = Field(min_length=1, max_length=512, pattern=NO_NUL)


@router.post(
    "/oauth/token",
    responses={
        400: {"description": "Unsupported grant type"},
        401: {"description": "Unknown client or wrong secret"},
    },
)
def service_token(
    form: Annotated[ClientCredentialsForm, Form()], token_service: TokensDep
) -> ServiceToken:
    # Public within the private network: the client secret is the credential.
    if form.grant_type != "client_credentials":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Unsupported grant type")
    try:
        issued = token_service.service_token(
            client_id=form.client_id, client_secret=form.client_secret
        )
    except InvalidClientError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid client credentials") from exc
    return ServiceToken(access_token=issued.token, expires_in=issued.expires_in)


@router.post(
    "/wallet/credits",
    responses={
        401: {"description": "No or invalid service token"},
        403: {"description": "Not a service token"},
        404: {"description": "No such user"},
        409: {"description": "Idempotency key already used for a different credit"},
    },
)
def credit_wallet(
    body: WalletCredit, _client: ServiceClient, session: SessionDep
) -> WalletCreditResult:
    try:
        return wallet.credit(session=session, credit=body)
    except wallet.WalletUserNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found") from exc
    except wallet.IdempotencyConflictError as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "Idempotency key already used for a different credit"
        ) from exc
