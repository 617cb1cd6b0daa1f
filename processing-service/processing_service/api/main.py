"""The one place the routers are mounted: everything under `/api/processing`, token required."""

from fastapi import APIRouter

from processing_service.api.routes import dead_letters, events, notifications, quests

api_router = APIRouter(prefix="/api/processing")
api_router.include_router(quests.router, tags=["quests"])
api_router.include_router(events.router, tags=["events"])
api_router.include_router(notifications.router, tags=["notifications"])
api_router.include_router(dead_letters.router, tags=["dead-letters"])
