"""Public models of the simulation routes."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel


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
