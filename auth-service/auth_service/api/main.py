"""The one place routers are mounted (each domain declares its routes in `<domain>/routes.py`)."""

from fastapi import APIRouter, Depends

from auth_service.api.deps import get_current_user
from auth_service.clients import routes as clients
from auth_service.personal_data import routes as personal_data
from auth_service.progression import routes as progression
from auth_service.signin import routes as signin
from auth_service.tokens import routes as tokens
from auth_service.users import routes as users
from auth_service.wallet import routes as wallet


def public_api() -> APIRouter:
    """Everything under /api/auth. The public routes (signup, login, refresh, logout, JWKS) are
    kept visibly apart; every other router requires a signed-in user at the router itself."""
    api = APIRouter()
    # Public on purpose: these are how a caller obtains or gives up credentials, or verifies them.
    api.include_router(signin.router)
    api.include_router(tokens.router)
    api.include_router(users.public_router)
    api.include_router(tokens.keys_router)
    api.include_router(progression.public_router)  # a player's public page
    # The clients' own lane: a client token, checked by the route's own dependency (a
    # player's token is refused there, as a client's is everywhere else).
    api.include_router(clients.client_router)
    api.include_router(wallet.client_router)
    # Authenticated: a valid token of an existing user, on the whole router.
    signed_in = [Depends(get_current_user)]
    api.include_router(personal_data.router, dependencies=signed_in)  # `DELETE /users/me` first
    api.include_router(users.router, dependencies=signed_in)
    api.include_router(wallet.me_router, dependencies=signed_in)
    api.include_router(progression.router, dependencies=signed_in)
    # Admin only (each route also names its admin dependency).
    api.include_router(signin.admin_router, dependencies=signed_in)
    api.include_router(wallet.admin_router, dependencies=signed_in)
    api.include_router(clients.admin_router, dependencies=signed_in)
    api.include_router(users.audit, dependencies=signed_in)
    return api


def internal_api() -> APIRouter:
    """`/internal`: the private network's routes (service tokens, credits, the access snapshot)."""
    api = APIRouter()
    api.include_router(tokens.internal_router)
    api.include_router(wallet.internal_router)
    return api
