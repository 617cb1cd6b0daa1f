"""Admin: dry runs of a draft quest over the recorded sign-ins (DESIGN §11)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from processing_service.api.deps import AdminClaims, CacheDep, EngineDep, SessionDep, actor_of
from processing_service.simulation import service
from processing_service.simulation.draft import SimulationRequest
from processing_service.simulation.runner import SimulationRunner
from processing_service.simulation.schemas import SimulationPublic, SimulationStarted

router = APIRouter(prefix="/admin", tags=["admin"])


def get_runner(request: Request) -> SimulationRunner:
    """This replica's simulation runner (built with the app)."""
    runner: SimulationRunner = request.app.state.simulations
    return runner


RunnerDep = Annotated[SimulationRunner, Depends(get_runner)]


@router.post(
    "/simulations",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        422: {"description": "Bad quest draft or window"},
        429: {"description": "As many simulations run as this server allows (`Retry-After`)"},
    },
)
def start_simulation(
    body: SimulationRequest,
    admin: AdminClaims,
    engine: EngineDep,
    cache: CacheDep,
    runner: RunnerDep,
) -> SimulationStarted:
    """Replay the window's recorded sign-ins through the draft quest's rules (a dry run); at
    most `SIMULATION_MAX_RUNNING` at once on a server."""
    simulation_id = service.start(
        engine=engine,
        runner=runner,
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
