"""The one place where routers are mounted under the public prefix."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from catalog_service.quests import routes as quests
from catalog_service.rewards import routes as rewards
from quest_common.security import admin_claims

API_PREFIX = "/api/catalog"

api_router = APIRouter()
# Public on purpose, and kept apart: catalog reads (quests, rewards, triggers).
api_router.include_router(rewards.public_router)
api_router.include_router(quests.public_router)
api_router.include_router(quests.triggers_router)
# Everything else is an admin write: the admin check is on the router, not left to each route.
api_router.include_router(rewards.router, dependencies=[Depends(admin_claims)])
api_router.include_router(quests.router, dependencies=[Depends(admin_claims)])
