"""Domain errors raised by the service layer; `main.py` maps them to HTTP statuses."""

from __future__ import annotations


class CatalogError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(CatalogError):
    """→ 404"""


class ConflictError(CatalogError):
    """→ 409 (duplicate name, reward still in use)"""


class InvalidError(CatalogError):
    """→ 422 in FastAPI's own shape, for rules that need the database (a known reward) or the
    stored row (a PATCH that moves one end of the time window)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
