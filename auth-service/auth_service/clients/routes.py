"""Admin management of OAuth2 clients, and the one route of the clients' own lane.

The admin routes are mounted with the signed-in dependency and name `AdminUser` each. `GET
/clients/me` takes a client token and nothing else (a player's is refused): a game server checks
there which client and scopes its token stands for.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from auth_service.api.deps import AdminUser, CurrentClient, SessionDep, SettingsDep, UowDep
from auth_service.clients import service as clients
from auth_service.clients.models import ClientCreate, ClientPublic, ClientSecret, ClientsPublic
from auth_service.core.config import Settings
from auth_service.users.service import actor
from quest_common.refusals import responses

admin_router = APIRouter(prefix="/admin/clients", tags=["clients"])
client_router = APIRouter(prefix="/clients", tags=["clients"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _key(settings: Settings) -> bytes:
    return clients.secret_key(settings.signing_key_passphrase)


@admin_router.post("", status_code=status.HTTP_201_CREATED)
def create_client(
    body: ClientCreate, admin: AdminUser, uow: UowDep, settings: SettingsDep
) -> ClientSecret:
    """A new client with its secret, shown this once (only a keyed hash is kept)."""
    client, secret = clients.create_client(
        uow=uow, data=body, actor=actor(admin), key=_key(settings)
    )
    return ClientSecret(
        client_id=client.client_id, client_secret=secret, name=client.name, scopes=client.scopes
    )


@admin_router.get("")
def list_clients(
    _admin: AdminUser, session: SessionDep, limit: Limit = 100, offset: Offset = 0
) -> ClientsPublic:
    """Every client, newest first, revoked ones included; never a secret."""
    return clients.list_clients(session=session, limit=limit, offset=offset)


@admin_router.post(
    "/{client_id}/secret",
    responses=responses(clients.ClientNotFoundError, clients.ClientRevokedError),
)
def rotate_client_secret(
    client_id: uuid.UUID, admin: AdminUser, uow: UowDep, settings: SettingsDep
) -> ClientSecret:
    """A new secret, shown this once: the old one stops working at once, and the tokens it got
    within seconds in every service."""
    client, secret = clients.rotate_secret(
        uow=uow, client_id=client_id, actor=actor(admin), key=_key(settings)
    )
    return ClientSecret(
        client_id=client.client_id, client_secret=secret, name=client.name, scopes=client.scopes
    )


@admin_router.delete(
    "/{client_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(clients.ClientNotFoundError),
)
def revoke_client(client_id: uuid.UUID, admin: AdminUser, uow: UowDep) -> Response:
    """Revokes the client: no more tokens, and its tokens stop working within seconds in every
    service. The row stays (the audit trail names it)."""
    clients.revoke_client(uow=uow, client_id=client_id, actor=actor(admin))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@client_router.get("/me", responses={401: {"description": "No, invalid or revoked token"}})
def read_client_me(client: CurrentClient) -> ClientPublic:
    """Which client a token stands for, and its scopes (a client token only)."""
    return client
