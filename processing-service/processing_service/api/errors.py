"""Failures of what the API depends on, mapped to answers a client can act on."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from processing_service.catalog.cache import CatalogUnavailableError

CATALOG_UNAVAILABLE = "quest catalog unavailable, try again shortly"
CATALOG_RETRY_AFTER_S = 5


async def _catalog_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    # Catalog is down and this replica has never had a copy of the quests: nothing to answer
    # with yet, but nothing wrong with the request either. A copy exists once catalog is back.
    return JSONResponse(
        {"detail": CATALOG_UNAVAILABLE},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(CATALOG_RETRY_AFTER_S)},
    )


def install_dependency_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CatalogUnavailableError, _catalog_unavailable)
