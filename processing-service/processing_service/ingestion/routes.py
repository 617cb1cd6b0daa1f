"""Game servers send what players do (DESIGN §14): the clients' lane, `events:write` tokens only.

Every refusal of an event names it: a 422 is `{"detail": [{index, loc, msg, type}, ...]}`, the
same shape whether the event is malformed (a missing field, a bad UUID: pydantic's errors,
re-addressed here) or breaks a rule of the platform (an unknown type or player: the service's).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from processing_service.api.deps import EngineDep, IngestionDep, UowFactoryDep
from processing_service.ingestion import service
from processing_service.ingestion.event_types import EventTypesUnavailableError
from processing_service.ingestion.models import (
    IngestAccepted,
    IngestBatch,
    IngestEvent,
    IngestProblem,
    IngestRefusal,
)
from processing_service.ingestion.service import (
    IngestRateLimitedError,
    IngestRefusedError,
    IngestUnavailableError,
)
from processing_service.ingestion.validation import Problem
from quest_common.db import utcnow
from quest_common.errors import safe_text
from quest_common.refusals import responses
from quest_common.security import EventsClient


def events_client(request: Request, claims: EventsClient) -> str:
    """The client behind the token; kept on the request so that a refusal of a malformed body
    (decided after this, by FastAPI) is still counted for its source."""
    client_id = claims.client_id or ""
    request.state.ingest_client = client_id
    return client_id


ClientId = Annotated[str, Depends(events_client)]


def shape_problems(errors: Sequence[Any], *, single: bool) -> list[Problem]:
    """Pydantic's errors of the body, addressed like the service's: the event's index and the
    place inside it."""
    problems = []
    for error in errors:
        loc = [part for part in error.get("loc", ()) if part != "body"]
        index: int | None = None
        if single:
            index = 0
        elif len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
            index, loc = loc[1], loc[2:]
        problems.append(
            Problem(
                index=index,
                loc=tuple(p if isinstance(p, int) else safe_text(p, limit=64) for p in loc),
                msg=safe_text(error.get("msg", "invalid value")),
                type=safe_text(error.get("type", "value_error"), limit=64),
            )
        )
    return problems


def refusal(problems: Sequence[Problem]) -> JSONResponse:
    body = IngestRefusal(
        detail=[
            IngestProblem(index=p.index, loc=list(p.loc), msg=p.msg, type=p.type) for p in problems
        ]
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=422)


class IngestRoute(APIRoute):
    """Answers a refused request (malformed, or against the rules) with the index-addressed
    422, and counts the refused events for the client's figures."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        single = not self.path.endswith("/batch")

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                problems = shape_problems(exc.errors(), single=single)
            except IngestRefusedError as exc:
                problems = exc.problems
            client_id = getattr(request.state, "ingest_client", None)
            if client_id:
                await run_in_threadpool(
                    service.count_source,
                    engine=request.app.state.engine,
                    client_id=client_id,
                    rejected=service.rejected_count(problems),
                    at=utcnow(),
                )
            return refusal(problems)

        return route


router = APIRouter(prefix="/events", tags=["ingestion"], route_class=IngestRoute)

REFUSALS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": IngestRefusal,
        "description": "Nothing accepted: each problem names its event's index",
    },
    **responses(IngestRateLimitedError, IngestUnavailableError, EventTypesUnavailableError),
}


def accept(
    *,
    client_id: str,
    events: Sequence[IngestEvent],
    ingestion: IngestionDep,
    uow_factory: UowFactoryDep,
    engine: EngineDep,
) -> IngestAccepted:
    wait = ingestion.rate_limit.take(client_id, len(events))
    if wait:
        raise IngestRateLimitedError(wait)
    types = ingestion.event_types.types()
    now = utcnow()
    answer, accepted = service.ingest(
        uow=uow_factory(),
        publish=ingestion.publishers.publish,
        types=types,
        client_id=client_id,
        events=events,
        now=now,
    )
    service.count_source(engine=engine, client_id=client_id, accepted=accepted, at=now)
    return answer


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses=REFUSALS)
def ingest_event(
    event: IngestEvent,
    client_id: ClientId,
    ingestion: IngestionDep,
    uow_factory: UowFactoryDep,
    engine: EngineDep,
) -> IngestAccepted:
    """One event. 202 once the broker holds it (durable); the same id again is a duplicate."""
    return accept(
        client_id=client_id,
        events=[event],
        ingestion=ingestion,
        uow_factory=uow_factory,
        engine=engine,
    )


@router.post("/batch", status_code=status.HTTP_202_ACCEPTED, responses=REFUSALS)
def ingest_events(
    batch: IngestBatch,
    client_id: ClientId,
    ingestion: IngestionDep,
    uow_factory: UowFactoryDep,
    engine: EngineDep,
) -> IngestAccepted:
    """1 to 500 events, checked whole: one problem refuses them all (422, nothing accepted).
    202 once the broker holds every new one; ids this client sent before (or repeated in the
    batch) come back under `duplicates`."""
    return accept(
        client_id=client_id,
        events=batch.events,
        ingestion=ingestion,
        uow_factory=uow_factory,
        engine=engine,
    )
