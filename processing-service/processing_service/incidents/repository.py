"""What a unit of work reads of the `incident` table: the windows the rules are handed."""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session

from processing_service.incidents.service import windows
from processing_service.progress.rules import IncidentWindow


class IncidentRepository(Protocol):
    def windows(self) -> tuple[IncidentWindow, ...]: ...


class SqlIncidents:
    def __init__(self, session: Session) -> None:
        self.session = session

    def windows(self) -> tuple[IncidentWindow, ...]:
        return windows(session=self.session)
