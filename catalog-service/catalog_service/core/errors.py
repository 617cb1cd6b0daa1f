"""Domain errors raised by the service layer. Not found and conflicts answer through
quest_common's one `ClientError` handler; `main.py` maps `InvalidError` to FastAPI's 422 shape."""

from __future__ import annotations

from http import HTTPStatus

from quest_common.refusals import ClientError


class CatalogError(ClientError):
    """A refusal whose message, naming the quest or reward, is the answer's detail."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.detail = message


class NotFoundError(CatalogError, status=HTTPStatus.NOT_FOUND, detail="Not found"):
    pass


class ConflictError(CatalogError, status=HTTPStatus.CONFLICT, detail="Conflict"):
    """Duplicate name, reward still in use."""


class InvalidError(CatalogError):
    """→ 422 in FastAPI's own shape, for rules that need the database (a known reward) or the
    stored row (a PATCH that moves one end of the time window)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
