"""Admin view of the dead-letter queue, and replay."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from processing_service.api.deps import AdminClaims, PageDep, RuntimeDep, SessionDep, actor_of
from processing_service.dead_letters import service
from processing_service.dead_letters.models import DeadLetterPublic, DeadLettersPublic

router = APIRouter(tags=["dead-letters"])


@router.get("/dead-letters")
def dead_letters(_admin: AdminClaims, session: SessionDep, page: PageDep) -> DeadLettersPublic:
    rows, count = service.list_dead_letters(session=session, limit=page.limit, offset=page.offset)
    return DeadLettersPublic(
        data=[DeadLetterPublic.model_validate(r, from_attributes=True) for r in rows], count=count
    )


@router.post("/dead-letters/{dead_letter_id}/replay")
def replay_dead_letter(
    dead_letter_id: uuid.UUID,
    admin: AdminClaims,
    runtime: RuntimeDep,
) -> DeadLetterPublic:
    row = service.requeue(
        uow_factory=runtime.uow,
        broker=runtime.broker,
        queue=runtime.settings.sign_in_queue,
        dead_letter_id=dead_letter_id,
        actor=actor_of(admin),
    )
    return DeadLetterPublic.model_validate(row, from_attributes=True)
