"""The one place routers are mounted."""

from fastapi import APIRouter, Depends

from auth_service.api.deps import get_current_user
from auth_service.api.routes import admin, internal, keys, login, personal_data, users, wallet


def public_api() -> APIRouter:
    """Everything under /api/auth. The public routes (signup, login, refresh, logout, JWKS) are
    kept visibly apart; every other router requires a signed-in user at the router itself."""
    api = APIRouter()
    # Public on purpose: these are how a caller obtains or gives up credentials, or verifies them.
    api.include_router(login.router)
    api.include_router(users.public_router)
    api.include_router(keys.router)
    # Authenticated: a valid token of an existing user, on the whole router.
    signed_in = [Depends(get_current_user)]
    api.include_router(personal_data.router, dependencies=signed_in)  # `DELETE /users/me` first
    api.include_router(users.router, dependencies=signed_in)
    api.include_router(wallet.router, dependencies=signed_in)
    # Admin only (each route also names its admin dependency).
    api.include_router(admin.router, dependencies=signed_in)
    api.include_router(admin.audit, dependencies=signed_in)
    return api


def internal_api() -> APIRouter:
    return internal.router
