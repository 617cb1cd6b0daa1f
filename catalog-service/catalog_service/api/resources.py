"""What the routes of every catalog resource (quests, rewards) share: a public router for the
reads and an admin one for the writes, and `PUT /…/by-name/{name}`, the idempotent create or
replace by name (for seed scripts) that answers 201 when it created the row, 200 when it existed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Response, status

T = TypeVar("T")


def resource_routers(prefix: str) -> tuple[APIRouter, APIRouter]:
    """(admin, public) routers of one resource, tagged with its name. `api/main.py` puts the
    admin check on the first; the second is public on purpose: anyone may read the catalog (the
    web UI lists quests before sign-in)."""
    tag = prefix.strip("/")
    return APIRouter(prefix=prefix, tags=[tag]), APIRouter(prefix=prefix, tags=[tag])


def created_response(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry of the 201 of a PUT by name: the same body as the 200."""
    return {status.HTTP_201_CREATED: {"model": model, "description": "Created"}}


def upserted(response: Response, result: tuple[T, bool]) -> T:
    """The row of a `(row, created)` upsert; a created row makes the status 201."""
    row, created = result
    if created:
        response.status_code = status.HTTP_201_CREATED
    return row
