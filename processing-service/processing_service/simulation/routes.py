"""Admin: dry runs of a draft quest over the recorded sign-ins (DESIGN §11)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from processing_service.api.deps import AdminClaims, CacheDep, EngineDep, SessionDep, actor_of
from processing_service.simulation import service
from processing_service.simulation.draft import SimulationRequest
from processing_service.simulation.schemas import SimulationPublic, SimulationStarted

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post(
    "/simulations",
    status_code=status.HTTP_202_ACCEPTED,
    responses={422: {"description": "Bad quest draft or window"}},
)
def start_simulation(
    body: SimulationRequest, admin: AdminClaims, engine: EngineDep, cache: CacheDep
) -> SimulationStarted:
    """Replay the window's recorded sign-ins through the draft quest's rules (a dry run)."""
    simulation_id = service.start(
        engine=engine,
        rule=body.quest.rule(body.quest.reward_from(cache)),
        request=body.model_dump(mode="json"),
        actor=actor_of(admin),
    )
    return SimulationStarted(simulation_id=simulation_id)


@router.get("/simulations/{simulation_id}")
def read_simulation(
    simulation_id: uuid.UUID, _admin: AdminClaims, session: SessionDep
) -> SimulationPublic:
    return service.read(session=session, simulation_id=simulation_id)
