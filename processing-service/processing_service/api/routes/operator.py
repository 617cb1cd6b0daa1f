"""Operator routes (DESIGN §11): simulations, a player's trace, the operations figures."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import httpx
from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from processing_service.api.deps import (
    AdminClaims,
    CacheDep,
    EngineDep,
    SessionDep,
    SettingsDep,
    actor_of,
)
from processing_service.catalog.cache import CatalogUnavailableError
from processing_service.ops.service import ProcessingOps, figures
from processing_service.progress.rules import QuestRule
from processing_service.simulation import service as simulations
from processing_service.simulation.draft import DraftReward, SimulationRequest
from processing_service.trace.service import QuestTrace, trace
from quest_common.rows import from_row

router = APIRouter(prefix="/admin", tags=["admin"])


class SimulationStarted(BaseModel):
    simulation_id: uuid.UUID


class SimulationPublic(BaseModel):
    simulation_id: uuid.UUID
    state: Literal["running", "done", "failed"]
    progress: float
    events_replayed: int = 0
    players: int = 0
    completions: int = 0
    players_completing: int = 0
    minted: dict[str, int] = {"diamond": 0, "gold": 0}
    completions_histogram: dict[str, int] = {}
    sample: list[dict[str, Any]] = []
    error: str | None = None


def _reward(settings: SettingsDep, body: SimulationRequest) -> DraftReward:
    if body.quest.reward is not None:
        return body.quest.reward
    url = f"{settings.catalog_url}/api/catalog/rewards/{body.quest.reward_id}"
    try:
        response = httpx.get(url, timeout=settings.http_timeout_s)
    except httpx.HTTPError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Catalog unreachable") from exc
    if response.status_code == status.HTTP_404_NOT_FOUND:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Unknown reward_id")
    if response.status_code != status.HTTP_200_OK:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Catalog unavailable")
    try:
        return DraftReward.model_validate(response.json())
    except ValueError as exc:  # not JSON, or not a reward
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, "reward_id does not name a usable reward"
        ) from exc


@router.post(
    "/simulations",
    status_code=status.HTTP_202_ACCEPTED,
    responses={422: {"description": "Bad quest draft or window"}},
)
def start_simulation(
    body: SimulationRequest, admin: AdminClaims, engine: EngineDep, settings: SettingsDep
) -> SimulationStarted:
    """Replay the window's recorded sign-ins through the draft quest's rules (a dry run)."""
    rule: QuestRule = body.quest.rule(_reward(settings, body))
    simulation_id = simulations.start(
        engine=engine, rule=rule, request=body.model_dump(mode="json"), actor=actor_of(admin)
    )
    return SimulationStarted(simulation_id=simulation_id)


@router.get("/simulations/{simulation_id}")
def read_simulation(
    simulation_id: uuid.UUID, _admin: AdminClaims, session: SessionDep
) -> SimulationPublic:
    job = simulations.read(session=session, simulation_id=simulation_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Simulation not found")
    return from_row(SimulationPublic, job, **(job.result or {}))


def quest_rule(cache: CacheDep, quest_id: uuid.UUID) -> QuestRule:
    try:
        quest = cache.quest(quest_id)
    except CatalogUnavailableError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Quests unavailable") from exc
    if quest is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Quest not found")
    return QuestRule.from_catalog(quest)


@router.get("/users/{user_id}/quests/{quest_id}/trace")
def user_quest_trace(
    user_id: uuid.UUID,
    quest_id: uuid.UUID,
    _admin: AdminClaims,
    session: SessionDep,
    cache: CacheDep,
) -> QuestTrace:
    return trace(session=session, user_id=user_id, rule=quest_rule(cache, quest_id))


@router.get("/ops")
async def operations(
    _admin: AdminClaims, engine: EngineDep, settings: SettingsDep
) -> ProcessingOps:
    """The sign-in queue, dead letters, pending grants, worker lag, minted (also on `/metrics`)."""
    return await run_in_threadpool(
        figures, engine=engine, amqp_url=settings.amqp_url, queue=settings.sign_in_queue
    )
