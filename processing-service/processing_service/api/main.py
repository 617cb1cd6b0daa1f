"""The one place the routers are mounted: everything under `/api/processing`.

Authentication is on for the whole aggregate router (admin routes add the admin check); this
service has no public route.
"""

from fastapi import APIRouter, Depends

from processing_service.api.deps import get_session
from processing_service.api.routes import (
    dead_letters,
    events,
    incidents,
    notifications,
    operator,
    personal_data,
    quests,
)
from quest_common.audit import audit_router
from quest_common.security import admin_claims, current_claims

api_router = APIRouter(prefix="/api/processing", dependencies=[Depends(current_claims)])
api_router.include_router(quests.router, tags=["quests"])
api_router.include_router(events.router, tags=["events"])
api_router.include_router(notifications.router, tags=["notifications"])
api_router.include_router(dead_letters.router, tags=["dead-letters"])
api_router.include_router(incidents.router, tags=["incidents"])
api_router.include_router(operator.router)
api_router.include_router(personal_data.router, tags=["personal data"])
api_router.include_router(
    audit_router(session_dependency=get_session, admin_dependency=admin_claims)
)
