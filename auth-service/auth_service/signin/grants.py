"""The grants of the standard OAuth2 token endpoint besides the password (RFC 6749): client
credentials (§4.4, the client authenticated by HTTP Basic or in the form, §2.3.1) and refresh
token (§6), with the error answers of §5.2 beside the `detail` every answer carries."""

import base64
import binascii
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote

from sqlmodel import Session

from auth_service.clients import service as clients
from auth_service.clients.models import OAuthClient
from quest_common.refusals import ClientError

PASSWORD = "password"  # noqa: S105
CLIENT_CREDENTIALS = "client_credentials"
REFRESH_TOKEN = "refresh_token"  # noqa: S105
GRANTS = (PASSWORD, CLIENT_CREDENTIALS, REFRESH_TOKEN)


def _oauth(code: str, description: str) -> dict[str, str]:
    return {"error": code, "error_description": description}


class UnsupportedGrantError(
    ClientError, status=HTTPStatus.BAD_REQUEST, detail="Unsupported grant type"
):
    extra = _oauth("unsupported_grant_type", "Use password, client_credentials or refresh_token")


class InvalidRequestError(ClientError, status=HTTPStatus.BAD_REQUEST, detail="Invalid request"):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.detail = description
        self.extra = _oauth("invalid_request", description)


class InvalidGrantError(ClientError, status=HTTPStatus.BAD_REQUEST, detail="Invalid refresh token"):
    """An unknown, spent, expired or revoked refresh token presented to the token endpoint
    (the JSON `/login/refresh` answers 401 for the same, as it always has)."""

    extra = _oauth("invalid_grant", "Invalid refresh token")


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """(client id, secret) of an `Authorization: Basic` header, or None without one. Each part
    is form-urlencoded before the base64 (RFC 6749 §2.3.1), so it is decoded after the split."""
    if authorization is None:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise clients.InvalidClientError("malformed Basic credentials") from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise clients.InvalidClientError("malformed Basic credentials")
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@dataclass(frozen=True)
class ClientGrant:
    client: OAuthClient
    scopes: list[str]


def client_credentials(
    *,
    session: Session,
    basic: tuple[str, str] | None,
    form_id: str | None,
    form_secret: str | None,
    scope: str | None,
    key: bytes,
) -> ClientGrant:
    """The client and the scopes its token gets. One way of authenticating only (§2.3)."""
    if basic is not None and (form_id is not None or form_secret is not None):
        raise InvalidRequestError("Send the client's credentials one way: Basic or the form")
    client_id, secret = basic if basic is not None else (form_id, form_secret)
    if not client_id or not secret:
        raise clients.InvalidClientError("no client credentials")
    client = clients.authenticate(session=session, client_id=client_id, secret=secret, key=key)
    return ClientGrant(client=client, scopes=clients.granted_scopes(client, scope))
