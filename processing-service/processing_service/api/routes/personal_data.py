"""A player's own data: the trace of a quest ("Why?") and the export of everything held."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Response

from processing_service.api.deps import CacheDep, CurrentClaims, SessionDep
from processing_service.api.routes.operator import quest_rule
from processing_service.api.routes.quests import _player
from processing_service.deletions.export import export_player
from processing_service.trace.service import QuestTrace, trace

router = APIRouter()


@router.get("/me/quests/{quest_id}/trace")
def my_quest_trace(
    quest_id: uuid.UUID, claims: CurrentClaims, session: SessionDep, cache: CacheDep
) -> QuestTrace:
    return trace(session=session, user_id=_player(claims.sub), rule=quest_rule(cache, quest_id))


@router.get(
    "/me/export",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "A JSON attachment"}},
)
def my_export(claims: CurrentClaims, session: SessionDep) -> Response:
    document = export_player(session=session, user_id=_player(claims.sub))
    return Response(
        content=json.dumps(document, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="quest-processing-data.json"'},
    )
