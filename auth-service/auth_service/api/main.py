"""The one place routers are mounted."""

from fastapi import APIRouter

from auth_service.api.routes import admin, internal, keys, login, personal_data, users, wallet


def public_api() -> APIRouter:
    """Everything under /api/auth. Authentication is enforced per route through CurrentUser /
    AdminUser; the public ones (signup, login, refresh, logout, JWKS) are kept visibly apart."""
    api = APIRouter()
    # Public on purpose: these are how a caller obtains or gives up credentials, or verifies them.
    api.include_router(login.router)
    api.include_router(users.public_router)
    api.include_router(keys.router)
    # Authenticated.
    api.include_router(personal_data.router)  # before users: `DELETE /users/me` comes first
    api.include_router(users.router)
    api.include_router(wallet.router)
    # Admin only.
    api.include_router(admin.router)
    api.include_router(admin.audit)
    return api


def internal_api() -> APIRouter:
    return internal.router
