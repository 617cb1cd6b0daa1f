"""The one place the routers are mounted: everything under `/api/processing`.

Each domain keeps its routes in its own `routes.py`. Authentication is on for the whole
aggregate router (admin routes add the admin check); this service has no public route.

Two lanes: `api_router` is the people's (players and admins; client tokens refused router-wide),
`clients_router` the game servers' (only a client token with `events:write`: ingestion).
"""

from typing import get_args

from fastapi import APIRouter, Depends

from processing_service.api.deps import get_session
from processing_service.dead_letters import routes as dead_letters
from processing_service.deletions import routes as personal_data
from processing_service.events import routes as events
from processing_service.incidents import routes as incidents
from processing_service.ingestion import routes as ingestion
from processing_service.notifications import routes as notifications
from processing_service.ops import routes as ops
from processing_service.progress import routes as quests
from processing_service.simulation import routes as simulations
from processing_service.trace import routes as traces
from quest_common.audit import audit_router
from quest_common.security import EventsClient, admin_claims, current_claims

ROUTERS = (
    quests.router,
    events.router,
    notifications.router,
    dead_letters.router,
    incidents.router,
    simulations.router,
    traces.admin_router,
    ops.router,
    traces.router,
    personal_data.router,
    audit_router(session_dependency=get_session, admin_dependency=admin_claims),
)

api_router = APIRouter(prefix="/api/processing", dependencies=[Depends(current_claims)])
for router in ROUTERS:
    api_router.include_router(router)

# The very dependency of `EventsClient` (not a second one like it): the routes' own use of it is
# then the same, resolved once per request.
_, events_write = get_args(EventsClient)
clients_router = APIRouter(prefix="/api/processing", dependencies=[events_write])
clients_router.include_router(ingestion.router)
