"""The one place the routers are mounted: everything under `/api/processing`.

Authentication is on for the whole aggregate router (admin routes add the admin check); this
service has no public route.
"""

from fastapi import APIRouter, Depends

from processing_service.api.routes import dead_letters, events, incidents, notifications, quests
from quest_common.security import current_claims

api_router = APIRouter(prefix="/api/processing", dependencies=[Depends(current_claims)])
api_router.include_router(quests.router, tags=["quests"])
api_router.include_router(events.router, tags=["events"])
api_router.include_router(notifications.router, tags=["notifications"])
api_router.include_router(dead_letters.router, tags=["dead-letters"])
api_router.include_router(incidents.router, tags=["incidents"])
