"""The one place where routers are mounted under the public prefix."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from catalog_service.api import admin as operations
from catalog_service.event_types import routes as event_types
from catalog_service.levels import routes as levels
from catalog_service.quests import routes as quests
from catalog_service.rewards import routes as rewards
from catalog_service.shop import routes as shop
from quest_common.security import admin_claims, current_claims

API_PREFIX = "/api/catalog"

# Public on purpose, and kept apart: anyone may read the catalog (quests, rewards, triggers,
# event types, levels, offers).
PUBLIC_ROUTERS = (
    rewards.public_router,
    quests.public_router,
    quests.triggers_router,
    event_types.public_router,
    levels.public_router,
    shop.public_router,
)
# A signed-in player's own things (redeeming, their redemptions): the token check on the router.
PLAYER_ROUTERS = (shop.player_router,)
# Everything else writes or serves operators: the admin check sits on the router.
ADMIN_ROUTERS = (
    rewards.router,
    quests.router,
    event_types.router,
    levels.router,
    shop.router,
    shop.admin_router,
    operations.router,
    operations.audit,
)

api_router = APIRouter()
for public in PUBLIC_ROUTERS:
    api_router.include_router(public)
for player in PLAYER_ROUTERS:
    api_router.include_router(player, dependencies=[Depends(current_claims)])
for admin in ADMIN_ROUTERS:
    api_router.include_router(admin, dependencies=[Depends(admin_claims)])
