"""The one place where routers are mounted under the public prefix."""

from __future__ import annotations

from fastapi import APIRouter

from catalog_service.api import admin
from catalog_service.quests.routes import router as quests_router
from catalog_service.quests.routes import triggers_router
from catalog_service.rewards.routes import router as rewards_router

API_PREFIX = "/api/catalog"

# Reads are public and writes need an admin token: each write route declares `AdminClaims`,
# so the exception (a public read) and the rule are both visible in the route signature.
api_router = APIRouter()
api_router.include_router(rewards_router)
api_router.include_router(quests_router)
api_router.include_router(triggers_router)
api_router.include_router(admin.router)
api_router.include_router(admin.audit)
