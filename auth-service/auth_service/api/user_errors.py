"""The HTTP answers of an admin action on one account, shared by the routes that take a
`user_id`: 404 when there is no such user, 409 once the account is deleted."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, status

from auth_service import users, wallet


@contextmanager
def user_errors(*, deleted: str = "User is deleted") -> Iterator[None]:
    """Turns the not-found and deleted errors of `users` and `wallet` into 404 and 409
    (`deleted` is the 409's detail); anything else passes through."""
    try:
        yield
    except (users.UserNotFoundError, wallet.WalletUserNotFoundError) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found") from exc
    except (users.UserDeletedError, wallet.UserDeletedError) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, deleted) from exc
