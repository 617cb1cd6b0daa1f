"""The refresh-token cookie, set by every route that hands out or gives up a refresh token."""

from datetime import timedelta

from fastapi import Response

from auth_service.core.config import Settings

REFRESH_COOKIE = "refresh_token"  # also the name of the routes' `Cookie` parameters
REFRESH_PATHS = ("login/refresh", "logout")


def set_refresh_cookie(response: Response, settings: Settings, token: str | None) -> None:
    """Set (or, with None, delete) the cookie. httpOnly + SameSite=Strict, one cookie per route
    that reads it, so the browser sends it nowhere else and page scripts never see it."""
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
