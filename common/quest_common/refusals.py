"""Refusals the service layer decides: no such user, already taken, too many attempts.

Each names its HTTP status and detail, so a route calls the service and never translates its
errors; `quest_common.errors.install_error_handlers` answers them. Nothing here imports a web
framework: pure business rules (e.g. processing's claim rules) raise these too.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar


class ClientError(Exception):
    """A request the service refuses for a reason the caller can act on.

    Answered `status` with `{"detail": detail}` (and `headers`), the answer an `HTTPException`
    gives. A subclass names both:
    `class UserNotFoundError(ClientError, status=HTTPStatus.NOT_FOUND, detail="User not found")`;
    an instance may set its own `detail`. The exception's message (an id, say) is for logs and
    never shown."""

    status: ClassVar[HTTPStatus] = HTTPStatus.BAD_REQUEST
    detail: str = "Bad request"
    headers: dict[str, str] | None = None
    # More members of the answer beside `detail`, for a protocol that names its own
    # (OAuth2's `error` and `error_description`, RFC 6749 §5.2).
    extra: dict[str, str] | None = None

    def __init_subclass__(
        cls, *, status: HTTPStatus | None = None, detail: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if detail is not None:
            cls.detail = detail


class RetryLaterError(ClientError, status=HTTPStatus.TOO_MANY_REQUESTS):
    """Too many attempts: `Retry-After` (seconds) says when to try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


_RETRY_AFTER = {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}


def responses(*errors: type[ClientError]) -> dict[int | str, dict[str, Any]]:
    """A route's OpenAPI `responses` from the `ClientError`s it can answer: each status described
    by its errors' details (in the order given), and `Retry-After` documented on a
    `RetryLaterError`. `@router.post(..., responses=responses(UserNotFoundError))`: the route
    names its refusals, and their status and text stay where they are raised."""
    details: dict[int, list[str]] = {}
    retry_later: set[int] = set()
    for error in errors:
        status = int(error.status)
        if error.detail not in details.setdefault(status, []):
            details[status].append(error.detail)
        if issubclass(error, RetryLaterError):
            retry_later.add(status)
    documented: dict[int | str, dict[str, Any]] = {}
    for status in sorted(details):
        documented[status] = {"description": "; or ".join(details[status])}
        if status in retry_later:
            documented[status]["headers"] = {"Retry-After": _RETRY_AFTER}
    return documented
