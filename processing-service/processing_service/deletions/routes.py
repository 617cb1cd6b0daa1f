"""A player's own data: the export of everything processing holds about them."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from processing_service.api.deps import PlayerId, SessionDep
from processing_service.deletions.export import export_player

router = APIRouter(tags=["personal data"])


@router.get(
    "/me/export",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "A JSON attachment"}},
)
def my_export(player: PlayerId, session: SessionDep) -> Response:
    document = export_player(session=session, user_id=player)
    return Response(
        content=json.dumps(document, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="quest-processing-data.json"'},
    )
